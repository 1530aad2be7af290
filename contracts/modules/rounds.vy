# pragma version ~=0.4.3
"""
@title Rounds: opening, committee membership, proposals, votes and restarts
@custom:contract-name rounds
@license MIT
@notice One round at a time (docs/protocol.md §9), as the Committee contract
        runs it; ProofOfLearning picks the task by the paper's rule and settles
        it. `_open` draws the seed from the round chain and fixes the weight
        snapshot (W, E and the quorum). A validator sits on the committee of an
        attempt iff its VRF proof over the attempt's seed verifies, its output falls
        under `min(1, tau * w / W)` and it answers the storage challenge; the task's
        supplier and trainers never sit. Members propose in the propose window and
        vote in the vote window; without a finalized result by the vote deadline the
        round restarts with a new seed, and after `max_attempts` attempts its task is
        cancelled. The seed, committee hash and round hash encodings are
        docs/protocol.md §13.
"""

from snekmate.utils import ecdsa
from snekmate.utils import message_hash_utils

from ..interfaces import IBLSVerifier
from . import parameters
from . import validator_set
from . import sortition
from . import chunk_merkle
from . import cid
from . import ranking

uses: parameters
uses: validator_set


interface ProofOfLearning:
    def is_trainer(task_id: uint256, account: address) -> bool: view


# @dev EIP-712 type hash of a vote (docs/protocol.md §9.4).
VOTE_TYPEHASH: constant(bytes32) = keccak256("Vote(uint256 round_id,uint256 attempt,bytes32 result_hash)")

# @dev Round states.
ROUND_ACTIVE: constant(uint8) = 1
ROUND_FINALIZED: constant(uint8) = 2
ROUND_CANCELLED: constant(uint8) = 3


struct Round:
    task_id: uint256
    supplier: address
    attempt: uint256
    seed: bytes32
    opened_at: uint256
    total_weight: uint256
    expected_size_bps: uint256
    quorum: uint256
    state: uint8
    committee_hash: bytes32
    proposals: uint256


struct Membership:
    vrf_output: bytes32
    slot: uint256
    has_claim: bool
    storage_ok: bool


# @dev Emitted when a round opens: its task, first seed and weight snapshot.
event RoundOpened:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed: bytes32
    total_weight: uint256
    expected_size_bps: uint256
    quorum: uint256


# @dev Emitted when a round restarts with a new attempt and seed.
event RoundRestarted:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed: bytes32


# @dev Emitted when a round ends without a result after `max_attempts`; the
# round chain still grows (`round_hash`).
event RoundCancelled:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed: bytes32
    round_hash: bytes32


# @dev Emitted when a member proposes a ranking in an attempt; `committee_hash`
# is the attempt's running committee hash after it.
event Proposed:
    round_id: indexed(uint256)
    member: indexed(address)
    attempt: uint256
    vrf_output: bytes32
    ranking_hash: bytes32
    ranking_cid: String[128]
    committee_hash: bytes32


# @dev Emitted when a round's result is accepted and the round chain extended.
event RoundSettled:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    result_hash: bytes32
    round_hash: bytes32


# @dev Emitted when a member votes on chain for a result.
event Voted:
    round_id: indexed(uint256)
    member: indexed(address)
    result_hash: bytes32
    attempt: uint256


# @dev The ProofOfLearning contract: the Committee's deployer and only writer.
pol: public(immutable(address))
# @dev The BLS verifier helper contract (PoP and VRF checks).
verifier: public(immutable(IBLSVerifier))

# @dev Every round by id (ids from 1 to `round_count`).
round: public(HashMap[uint256, Round])
# @dev The round chain: round_hash[i] over round_hash[i - 1] (docs/protocol.md §13.3).
round_hash: public(HashMap[uint256, bytes32])
# @dev The round in progress, 0 when none.
active_round: public(uint256)
# @dev Each member's ranking hash by round, attempt and member (zero: no proposal).
proposal: public(HashMap[uint256, HashMap[uint256, HashMap[address, bytes32]]])
# @dev The round and attempt of each validator's last proposal (the exit rule).
proposed_in: public(HashMap[address, uint256[2]])
# @dev Each member's vote by round, attempt and member (zero: no vote).
vote_of: public(HashMap[uint256, HashMap[uint256, HashMap[address, bytes32]]])
# @dev On-chain votes by round, attempt and result hash.
votes_for: public(HashMap[uint256, HashMap[uint256, HashMap[bytes32, uint256]]])


@deploy
def __init__(pol_: address, verifier_: IBLSVerifier):
    """
    @dev Fixes the only writer and the BLS verifier.
    @param pol_ The ProofOfLearning contract.
    @param verifier_ The BLS verifier.
    """
    pol = pol_
    verifier = verifier_


