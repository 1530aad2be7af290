# pragma version ~=0.4.3
"""
@title Validator set: keys, bonds, certified storage claims and lazy weight snapshots
@custom:contract-name validator_set
@license MIT
@notice Validators of docs/protocol.md §7.1 to §7.5, as the Committee contract keeps them
        (the bonds themselves sit in ProofOfLearning's ledger). A validator's
        weight in a round is, in bond mode, its bond cap
        `bond * bytes_per_wkc / 10**18`; in storage mode, its counted storage
        claims capped by that bond cap. A round is in storage mode when the
        storage that counts adds up to at least half of all bond caps
        (`STORAGE_MODE_BPS`), so that until enough certified storage is claimed
        weights come from bonds alone, and a single early claimer cannot flip
        the set into a mode it alone weighs in. Claims are on certified objects
        only. A claim counts from the next round on; a claim never proven by a
        storage answer stops counting after `unproven_claim_rounds` rounds.
        An exiting validator weighs 0 in every round opened after its request.
@dev Snapshots are lazy, O(1) per change: each validator keeps the record in
     force for the rounds opened so far (`current`) and the record from round
     `next_from` on (`next`). A change made while round r is the latest opened
     round schedules the new record from round r + 1, so a round's snapshot
     never moves after it opened. Unproven claims expire by round number, which
     the record carries (`unproven_until`), so no transaction is needed when
     they expire. The total weight is summed when a round opens, in the same
     pass over the validators as the expected committee size: that pass is
     bounded by `max_validators`, and a newcomer with a larger bond than the
     smallest evicts it when the set is full (docs/protocol.md §7.1).
"""

from . import parameters
from . import committee_parameters
from . import sortition

uses: committee_parameters


# @dev Validator states. An exited validator keeps its record: its address cannot
# register again (a fresh account is cheap, and a clean record keeps claims simple).
VALIDATOR_NONE: constant(uint8) = 0
VALIDATOR_ACTIVE: constant(uint8) = 1
VALIDATOR_EXITING: constant(uint8) = 2
VALIDATOR_EXITED: constant(uint8) = 3

# @dev Most validators registered at once (the compile-time bound of
# `max_validators`): bounds the pass that sums weights when a round opens.
MAX_VALIDATORS: constant(uint256) = parameters.MAX_VALIDATORS_BOUND
# @dev Most storage claims one validator makes over its life; dropped claims keep
# their slot so that a round's challenged claim cannot be steered.
MAX_CLAIMS: constant(uint256) = parameters.MAX_CLAIMS_BOUND
# @dev A round weighs by storage when the counted storage is at least this share
# of the total bond cap.
STORAGE_MODE_BPS: constant(uint256) = 5_000

WEI_PER_WKC: constant(uint256) = 10**18

# @dev Slash reasons carried by `Slashed`.
SLASH_STORAGE_ANSWER: constant(uint8) = 1
SLASH_EQUIVOCATION: constant(uint8) = 2


struct Validator:
    status: uint8
    bond: uint256
    registered_at: uint256
    exit_requested_at: uint256
    # Sum of the sizes of the live (not dropped) claims, counted or not.
    claimed_size: uint256
    # Claim slots used, dropped ones included; slot numbers are never reused.
    claim_slots: uint256
    # Sizes of the live claims proven by a storage answer, and of the live
    # unproven claims of the current group (see `Claim.unproven_until`).
    proven_size: uint256
    unproven_size: uint256
    # The last round in which the current group of unproven claims counts.
    unproven_until: uint256
    # The block from which the exit delay runs at the earliest: the end of the
    # vote window of the last attempt the validator committed in, so that the
    # evidence of an equivocation can still arrive while it is bonded.
    bonded_until: uint256


struct Claim:
    object_id: uint256
    size: uint256
    merkle_root: bytes32
    # 0 once proven; else the `unproven_until` of the group the claim joined. A
    # claim whose group is no longer the validator's current one is stale: it
    # counts again only once a storage answer proves it.
    unproven_until: uint256


# @dev What a round's snapshot sees of a validator.
struct Weights:
    cap: uint256
    proven: uint256
    unproven: uint256
    unproven_until: uint256
    slots: uint256


struct Snapshot:
    current: Weights
    next: Weights
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


