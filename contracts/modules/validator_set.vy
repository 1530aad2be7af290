# pragma version ~=0.4.3
"""
@title Validator set: keys, bond sizes, storage claims and lazy weight snapshots
@custom:contract-name validator_set
@license MIT
@notice Validators of docs/protocol.md §7.1 to §7.5, as the Committee contract keeps them
        (the bonds themselves sit in ProofOfLearning's ledger). Weight is the total
        size of a validator's live storage claims capped by its bond,
        `min(claimed bytes, bond * bytes_per_wkc / 10**18)`; an exiting validator
        weighs 0 in every round opened after its request.
@dev Snapshots are lazy, O(1) per change: each validator (and the total) keeps the
     value in force for the rounds opened so far (`current_*`) and the value from
     round `next_from` on (`next_*`). A change made while round r is the latest
     opened round schedules the new value from round r + 1, so a round's snapshot
     never moves after it opened. The same record fixes how many claim slots the
     round's storage challenge draws from, so that claims made after a round opened
     neither add weight to it nor steer its challenge.
"""

from . import parameters
from . import sortition


# @dev Validator states. An exited validator keeps its record: its address cannot
# register again (a fresh account is cheap, and a clean record keeps claims simple).
VALIDATOR_NONE: constant(uint8) = 0
VALIDATOR_ACTIVE: constant(uint8) = 1
VALIDATOR_EXITING: constant(uint8) = 2
VALIDATOR_EXITED: constant(uint8) = 3

# @dev Most validators registered at once: bounds the loop that sums the expected
# committee size when a round opens, and so the proposals of one attempt.
MAX_VALIDATORS: constant(uint256) = parameters.MAX_VALIDATORS_BOUND
# @dev Most storage claims one validator makes over its life; dropped claims keep
# their slot so that a round's challenged claim cannot be steered.
MAX_CLAIMS: constant(uint256) = parameters.MAX_CLAIMS_BOUND

WEI_PER_WKC: constant(uint256) = 10**18


struct Validator:
    status: uint8
    bond: uint256
    registered_at: uint256
    exit_requested_at: uint256
    # Sum of the sizes of the live (not dropped) claims.
    claimed_size: uint256
    # Claim slots used, dropped ones included; slot numbers are never reused.
    claim_slots: uint256


struct Claim:
    object_id: uint256
    size: uint256
    merkle_root: bytes32


struct Snapshot:
    current_weight: uint256
    current_slots: uint256
    next_weight: uint256
    next_slots: uint256
    next_from: uint256


# @dev Emitted when `validator` registers its BLS key with `bond`.
event ValidatorRegistered:
    validator: indexed(address)
    bond: uint256
    vrf_pubkey: Bytes[256]


# @dev Emitted when `validator` adds `amount`; `bond` is its new bond.
event BondToppedUp:
    validator: indexed(address)
    amount: uint256
    bond: uint256


# @dev Emitted when `validator` starts its exit; the bond is
# withdrawable from block `bond_available_at`.
event ExitRequested:
    validator: indexed(address)
    bond_available_at: uint256


# @dev Emitted when `validator` ends its exit and `amount` is credited back.
event BondWithdrawn:
    validator: indexed(address)
    amount: uint256


# @dev Emitted when `validator` claims object `object_id` in claim `slot`.
event StorageClaimed:
    validator: indexed(address)
    object_id: indexed(uint256)
    slot: uint256
    size: uint256


# @dev Emitted when a failed storage answer in `round_id` drops a claim.
event ClaimDropped:
    validator: indexed(address)
    object_id: indexed(uint256)
    round_id: indexed(uint256)
    slot: uint256


# @dev Bytes of storage one bonded WKC backs (ProofOfLearning's `bytes_per_wkc`).
bytes_per_wkc: public(immutable(uint256))

# @dev Rounds opened so far: the clock of the lazy snapshots.
round_count: public(uint256)
# @dev Every validator by address.
validator: public(HashMap[address, Validator])
# @dev Each validator's BLS key (256-byte EIP-2537 G2 encoding).
vrf_pubkey: public(HashMap[address, Bytes[256]])
# @dev keccak256 of every key ever registered: a key is registered once.
key_used: public(HashMap[bytes32, bool])
# @dev Registered validators that have not withdrawn their bond.
validator_list: DynArray[address, MAX_VALIDATORS]
# @dev Position + 1 of each validator in `validator_list` (0: not listed).
list_position: HashMap[address, uint256]
# @dev Each validator's claims by slot; object id 0 once dropped.
claim: public(HashMap[address, HashMap[uint256, Claim]])
# @dev Slot + 1 of each live claim by validator and object id (0: not claimed).
claim_slot: public(HashMap[address, HashMap[uint256, uint256]])
# @dev Each validator's lazy weight snapshot.
snapshot: HashMap[address, Snapshot]
# @dev The lazy snapshot of the total weight (its `slots` fields are unused).
total_snapshot: Snapshot