@internal
def _open(task_id: uint256, supplier: address) -> uint256:
    """
    @dev Opens the next round on `task_id`: fixes the weight snapshot (W, E and
         the quorum) and draws the first attempt's seed (docs/protocol.md §9).
    @param task_id The task ProofOfLearning picked.
    @param supplier The task's supplier, who may not sit.
    @return uint256 The round id.
    """
    assert self.active_round == 0, "rounds: a round is active"
    round_id: uint256 = 0
    total_weight: uint256 = 0
    capped_sum: uint256 = 0
    round_id, total_weight, capped_sum = validator_set._open_snapshot(parameters.committee_size)
    expected_size_bps: uint256 = sortition._expected_size_bps(capped_sum, total_weight)
    quorum: uint256 = sortition._quorum(expected_size_bps, parameters.quorum_bps)
    seed: bytes32 = self._seed(round_id, 1)

    self.round[round_id] = Round(
        task_id=task_id,
        supplier=supplier,
        attempt=1,
        seed=seed,
        opened_at=block.number,
        total_weight=total_weight,
        expected_size_bps=expected_size_bps,
        quorum=quorum,
        state=ROUND_ACTIVE,
        committee_hash=empty(bytes32),
        proposals=0,
    )
    self.active_round = round_id
    log RoundOpened(
        round_id=round_id,
        task_id=task_id,
        attempt=1,
        seed=seed,
        total_weight=total_weight,
        expected_size_bps=expected_size_bps,
        quorum=quorum,
    )
    return round_id


@internal
@view
def _seed(round_id: uint256, attempt: uint256) -> bytes32:
    """
    @dev seed = keccak256(abi_encode(seed of round i-1 (its last attempt),
         round_hash[i-1], blockhash(block.number - 1), attempt)); round 0's seed
         and hash are zero.
    @param round_id The round.
    @param attempt The attempt.
    @return bytes32 The attempt's seed.
    """
    previous: uint256 = round_id - 1
    return keccak256(abi_encode(self.round[previous].seed, self.round_hash[previous], blockhash(block.number - 1), attempt))


@internal
@view
def _membership(
    round_id: uint256,
    account: address,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
) -> Membership:
    """
    @dev Reverts with the reason `account` cannot sit on the current attempt's
         committee (round not active, not a validator, conflict of interest,
         invalid VRF proof, not selected). Otherwise says whether its storage
         answer holds, and which claim the challenge was on.
    @param round_id The active round.
    @param account The validator.
    @param vrf_proof Its VRF proof.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path.
    @return Membership The VRF output, the challenged slot, and whether a claim
            was challenged and the answer holds.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"
    round_: Round = self.round[round_id]
    status: uint8 = validator_set.validator[account].status
    assert status == validator_set.VALIDATOR_ACTIVE or status == validator_set.VALIDATOR_EXITING, "rounds: not a validator"
    assert account != round_.supplier, "rounds: the task's supplier may not sit"
    assert not staticcall ProofOfLearning(pol).is_trainer(round_.task_id, account), "rounds: a trainer of the task may not sit"

    vrf_output: bytes32 = staticcall verifier.vrf_verify(
        validator_set.vrf_pubkey[account], chain.id, pol, round_id, round_.attempt, round_.seed, vrf_proof
    )
    weight: uint256 = validator_set._weight_at(account, round_id)
    assert sortition._is_selected(vrf_output, weight, round_.total_weight, parameters.committee_size), "rounds: not selected"

    slot: uint256 = 0
    has_claim: bool = False
    slot, has_claim = validator_set._challenged_slot(account, round_.seed, round_id)
    if not has_claim:
        return Membership(vrf_output=vrf_output, slot=0, has_claim=False, storage_ok=False)
    claimed: validator_set.Claim = validator_set.claim[account][slot]
    index: uint256 = chunk_merkle._challenge_index(round_.seed, account, claimed.object_id, chunk_merkle._num_chunks(claimed.size))
    storage_ok: bool = chunk_merkle._verify_chunk(claimed.merkle_root, claimed.size, index, chunk, path)
    return Membership(vrf_output=vrf_output, slot=slot, has_claim=True, storage_ok=storage_ok)


@internal
@view
def _challenge(round_id: uint256, account: address) -> (uint256, uint256):
    """
    @dev The object and chunk `account` must show in the current attempt of
         `round_id`; (0, 0) if it has no live claim in the round's snapshot.
    @param round_id The active round.
    @param account The validator.
    @return (uint256, uint256) The object id and chunk index.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"
    seed: bytes32 = self.round[round_id].seed
    slot: uint256 = 0
    has_claim: bool = False
    slot, has_claim = validator_set._challenged_slot(account, seed, round_id)
    if not has_claim:
        return 0, 0
    claimed: validator_set.Claim = validator_set.claim[account][slot]
    return claimed.object_id, chunk_merkle._challenge_index(seed, account, claimed.object_id, chunk_merkle._num_chunks(claimed.size))