# @dev Emitted when `validator` starts its exit (by request or eviction); the
# bond is withdrawable from block `bond_available_at` at the earliest.
event ExitRequested:
    validator: indexed(address)
    bond_available_at: uint256


# @dev Emitted when a full set admits `newcomer`, whose bond is larger, by
# evicting `evicted`, the validator with the smallest bond.
event ValidatorEvicted:
    evicted: indexed(address)
    newcomer: indexed(address)
    bond: uint256


# @dev Emitted when `validator` ends its exit and `amount` is credited back.
event BondWithdrawn:
    validator: indexed(address)
    amount: uint256


# @dev Emitted when `validator` claims object `object_id` in claim `slot`; until
# a storage answer proves it, the claim counts up to round `unproven_until`.
event StorageClaimed:
    validator: indexed(address)
    object_id: indexed(uint256)
    slot: uint256
    size: uint256
    unproven_until: uint256


# @dev Emitted when a passing storage answer in `round_id` proves a claim.
event ClaimProven:
    validator: indexed(address)
    object_id: indexed(uint256)
    round_id: indexed(uint256)
    slot: uint256


# @dev Emitted when a failed storage answer in `round_id` drops a claim.
event ClaimDropped:
    validator: indexed(address)
    object_id: indexed(uint256)
    round_id: indexed(uint256)
    slot: uint256


# @dev Emitted when `amount` of `validator`'s bond is slashed (`reason`: 1 a
# failed storage answer, 2 equivocation); `bond` is what remains.
event Slashed:
    validator: indexed(address)
    round_id: indexed(uint256)
    reason: uint8
    amount: uint256
    bond: uint256


# @dev Rounds opened so far: the clock of the lazy snapshots.
round_count: public(uint256)
# @dev Every validator by address.
validator: public(HashMap[address, Validator])
# @dev Each validator's BLS key (256-byte EIP-2537 G2 encoding).
vrf_pubkey: public(HashMap[address, Bytes[256]])
# @dev keccak256 of every key ever registered: a key is registered once.
key_used: public(HashMap[bytes32, bool])
# @dev Active validators (not exiting, not exited), at most `max_validators`.
validator_list: DynArray[address, MAX_VALIDATORS]
# @dev Position + 1 of each validator in `validator_list` (0: not listed).
list_position: HashMap[address, uint256]
# @dev Each validator's claims by slot; object id 0 once dropped.
claim: public(HashMap[address, HashMap[uint256, Claim]])
# @dev Slot + 1 of each live claim by validator and object id (0: not claimed).
claim_slot: public(HashMap[address, HashMap[uint256, uint256]])
# @dev Whether a validator claimed an object of this keccak256(cid) already:
# the same content registered for two tasks counts once per validator.
cid_claimed: public(HashMap[address, HashMap[bytes32, bool]])
# @dev Each validator's lazy weight snapshot.
snapshot: HashMap[address, Snapshot]


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


@internal
def _register(account: address, pubkey: Bytes[256], bond: uint256):
    """
    @dev Records a validator; the caller ran `_check_registrable`, checked the
         proof of possession and took the bond. When the set is full, the
         validator with the smallest bond is evicted (its exit starts), provided
         the newcomer's bond is larger (docs/protocol.md §7).
    @param account The validator.
    @param pubkey Its BLS key.
    @param bond Its bond, in wei.
    @custom:security Refundable bonds cannot lock the set: whoever bonds more
                     than the smallest bond always gets in.
    """
    if len(self.validator_list) >= committee_parameters.max_validators:
        smallest: address = self._smallest_bond()
        assert bond > self.validator[smallest].bond, "validators: set full and bond not above the smallest"
        self._start_exit(smallest)
        log ValidatorEvicted(evicted=smallest, newcomer=account, bond=bond)
    self.key_used[keccak256(pubkey)] = True
    self.vrf_pubkey[account] = pubkey
    self.validator[account] = Validator(
        status=VALIDATOR_ACTIVE,
        bond=bond,
        registered_at=block.number,
        exit_requested_at=0,
        claimed_size=0,
        claim_slots=0,
        proven_size=0,
        unproven_size=0,
        unproven_until=0,
        bonded_until=0,
    )
    self.validator_list.append(account)
    self.list_position[account] = len(self.validator_list)
    log ValidatorRegistered(validator=account, bond=bond, vrf_pubkey=pubkey)
    self._reweigh(account)