@deploy
def __init__(bytes_per_wkc_: uint256):
    """
    @dev Fixes the weight cap's exchange rate.
    @param bytes_per_wkc_ Bytes of storage one bonded WKC backs.
    """
    bytes_per_wkc = bytes_per_wkc_


@internal
@view
def _check_registrable(account: address, pubkey: Bytes[256]):
    """
    @dev The checks of a registration that need no pairing, run before it.
    @param account The registering account.
    @param pubkey Its BLS key.
    """
    assert self.validator[account].status == VALIDATOR_NONE, "validators: already registered"
    assert len(pubkey) == 256, "validators: key must be 256 bytes"
    assert not self.key_used[keccak256(pubkey)], "validators: key already registered"
    assert len(self.validator_list) < MAX_VALIDATORS, "validators: too many validators"


@internal
def _register(account: address, pubkey: Bytes[256], bond: uint256):
    """
    @dev Records a validator; the caller ran `_check_registrable`, checked the
         proof of possession and took the bond.
    @param account The validator.
    @param pubkey Its BLS key.
    @param bond Its bond, in wei.
    """
    self.key_used[keccak256(pubkey)] = True
    self.vrf_pubkey[account] = pubkey
    self.validator[account] = Validator(
        status=VALIDATOR_ACTIVE, bond=bond, registered_at=block.number, exit_requested_at=0, claimed_size=0, claim_slots=0
    )
    self.validator_list.append(account)
    self.list_position[account] = len(self.validator_list)
    log ValidatorRegistered(validator=account, bond=bond, vrf_pubkey=pubkey)


@internal
def _top_up(account: address, amount: uint256):
    """
    @dev Adds to an active validator's bond; the cap rises from the next round.
    @param account The validator.
    @param amount The top-up, in wei; not zero.
    """
    assert self.validator[account].status == VALIDATOR_ACTIVE, "validators: not an active validator"
    assert amount > 0, "validators: zero top-up"
    bond: uint256 = self.validator[account].bond + amount
    self.validator[account].bond = bond
    log BondToppedUp(validator=account, amount=amount, bond=bond)
    self._reweigh(account)


@internal
def _request_exit(account: address, exit_delay: uint256):
    """
    @dev Starts an active validator's exit: weight 0 from the next round on.
    @param account The validator.
    @param exit_delay Blocks until the bond may be withdrawn.
    """
    assert self.validator[account].status == VALIDATOR_ACTIVE, "validators: not an active validator"
    self.validator[account].status = VALIDATOR_EXITING
    self.validator[account].exit_requested_at = block.number
    log ExitRequested(validator=account, bond_available_at=block.number + exit_delay)
    self._reweigh(account)


@internal
def _withdraw(account: address, exit_delay: uint256) -> uint256:
    """
    @dev Ends an exit `exit_delay` blocks after its request and drops the
         validator from the list; its record stays (status EXITED).
    @param account The validator.
    @param exit_delay Blocks between the request and the withdrawal.
    @return uint256 The bond to credit back.
    """
    record: Validator = self.validator[account]
    assert record.status == VALIDATOR_EXITING, "validators: no exit requested"
    assert block.number >= record.exit_requested_at + exit_delay, "validators: exit delay not over"

    self.validator[account].status = VALIDATOR_EXITED
    self.validator[account].bond = 0
    # Swap with the last entry and pop: the order of validators carries no meaning.
    position: uint256 = self.list_position[account] - 1
    last: address = self.validator_list[len(self.validator_list) - 1]
    self.validator_list[position] = last
    self.list_position[last] = position + 1
    self.validator_list.pop()
    self.list_position[account] = 0
    log BondWithdrawn(validator=account, amount=record.bond)
    return record.bond


@internal
def _claim(account: address, object_id: uint256, size: uint256, merkle_root: bytes32):
    """
    @dev Records an active validator's claim on an object, in a new slot; the
         weight follows from the next round.
    @param account The validator.
    @param object_id The object.
    @param size Its registered size.
    @param merkle_root Its registered root.
    """
    assert self.validator[account].status == VALIDATOR_ACTIVE, "validators: not an active validator"
    assert self.claim_slot[account][object_id] == 0, "validators: object already claimed"
    slot: uint256 = self.validator[account].claim_slots
    assert slot < MAX_CLAIMS, "validators: claim slots used up"

    self.claim[account][slot] = Claim(object_id=object_id, size=size, merkle_root=merkle_root)
    self.claim_slot[account][object_id] = slot + 1
    self.validator[account].claim_slots = slot + 1
    self.validator[account].claimed_size += size
    log StorageClaimed(validator=account, object_id=object_id, slot=slot, size=size)
    self._reweigh(account)