@internal
def _propose(
    round_id: uint256,
    account: address,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
    ranking_hash: bytes32,
    ranking_cid: String[128],
) -> bool:
    """
    @dev Records a member's proposal in the propose window, after its membership
         checks; a failed storage answer drops the challenged claim and returns
         False instead of reverting, so that the drop stands.
    @param round_id The active round.
    @param account The proposing validator.
    @param vrf_proof Its VRF proof.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path.
    @param ranking_hash keccak256 of its ranking document.
    @param ranking_cid The document's CID.
    @return bool True iff the proposal was recorded.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"
    round_: Round = self.round[round_id]
    assert block.number < round_.opened_at + parameters.propose_window, "rounds: propose window closed"
    assert self.proposal[round_id][round_.attempt][account] == empty(bytes32), "rounds: already proposed"
    assert ranking_hash != empty(bytes32), "rounds: empty ranking hash"
    cid._check(ranking_cid)

    member: Membership = self._membership(round_id, account, vrf_proof, chunk, path)
    if not member.storage_ok:
        # The failed claim is dropped and the call returns rather than reverts, so
        # that the drop persists.
        if member.has_claim:
            validator_set._drop_claim(account, member.slot, round_id)
        return False

    committee_hash: bytes32 = keccak256(abi_encode(round_.committee_hash, account, member.vrf_output, ranking_hash))
    self.proposal[round_id][round_.attempt][account] = ranking_hash
    self.round[round_id].committee_hash = committee_hash
    self.round[round_id].proposals = round_.proposals + 1
    self.proposed_in[account] = [round_id, round_.attempt]
    log Proposed(
        round_id=round_id,
        member=account,
        attempt=round_.attempt,
        vrf_output=member.vrf_output,
        ranking_hash=ranking_hash,
        ranking_cid=ranking_cid,
        committee_hash=committee_hash,
    )
    return True


@internal
def _vote(round_id: uint256, account: address, result_hash: bytes32):
    """
    @dev Records a member's on-chain vote in the vote window; once per attempt.
    @param round_id The active round.
    @param account The voting member.
    @param result_hash The result it votes for.
    """
    round_: Round = self._in_vote_window(round_id)
    assert self.proposal[round_id][round_.attempt][account] != empty(bytes32), "rounds: not a member of this attempt"
    assert self.vote_of[round_id][round_.attempt][account] == empty(bytes32), "rounds: already voted"
    assert result_hash != empty(bytes32), "rounds: empty result hash"
    self.vote_of[round_id][round_.attempt][account] = result_hash
    self.votes_for[round_id][round_.attempt][result_hash] += 1
    log Voted(round_id=round_id, member=account, result_hash=result_hash, attempt=round_.attempt)


@internal
@view
def _in_vote_window(round_id: uint256) -> Round:
    """
    @dev Reverts unless `round_id` is active and in its vote window.
    @param round_id The round.
    @return Round Its record.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"
    round_: Round = self.round[round_id]
    vote_opens: uint256 = round_.opened_at + parameters.propose_window
    assert block.number >= vote_opens, "rounds: vote window not open yet"
    assert block.number < vote_opens + parameters.vote_window, "rounds: vote window closed"
    return round_