@internal
@view
def _smallest_bond() -> address:
    """
    @dev The active validator with the smallest bond, the earliest listed on a
         tie. Bounded by `max_validators`; runs only when the set is full.
    @return address The validator.
    """
    smallest: address = empty(address)
    smallest_bond: uint256 = max_value(uint256)
    for account: address in self.validator_list:
        bond: uint256 = self.validator[account].bond
        if bond < smallest_bond:
            smallest = account
            smallest_bond = bond
    return smallest


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
def _request_exit(account: address):
    """
    @dev Starts an active validator's exit: weight 0 from the next round on.
    @param account The validator.
    """
    assert self.validator[account].status == VALIDATOR_ACTIVE, "validators: not an active validator"
    self._start_exit(account)


@internal
def _start_exit(account: address):
    """
    @dev Moves an active validator to EXITING and out of the active list (its
         seat is free at once); weight 0 from the next round on.
    @param account The validator.
    """
    self.validator[account].status = VALIDATOR_EXITING
    self.validator[account].exit_requested_at = block.number
    self._unlist(account)
    log ExitRequested(validator=account, bond_available_at=self._bond_available_at(account))
    self._reweigh(account)


@internal
@view
def _bond_available_at(account: address) -> uint256:
    """
    @dev The first block of an exiting validator's withdrawal: `exit_delay`
         blocks after the later of its exit request and the end of the vote
         window of the last attempt it committed in.
    @param account The validator.
    @return uint256 The block.
    """
    record: Validator = self.validator[account]
    return max(record.exit_requested_at, record.bonded_until) + committee_parameters.exit_delay


@internal
def _unlist(account: address):
    """
    @dev Drops a validator from the active list (swap with the last and pop:
         the order carries no meaning).
    @param account The listed validator.
    """
    position: uint256 = self.list_position[account] - 1
    last: address = self.validator_list[len(self.validator_list) - 1]
    self.validator_list[position] = last
    self.list_position[last] = position + 1
    self.validator_list.pop()
    self.list_position[account] = 0


@internal
def _withdraw(account: address) -> uint256:
    """
    @dev Ends an exit once `_bond_available_at`; the record stays (EXITED).
    @param account The validator.
    @return uint256 The bond to credit back.
    @custom:security The exit delay runs from the end of the last vote window the
                     validator could sign in, so a bond cannot leave before the
                     evidence of an equivocation can arrive.
    """
    record: Validator = self.validator[account]
    assert record.status == VALIDATOR_EXITING, "validators: no exit requested"
    assert block.number >= self._bond_available_at(account), "validators: exit delay not over"
    self.validator[account].status = VALIDATOR_EXITED
    self.validator[account].bond = 0
    log BondWithdrawn(validator=account, amount=record.bond)
    return record.bond


@internal
def _note_sitting(account: address, vote_window_end: uint256):
    """
    @dev Records that the validator committed in an attempt whose vote window
         ends at `vote_window_end`: its bond stays until `exit_delay` blocks later.
    @param account The validator.
    @param vote_window_end The block the attempt's vote window ends.
    """
    self.validator[account].bonded_until = vote_window_end


@internal
def _slash(account: address, amount: uint256, round_id: uint256, reason: uint8) -> uint256:
    """
    @dev Takes up to `amount` from a validator's bond (ACTIVE or EXITING); the
         caller moves the money. The cap falls from the next round on.
    @param account The validator.
    @param amount The amount to take, in wei.
    @param round_id The round of the offence.
    @param reason SLASH_STORAGE_ANSWER or SLASH_EQUIVOCATION.
    @return uint256 The amount taken.
    """
    bond: uint256 = self.validator[account].bond
    taken: uint256 = min(amount, bond)
    self.validator[account].bond = bond - taken
    log Slashed(validator=account, round_id=round_id, reason=reason, amount=taken, bond=bond - taken)
    self._reweigh(account)
    return taken


@internal
def _expel(account: address):
    """
    @dev Ends a slashed-out validator: EXITED at once, out of the active list.
    @param account The validator (ACTIVE or EXITING).
    """
    if self.validator[account].status == VALIDATOR_ACTIVE:
        self._unlist(account)
    self.validator[account].status = VALIDATOR_EXITED
    self._reweigh(account)