@internal
def _drop_claim(account: address, slot: uint256, round_id: uint256):
    """
    @dev Drops a claim whose storage challenge failed; its slot stays used.
    @param account The validator.
    @param slot The claim's slot.
    @param round_id The round of the failed answer.
    """
    dropped: Claim = self.claim[account][slot]
    self.claim[account][slot].object_id = 0
    self.claim_slot[account][dropped.object_id] = 0
    self.validator[account].claimed_size -= dropped.size
    log ClaimDropped(validator=account, object_id=dropped.object_id, round_id=round_id, slot=slot)
    self._reweigh(account)


@internal
def _open_snapshot(tau: uint256) -> (uint256, uint256, uint256):
    """
    @dev Opens the next round on the snapshot clock. Bounded by MAX_VALIDATORS:
         registration refuses more.
    @param tau The expected committee size.
    @return (uint256, uint256, uint256) The round id, its total weight W and
            the sum over validators of min(tau * w, W).
    """
    round_id: uint256 = self.round_count + 1
    self.round_count = round_id
    total_weight: uint256 = self._total_at(round_id)
    capped_sum: uint256 = 0
    for account: address in self.validator_list:
        capped_sum += sortition._capped_weight(self._weight_at(account, round_id), total_weight, tau)
    return round_id, total_weight, capped_sum


@internal
@view
def _challenged_slot(account: address, seed: bytes32, round_id: uint256) -> (uint256, bool):
    """
    @dev The claim slot a validator answers for in a round attempt: among the
         slots of the round's snapshot, start at
         uint256(keccak256(abi_encode(seed, validator))) % slots and take the first
         live claim going up, wrapping around.
    @param account The validator.
    @param seed The attempt's seed.
    @param round_id The round.
    @return (uint256, bool) The slot, and False if no claim is live.
    """
    slots: uint256 = self._slots_at(account, round_id)
    if slots == 0:
        return 0, False
    start: uint256 = convert(keccak256(abi_encode(seed, account)), uint256) % slots
    for step: uint256 in range(slots, bound=MAX_CLAIMS):
        slot: uint256 = (start + step) % slots
        if self.claim[account][slot].object_id != 0:
            return slot, True
    return 0, False


@internal
@view
def _target_weight(account: address) -> uint256:
    """
    @dev The weight the validator has now: 0 unless active, else its live claimed
         bytes capped by its bond.
    @param account The validator.
    @return uint256 The weight in bytes.
    """
    record: Validator = self.validator[account]
    if record.status != VALIDATOR_ACTIVE:
        return 0
    return min(record.claimed_size, record.bond * bytes_per_wkc // WEI_PER_WKC)


@internal
def _reweigh(account: address):
    """
    @dev Schedules the validator's weight and claim slots of now from the next
         round on, keeping what the rounds opened so far see.
    @param account The validator.
    """
    opened: uint256 = self.round_count
    upcoming: uint256 = opened + 1
    target: uint256 = self._target_weight(account)
    scheduled: uint256 = self._weight_at(account, upcoming)
    self.snapshot[account] = Snapshot(
        current_weight=self._weight_at(account, opened),
        current_slots=self._slots_at(account, opened),
        next_weight=target,
        next_slots=self.validator[account].claim_slots,
        next_from=upcoming,
    )
    self.total_snapshot = Snapshot(
        current_weight=self._total_at(opened),
        current_slots=0,
        next_weight=self._total_at(upcoming) - scheduled + target,
        next_slots=0,
        next_from=upcoming,
    )


@internal
@view
def _weight_at(account: address, round_id: uint256) -> uint256:
    """
    @dev A validator's weight in round `round_id`'s snapshot.
    @param account The validator.
    @param round_id The round.
    @return uint256 The weight in bytes.
    """
    record: Snapshot = self.snapshot[account]
    if round_id >= record.next_from:
        return record.next_weight
    return record.current_weight


@internal
@view
def _slots_at(account: address, round_id: uint256) -> uint256:
    """
    @dev How many claim slots the round's storage challenge draws from.
    @param account The validator.
    @param round_id The round.
    @return uint256 The slots of the snapshot.
    """
    record: Snapshot = self.snapshot[account]
    if round_id >= record.next_from:
        return record.next_slots
    return record.current_slots


@internal
@view
def _total_at(round_id: uint256) -> uint256:
    """
    @dev The total weight in round `round_id`'s snapshot.
    @param round_id The round.
    @return uint256 The total in bytes.
    """
    record: Snapshot = self.total_snapshot
    if round_id >= record.next_from:
        return record.next_weight
    return record.current_weight