@internal
def _restart(round_id: uint256) -> uint256:
    """
    @dev Restarts the round, or cancels it after `max_attempts` attempts.
    @param round_id The active round, past its vote window.
    @return uint256 The task to cancel, 0 on a restart.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"
    round_: Round = self.round[round_id]
    assert block.number >= round_.opened_at + parameters.propose_window + parameters.vote_window, "rounds: vote window still open"

    if round_.attempt < parameters.max_attempts:
        attempt: uint256 = round_.attempt + 1
        seed: bytes32 = self._seed(round_id, attempt)
        self.round[round_id].attempt = attempt
        self.round[round_id].seed = seed
        self.round[round_id].opened_at = block.number
        self.round[round_id].committee_hash = empty(bytes32)
        self.round[round_id].proposals = 0
        log RoundRestarted(round_id=round_id, task_id=round_.task_id, attempt=attempt, seed=seed)
        return 0

    # No quorum in `max_attempts` attempts: the round ends without a result and
    # still extends the round chain, with zero committee and result hashes.
    hash_: bytes32 = self._chain(round_id, round_.task_id, round_.seed, empty(bytes32), empty(bytes32))
    self.round[round_id].state = ROUND_CANCELLED
    self.round[round_id].committee_hash = empty(bytes32)
    self.active_round = 0
    log RoundCancelled(round_id=round_id, task_id=round_.task_id, attempt=round_.attempt, seed=round_.seed, round_hash=hash_)
    return round_.task_id


@internal
def _chain(round_id: uint256, task_id: uint256, seed: bytes32, committee_hash: bytes32, result_hash: bytes32) -> bytes32:
    """
    @dev Records round_hash[i] = keccak256(abi_encode(round_hash[i-1], i, task_id,
         seed, committee_hash, result_hash)).
    @param round_id The round i.
    @param task_id Its task.
    @param seed Its last attempt's seed.
    @param committee_hash Its committee hash (zero when cancelled).
    @param result_hash Its result hash (zero when cancelled).
    @return bytes32 round_hash[i].
    """
    hash_: bytes32 = keccak256(abi_encode(self.round_hash[round_id - 1], round_id, task_id, seed, committee_hash, result_hash))
    self.round_hash[round_id] = hash_
    return hash_


@internal
@view
def _assert_not_sitting(account: address):
    """
    @dev A validator that proposed in the active round's current attempt keeps
         its bond until that attempt is finalized or restarted.
    @param account The validator.
    """
    round_id: uint256 = self.active_round
    if round_id == 0:
        return
    proposed: uint256[2] = self.proposed_in[account]
    assert not (proposed[0] == round_id and proposed[1] == self.round[round_id].attempt), "rounds: member of the active round"


@internal
def _finalize(
    round_id: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    genuine_members: DynArray[address, validator_set.MAX_VALIDATORS],
    signatures: DynArray[Bytes[65], validator_set.MAX_VALIDATORS],
    domain_separator: bytes32,
) -> (uint256, uint256, bytes32, bytes32, bytes32, bytes32, DynArray[address, validator_set.MAX_VALIDATORS]):
    """
    @dev Checks a result against the votes of the current attempt and records
         it: the result hash recomputed from the payload (docs/protocol.md §9.5), at least `quorum`
         distinct members of the attempt (on-chain votes plus EIP-712 signatures,
         signers ascending so that none counts twice, none that voted on chain),
         genuine members that are members, ascending. ProofOfLearning checks the
         ranking against the models and settles.
    @param round_id The active round.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    @param genuine_members The genuine members, ascending.
    @param signatures Vote signatures, by ascending signer.
    @param domain_separator ProofOfLearning's EIP-712 domain separator.
    @return The task, attempt, seed, committee hash, result hash, round hash and
            the valid validators (genuine members that voted or signed this
            result, ascending).
    """
    round_: Round = self._in_vote_window(round_id)
    attempt: uint256 = round_.attempt
    result_hash: bytes32 = keccak256(abi_encode(round_id, attempt, round_.task_id, task_valid, entries, genuine_members))

    digest: bytes32 = message_hash_utils._to_typed_data_hash(
        domain_separator, keccak256(abi_encode(VOTE_TYPEHASH, round_id, attempt, result_hash))
    )
    signers: DynArray[address, validator_set.MAX_VALIDATORS] = []
    previous: uint256 = 0
    for signature: Bytes[65] in signatures:
        assert len(signature) == 65, "rounds: a signature is 65 bytes"
        signer: address = ecdsa._recover_sig(digest, signature)
        assert convert(signer, uint256) > previous, "rounds: signers must ascend, each once"
        assert self.proposal[round_id][attempt][signer] != empty(bytes32), "rounds: signer is not a member of this attempt"
        assert self.vote_of[round_id][attempt][signer] == empty(bytes32), "rounds: signer already voted on chain"
        signers.append(signer)
        previous = convert(signer, uint256)
    assert self.votes_for[round_id][attempt][result_hash] + len(signers) >= round_.quorum, "rounds: below quorum"

    valid: DynArray[address, validator_set.MAX_VALIDATORS] = []
    previous = 0
    next_signer: uint256 = 0
    for member: address in genuine_members:
        assert convert(member, uint256) > previous, "rounds: genuine members must ascend, each once"
        assert self.proposal[round_id][attempt][member] != empty(bytes32), "rounds: genuine member is not a member of this attempt"
        previous = convert(member, uint256)
        # Both lists ascend: walk the signers alongside the members.
        for _: uint256 in range(validator_set.MAX_VALIDATORS):
            if next_signer == len(signers) or convert(signers[next_signer], uint256) >= previous:
                break
            next_signer += 1
        signed: bool = next_signer < len(signers) and signers[next_signer] == member
        if signed or self.vote_of[round_id][attempt][member] == result_hash:
            valid.append(member)

    hash_: bytes32 = self._chain(round_id, round_.task_id, round_.seed, round_.committee_hash, result_hash)
    self.round[round_id].state = ROUND_FINALIZED
    self.active_round = 0
    log RoundSettled(round_id=round_id, task_id=round_.task_id, attempt=attempt, result_hash=result_hash, round_hash=hash_)
    return round_.task_id, attempt, round_.seed, round_.committee_hash, result_hash, hash_, valid