@internal
def _claim(account: address, object_id: uint256, cid_hash: bytes32, size: uint256, merkle_root: bytes32):
    """
    @dev Records an active validator's claim on a certified object, in a new
         slot; it counts from the next round for `unproven_claim_rounds`
         rounds, or for good once a storage answer proves it. A claim joins the
         validator's live group of unproven claims (whose deadline it never
         extends) or starts a new group when the last one expired.
    @param account The validator.
    @param object_id The object.
    @param cid_hash keccak256 of its CID.
    @param size Its certified size.
    @param merkle_root Its certified root.
    """
    record: Validator = self.validator[account]
    assert record.status == VALIDATOR_ACTIVE, "validators: not an active validator"
    assert not self.cid_claimed[account][cid_hash], "validators: object already claimed"
    slot: uint256 = record.claim_slots
    assert slot < MAX_CLAIMS, "validators: claim slots used up"

    upcoming: uint256 = self.round_count + 1
    if record.unproven_size == 0 or record.unproven_until < upcoming:
        # A new group: the claims of an expired group stay stale.
        record.unproven_until = self.round_count + committee_parameters.unproven_claim_rounds
        record.unproven_size = 0
    record.unproven_size += size
    record.claimed_size += size
    record.claim_slots = slot + 1
    self.validator[account] = record
    self.claim[account][slot] = Claim(object_id=object_id, size=size, merkle_root=merkle_root, unproven_until=record.unproven_until)
    self.claim_slot[account][object_id] = slot + 1
    self.cid_claimed[account][cid_hash] = True
    log StorageClaimed(validator=account, object_id=object_id, slot=slot, size=size, unproven_until=record.unproven_until)
    self._reweigh(account)


@internal
def _prove_claim(account: address, slot: uint256, round_id: uint256):
    """
    @dev A passing storage answer proves the challenged claim: it counts for
         good (until a failed answer drops it), from the next round on.
    @param account The validator.
    @param slot The challenged slot.
    @param round_id The round of the answer.
    """
    claimed: Claim = self.claim[account][slot]
    if claimed.unproven_until == 0:
        return
    if claimed.unproven_until == self.validator[account].unproven_until:
        self.validator[account].unproven_size -= claimed.size
    self.validator[account].proven_size += claimed.size
    self.claim[account][slot].unproven_until = 0
    log ClaimProven(validator=account, object_id=claimed.object_id, round_id=round_id, slot=slot)
    self._reweigh(account)


@internal
def _drop_claim(account: address, slot: uint256, round_id: uint256):
    """
    @dev Drops a claim whose storage answer failed; its slot stays used.
    @param account The validator.
    @param slot The claim's slot.
    @param round_id The round of the failed answer.
    """
    dropped: Claim = self.claim[account][slot]
    self.claim[account][slot].object_id = 0
    self.claim_slot[account][dropped.object_id] = 0
    self.validator[account].claimed_size -= dropped.size
    if dropped.unproven_until == 0:
        self.validator[account].proven_size -= dropped.size
    elif dropped.unproven_until == self.validator[account].unproven_until:
        self.validator[account].unproven_size -= dropped.size
    log ClaimDropped(validator=account, object_id=dropped.object_id, round_id=round_id, slot=slot)
    self._reweigh(account)


@internal
@view
def _totals(round_id: uint256) -> (bool, uint256):
    """
    @dev The weighing mode and total weight of round `round_id` from the
         active validators' records: storage mode iff the storage that counts
         is at least `STORAGE_MODE_BPS` of the bond caps. One pass, bounded by
         `max_validators`.
    @param round_id The round.
    @return (bool, uint256) Whether it weighs by storage, and its total weight W.
    """
    cap_total: uint256 = 0
    storage_total: uint256 = 0
    for account: address in self.validator_list:
        weights: Weights = self._weights_at(account, round_id)
        cap_total += weights.cap
        storage_total += self._storage_weight(weights, round_id)
    if storage_total > 0 and storage_total * sortition.BPS >= cap_total * STORAGE_MODE_BPS:
        return True, storage_total
    return False, cap_total


@internal
def _open_snapshot(tau: uint256) -> (uint256, bool, uint256, uint256):
    """
    @dev Opens the next round on the snapshot clock: its mode and total weight
         (`_totals`), then a second pass for E. Bounded by `max_validators`.
         Validators that exit after this keep their weight in the round.
    @param tau The expected committee size.
    @return (uint256, bool, uint256, uint256) The round id, whether it weighs
            by storage, its total weight W and sum(min(tau * w, W)).
    """
    round_id: uint256 = self.round_count + 1
    self.round_count = round_id
    by_storage: bool = False
    total_weight: uint256 = 0
    by_storage, total_weight = self._totals(round_id)
    capped_sum: uint256 = 0
    for account: address in self.validator_list:
        capped_sum += sortition._capped_weight(self._weight_at(account, round_id, by_storage), total_weight, tau)
    return round_id, by_storage, total_weight, capped_sum


@internal
@view
def _challenged_slot(account: address, seed: bytes32, round_id: uint256) -> (uint256, bool):
    """
    @dev The claim a validator answers for in a round attempt, drawn in
         proportion to size: x = uint256(keccak256(abi_encode(seed, validator)))
         % (the live claimed bytes among the slots of the round's snapshot);
         the claim whose byte range holds x, going up the slots. Claims made
         after the round opened neither count nor steer it.
    @param account The validator.
    @param seed The attempt's seed.
    @param round_id The round.
    @return (uint256, bool) The slot, and False if no claim is live.
    """
    slots: uint256 = self._weights_at(account, round_id).slots
    live: uint256 = 0
    for slot: uint256 in range(slots, bound=MAX_CLAIMS):
        if self.claim[account][slot].object_id != 0:
            live += self.claim[account][slot].size
    if live == 0:
        return 0, False
    target: uint256 = convert(keccak256(abi_encode(seed, account)), uint256) % live
    for slot: uint256 in range(slots, bound=MAX_CLAIMS):
        if self.claim[account][slot].object_id != 0:
            size: uint256 = self.claim[account][slot].size
            if target < size:
                return slot, True
            target -= size
    return 0, False


@internal
@view
def _bond_cap(account: address) -> uint256:
    """
    @dev The weight the bond backs now: 0 unless active, else
         `bond * bytes_per_wkc / 10**18`.
    @param account The validator.
    @return uint256 The cap in bytes.
    """
    record: Validator = self.validator[account]
    if record.status != VALIDATOR_ACTIVE:
        return 0
    return record.bond * committee_parameters.bytes_per_wkc // WEI_PER_WKC


@internal
def _reweigh(account: address):
    """
    @dev Schedules the validator's record of now from the next round on,
         keeping what the rounds opened so far see.
    @param account The validator.
    """
    opened: uint256 = self.round_count
    record: Validator = self.validator[account]
    self.snapshot[account] = Snapshot(
        current=self._weights_at(account, opened),
        next=Weights(
            cap=self._bond_cap(account),
            proven=record.proven_size,
            unproven=record.unproven_size,
            unproven_until=record.unproven_until,
            slots=record.claim_slots,
        ),
        next_from=opened + 1,
    )


@internal
@view
def _weights_at(account: address, round_id: uint256) -> Weights:
    """
    @dev The validator's record in round `round_id`'s snapshot.
    @param account The validator.
    @param round_id The round.
    @return Weights Its bond cap, claim sizes and snapshot slots.
    """
    record: Snapshot = self.snapshot[account]
    if round_id >= record.next_from:
        return record.next
    return record.current


@internal
@pure
def _storage_weight(weights: Weights, round_id: uint256) -> uint256:
    """
    @dev The storage that counts in `round_id`, capped by the bond: the proven
         claims, and the current unproven group until it expires.
    @param weights The validator's snapshot record.
    @param round_id The round.
    @return uint256 The weight in bytes.
    """
    counted: uint256 = weights.proven
    if round_id <= weights.unproven_until:
        counted += weights.unproven
    return min(counted, weights.cap)


@internal
@view
def _weight_at(account: address, round_id: uint256, by_storage: bool) -> uint256:
    """
    @dev A validator's weight in round `round_id`'s snapshot.
    @param account The validator.
    @param round_id The round.
    @param by_storage Whether the round weighs by storage or by bonds.
    @return uint256 The weight in bytes.
    """
    weights: Weights = self._weights_at(account, round_id)
    if by_storage:
        return self._storage_weight(weights, round_id)
    return weights.cap
