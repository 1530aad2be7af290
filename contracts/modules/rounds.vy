# pragma version ~=0.4.3
"""
@title Rounds: opening, seeds, committee membership, proposals, votes, restarts, slashing
@custom:contract-name rounds
@license MIT
@notice One round at a time (docs/protocol.md §9), as the Committee contract
        runs it; ProofOfLearning picks the task by the paper's rule and settles
        it. `_open` fixes the weight snapshot (W, E, the quorum and the weighing
        mode). The seed of an attempt is drawn from the hash of the block after
        the one that opened (or restarted) it, so nobody knows it when choosing
        to open; the attempt becomes proposable only once that block exists
        (docs/protocol.md §13.1). A validator sits on the committee of an attempt iff its VRF
        proof over the seed verifies, its output falls under
        `min(1, tau * w / W)` and its one storage answer of the attempt passes;
        the task's supplier and trainers never sit. Members commit to their
        proposal in the propose window and reveal it in the proposal reveal
        window, so that nobody can copy another's ranking (docs/protocol.md §9.2); revealed
        members vote in the vote window. Without a finalized result by the vote
        deadline the round restarts with a new seed, and after `max_attempts`
        attempts its task is cancelled. Two vote signatures by one member on
        different results of the same attempt prove an equivocation
        (docs/protocol.md §9.8). The seed, committee hash and round hash
        encodings are docs/protocol.md §13.
"""

from ..interfaces import IBLSVerifier
from . import parameters
from . import committee_parameters
from . import validator_set
from . import sortition
from . import chunk_merkle
from . import cid
from . import ranking

uses: committee_parameters
uses: validator_set


interface ProofOfLearning:
    def is_trainer(task_id: uint256, account: address) -> bool: view

# @dev The seed of an attempt is the hash of the block SEED_DELAY after the one
# that opened it; the EVM keeps the last 256 block hashes.
SEED_DELAY: constant(uint256) = 1
BLOCKHASH_DEPTH: constant(uint256) = 256

# @dev Round states.
ROUND_ACTIVE: constant(uint8) = 1
ROUND_FINALIZED: constant(uint8) = 2
ROUND_CANCELLED: constant(uint8) = 3

# @dev Storage answers of an attempt (`answer_of`).
ANSWER_NONE: constant(uint8) = 0
ANSWER_PASSED: constant(uint8) = 1
ANSWER_FAILED: constant(uint8) = 2
# A validator with no claim to answer for, in a round that weighs by bonds.
ANSWER_NOT_NEEDED: constant(uint8) = 3


struct Round:
    task_id: uint256
    supplier: address
    attempt: uint256
    # Zero until drawn (by the attempt's first proposal); `seed(round_id)` tells it.
    seed: bytes32
    opened_at: uint256
    total_weight: uint256
    expected_size_bps: uint256
    quorum: uint256
    state: uint8
    committee_hash: bytes32
    proposals: uint256
    by_storage: bool


struct Membership:
    vrf_output: bytes32
    slot: uint256
    has_claim: bool
    storage_ok: bool


# @dev Emitted when a round opens: its task and weight snapshot. The first
# attempt's seed is drawn from block `seed_block`.
event RoundOpened:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed_block: uint256
    total_weight: uint256
    expected_size_bps: uint256
    quorum: uint256
    by_storage: bool


# @dev Emitted when a round restarts; the new attempt's seed is drawn from
# block `seed_block`.
event RoundRestarted:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed_block: uint256


# @dev Emitted when an attempt's seed is drawn and stored (by its first proposal).
event SeedDrawn:
    round_id: indexed(uint256)
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


# @dev Emitted when a member commits to a proposal in an attempt, its storage
# answer passed; `committee_hash` is the attempt's running committee hash after it.
event Proposed:
    round_id: indexed(uint256)
    member: indexed(address)
    attempt: uint256
    vrf_output: bytes32
    commitment: bytes32
    committee_hash: bytes32


# @dev Emitted when a member reveals the proposal it committed to.
event ProposalRevealed:
    round_id: indexed(uint256)
    member: indexed(address)
    attempt: uint256
    ranking_hash: bytes32
    ranking_cid: String[128]


# @dev Emitted when a storage answer fails: the validator leaves the attempt.
event StorageAnswerFailed:
    round_id: indexed(uint256)
    validator: indexed(address)
    attempt: uint256
    object_id: uint256


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
# @dev Each member's proposal commitment by round, attempt and member (zero: none).
proposal: public(HashMap[uint256, HashMap[uint256, HashMap[address, bytes32]]])
# @dev Each member's revealed ranking hash by round, attempt and member (zero: none).
ranking_of: public(HashMap[uint256, HashMap[uint256, HashMap[address, bytes32]]])
# @dev Each validator's storage answer by round and attempt (ANSWER_*): one each.
answer_of: public(HashMap[uint256, HashMap[uint256, HashMap[address, uint8]]])
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
    @dev Opens the next round on `task_id`: fixes the weight snapshot (mode, W,
         E and the quorum); the first attempt's seed comes from the next block.
    @param task_id The task ProofOfLearning picked.
    @param supplier The task's supplier, who may not sit.
    @return uint256 The round id.
    """
    assert self.active_round == 0, "rounds: a round is active"
    round_id: uint256 = 0
    by_storage: bool = False
    total_weight: uint256 = 0
    capped_sum: uint256 = 0
    round_id, by_storage, total_weight, capped_sum = validator_set._open_snapshot(committee_parameters.committee_size)
    expected_size_bps: uint256 = sortition._expected_size_bps(capped_sum, total_weight)
    quorum: uint256 = sortition._quorum(expected_size_bps, committee_parameters.quorum_bps)

    self.round[round_id] = Round(
        task_id=task_id,
        supplier=supplier,
        attempt=1,
        seed=empty(bytes32),
        opened_at=block.number,
        total_weight=total_weight,
        expected_size_bps=expected_size_bps,
        quorum=quorum,
        state=ROUND_ACTIVE,
        committee_hash=empty(bytes32),
        proposals=0,
        by_storage=by_storage,
    )
    self.active_round = round_id
    log RoundOpened(
        round_id=round_id,
        task_id=task_id,
        attempt=1,
        seed_block=block.number + SEED_DELAY,
        total_weight=total_weight,
        expected_size_bps=expected_size_bps,
        quorum=quorum,
        by_storage=by_storage,
    )
    return round_id


@internal
@view
def _assert_active(round_id: uint256):
    """
    @dev Reverts unless `round_id` is the round in progress.
    @param round_id The round.
    """
    assert round_id != 0 and round_id == self.active_round, "rounds: round not active"


@internal
@view
def _seed(round_id: uint256) -> bytes32:
    """
    @dev The current attempt's seed: stored once drawn, else
         keccak256(abi_encode(seed of round i-1 (its last attempt),
         round_hash[i-1], blockhash(opened_at + SEED_DELAY), attempt)).
         Nobody knows that block hash when the attempt is opened, so choosing
         when to open or restart gives no say over the committee.
    @param round_id The round.
    @return bytes32 The seed.
    """
    round_: Round = self.round[round_id]
    if round_.seed != empty(bytes32):
        return round_.seed
    seed_block: uint256 = round_.opened_at + SEED_DELAY
    assert block.number > seed_block, "rounds: seed not drawn yet"
    assert block.number <= seed_block + BLOCKHASH_DEPTH, "rounds: seed block too old, restart the round"
    previous: uint256 = round_id - 1
    return keccak256(abi_encode(self.round[previous].seed, self.round_hash[previous], blockhash(seed_block), round_.attempt))


@internal
@view
def _final_seed(round_id: uint256) -> bytes32:
    """
    @dev The seed a round ends under: the current attempt's, or zero when it
         was never drawn and its block hash is gone (an attempt nobody proposed
         in, restarted more than 256 blocks on).
    @param round_id The round.
    @return bytes32 The seed, or zero.
    """
    round_: Round = self.round[round_id]
    if round_.seed != empty(bytes32) or block.number > round_.opened_at + SEED_DELAY + BLOCKHASH_DEPTH:
        return round_.seed
    return self._seed(round_id)


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
         committee (round not active, seed not drawn, not a validator, conflict
         of interest, invalid VRF proof, not selected, no claim to answer for in
         a round that weighs by storage). Otherwise says whether its storage
         answer holds, and which claim the challenge was on.
    @param round_id The active round.
    @param account The validator.
    @param vrf_proof Its VRF proof.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path.
    @return Membership The VRF output, the challenged slot, and whether a claim
            was challenged and the answer holds.
    """
    self._assert_active(round_id)
    round_: Round = self.round[round_id]
    seed: bytes32 = self._seed(round_id)
    status: uint8 = validator_set.validator[account].status
    assert status == validator_set.VALIDATOR_ACTIVE or status == validator_set.VALIDATOR_EXITING, "rounds: not a validator"
    assert account != round_.supplier, "rounds: the task's supplier may not sit"
    assert not staticcall ProofOfLearning(pol).is_trainer(round_.task_id, account), "rounds: a trainer of the task may not sit"

    vrf_output: bytes32 = staticcall verifier.vrf_verify(
        validator_set.vrf_pubkey[account], chain.id, pol, round_id, round_.attempt, seed, vrf_proof
    )
    weight: uint256 = validator_set._weight_at(account, round_id, round_.by_storage)
    assert sortition._is_selected(vrf_output, weight, round_.total_weight, committee_parameters.committee_size), "rounds: not selected"

    slot: uint256 = 0
    object_id: uint256 = 0
    index: uint256 = 0
    slot, object_id, index = self._challenge(round_id, account, seed)
    if object_id == 0:
        assert not round_.by_storage, "rounds: no live claim to answer for"
        return Membership(vrf_output=vrf_output, slot=0, has_claim=False, storage_ok=True)
    claimed: validator_set.Claim = validator_set.claim[account][slot]
    storage_ok: bool = staticcall verifier.verify_chunk(claimed.merkle_root, claimed.size, index, chunk, path)
    return Membership(vrf_output=vrf_output, slot=slot, has_claim=True, storage_ok=storage_ok)


@internal
@view
def _challenge(round_id: uint256, account: address, seed: bytes32) -> (uint256, uint256, uint256):
    """
    @dev The claim `account` answers for in the current attempt of `round_id`
         and the chunk it must show.
    @param round_id The active round.
    @param account The validator.
    @param seed The attempt's seed.
    @return (uint256, uint256, uint256) The slot, the object id (0 when the
            validator has no live claim in the round's snapshot) and the chunk.
    """
    slot: uint256 = 0
    has_claim: bool = False
    slot, has_claim = validator_set._challenged_slot(account, seed, round_id)
    if not has_claim:
        return 0, 0, 0
    claimed: validator_set.Claim = validator_set.claim[account][slot]
    return slot, claimed.object_id, chunk_merkle._challenge_index(seed, account, claimed.object_id, chunk_merkle._num_chunks(claimed.size))


@internal
def _propose(
    round_id: uint256,
    account: address,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
    commitment: bytes32,
) -> (bool, uint256):
    """
    @dev Records a member's storage answer and proposal commitment in the
         propose window. The answer is one per validator per attempt and is
         recorded pass or fail: a failed answer drops the challenged claim,
         slashes `storage_slash_bps` of the bond and leaves the validator out
         of the attempt; the call then returns instead of reverting, so that
         the record and the slash stand (docs/protocol.md §7.3).
    @param round_id The active round.
    @param account The proposing validator.
    @param vrf_proof Its VRF proof.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path.
    @param commitment keccak256(abi_encode(ranking_hash, ranking_cid, account, salt)).
    @return (bool, uint256) Whether the proposal was recorded, and the bond
            slashed for a failed answer (the caller burns it).
    @custom:security One answer per attempt: no retry on the next claim, no
                     second answer after a failure.
    """
    self._assert_active(round_id)
    round_: Round = self.round[round_id]
    attempt: uint256 = round_.attempt
    assert block.number < round_.opened_at + committee_parameters.propose_window, "rounds: propose window closed"
    assert self.proposal[round_id][attempt][account] == empty(bytes32), "rounds: already proposed"
    assert self.answer_of[round_id][attempt][account] == ANSWER_NONE, "rounds: storage already answered in this attempt"
    assert commitment != empty(bytes32), "rounds: empty commitment"

    member: Membership = self._membership(round_id, account, vrf_proof, chunk, path)
    if round_.seed == empty(bytes32):
        seed: bytes32 = self._seed(round_id)
        self.round[round_id].seed = seed
        log SeedDrawn(round_id=round_id, attempt=attempt, seed=seed)
    if not member.storage_ok:
        self.answer_of[round_id][attempt][account] = ANSWER_FAILED
        log StorageAnswerFailed(
            round_id=round_id, validator=account, attempt=attempt, object_id=validator_set.claim[account][member.slot].object_id
        )
        validator_set._drop_claim(account, member.slot, round_id)
        penalty: uint256 = validator_set.validator[account].bond * committee_parameters.storage_slash_bps // parameters.BPS
        return False, validator_set._slash(account, penalty, round_id, validator_set.SLASH_STORAGE_ANSWER)

    if member.has_claim:
        self.answer_of[round_id][attempt][account] = ANSWER_PASSED
        validator_set._prove_claim(account, member.slot, round_id)
    else:
        self.answer_of[round_id][attempt][account] = ANSWER_NOT_NEEDED
    committee_hash: bytes32 = keccak256(abi_encode(round_.committee_hash, account, member.vrf_output, commitment))
    self.proposal[round_id][attempt][account] = commitment
    self.round[round_id].committee_hash = committee_hash
    self.round[round_id].proposals = round_.proposals + 1
    validator_set._note_sitting(account, self._vote_opens(round_) + committee_parameters.vote_window)
    log Proposed(
        round_id=round_id,
        member=account,
        attempt=attempt,
        vrf_output=member.vrf_output,
        commitment=commitment,
        committee_hash=committee_hash,
    )
    return True, 0


@internal
def _reveal(round_id: uint256, account: address, ranking_hash: bytes32, ranking_cid: String[128], salt: bytes32):
    """
    @dev Opens a member's commitment in the proposal reveal window, which
         follows the propose window: only then are proposals public, and a
         copied commitment cannot be opened by the copier, whose address the
         commitment does not hold (docs/protocol.md §9.2).
    @param round_id The active round.
    @param account The member.
    @param ranking_hash keccak256 of its ranking document.
    @param ranking_cid The document's CID.
    @param salt The commitment's salt.
    """
    self._assert_active(round_id)
    round_: Round = self.round[round_id]
    attempt: uint256 = round_.attempt
    reveal_opens: uint256 = round_.opened_at + committee_parameters.propose_window
    assert block.number >= reveal_opens, "rounds: reveal window not open yet"
    assert block.number < reveal_opens + committee_parameters.proposal_reveal_window, "rounds: reveal window closed"
    commitment: bytes32 = self.proposal[round_id][attempt][account]
    assert commitment != empty(bytes32), "rounds: not a member of this attempt"
    assert self.ranking_of[round_id][attempt][account] == empty(bytes32), "rounds: already revealed"
    assert ranking_hash != empty(bytes32), "rounds: empty ranking hash"
    cid._check(ranking_cid)
    assert keccak256(abi_encode(ranking_hash, ranking_cid, account, salt)) == commitment, "rounds: reveal does not match the commitment"
    self.ranking_of[round_id][attempt][account] = ranking_hash
    log ProposalRevealed(round_id=round_id, member=account, attempt=attempt, ranking_hash=ranking_hash, ranking_cid=ranking_cid)


@internal
def _vote(round_id: uint256, account: address, result_hash: bytes32):
    """
    @dev Records a revealed member's on-chain vote in the vote window; once per
         attempt.
    @param round_id The active round.
    @param account The voting member.
    @param result_hash The result it votes for.
    """
    round_: Round = self._in_vote_window(round_id)
    assert self.ranking_of[round_id][round_.attempt][account] != empty(bytes32), "rounds: not a member of this attempt"
    assert self.vote_of[round_id][round_.attempt][account] == empty(bytes32), "rounds: already voted"
    assert result_hash != empty(bytes32), "rounds: empty result hash"
    self.vote_of[round_id][round_.attempt][account] = result_hash
    self.votes_for[round_id][round_.attempt][result_hash] += 1
    log Voted(round_id=round_id, member=account, result_hash=result_hash, attempt=round_.attempt)


@internal
@view
def _vote_opens(round_: Round) -> uint256:
    """
    @dev The first block of an attempt's vote window, after its propose and
         proposal reveal windows.
    @param round_ The round record.
    @return uint256 The block.
    """
    return round_.opened_at + committee_parameters.propose_window + committee_parameters.proposal_reveal_window


@internal
@view
def _in_vote_window(round_id: uint256) -> Round:
    """
    @dev Reverts unless `round_id` is active and in its vote window.
    @param round_id The round.
    @return Round Its record.
    """
    self._assert_active(round_id)
    round_: Round = self.round[round_id]
    vote_opens: uint256 = self._vote_opens(round_)
    assert block.number >= vote_opens, "rounds: vote window not open yet"
    assert block.number < vote_opens + committee_parameters.vote_window, "rounds: vote window closed"
    return round_


@internal
def _restart(round_id: uint256) -> uint256:
    """
    @dev Restarts the round (a new attempt, whose seed comes from the next
         block), or cancels it after `max_attempts` attempts.
    @param round_id The active round, past its vote window.
    @return uint256 The task to cancel, 0 on a restart.
    """
    self._assert_active(round_id)
    round_: Round = self.round[round_id]
    assert block.number >= self._vote_opens(round_) + committee_parameters.vote_window, "rounds: vote window still open"

    if round_.attempt < committee_parameters.max_attempts:
        attempt: uint256 = round_.attempt + 1
        self.round[round_id].attempt = attempt
        self.round[round_id].seed = empty(bytes32)
        self.round[round_id].opened_at = block.number
        self.round[round_id].committee_hash = empty(bytes32)
        self.round[round_id].proposals = 0
        log RoundRestarted(round_id=round_id, task_id=round_.task_id, attempt=attempt, seed_block=block.number + SEED_DELAY)
        return 0

    # No quorum in `max_attempts` attempts: the round ends without a result and
    # still extends the round chain, with zero committee and result hashes.
    seed: bytes32 = self._final_seed(round_id)
    hash_: bytes32 = self._chain(round_id, round_.task_id, seed, empty(bytes32), empty(bytes32))
    self.round[round_id].seed = seed
    self.round[round_id].state = ROUND_CANCELLED
    self.round[round_id].committee_hash = empty(bytes32)
    self.active_round = 0
    log RoundCancelled(round_id=round_id, task_id=round_.task_id, attempt=round_.attempt, seed=seed, round_hash=hash_)
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
def _equivocator(
    round_id: uint256,
    attempt: uint256,
    result_a: bytes32,
    signature_a: Bytes[65],
    result_b: bytes32,
    signature_b: Bytes[65],
) -> address:
    """
    @dev The member that voted for two different results in one attempt: two
         EIP-712 vote signatures by one member of the attempt, or its on-chain
         vote (`signature_a` empty) and a signature (docs/protocol.md §9.8).
    @param round_id The round.
    @param attempt The attempt.
    @param result_a The first result.
    @param signature_a A vote signature for it, or empty for the on-chain vote.
    @param result_b The second result.
    @param signature_b A vote signature for it.
    @return address The member.
    """
    assert result_a != result_b, "slashing: the results are the same"
    assert len(signature_b) == 65, "slashing: a signature is 65 bytes"
    # The verifier reverts on a signature that recovers no signer.
    signer: address = staticcall verifier.vote_signer(pol, round_id, attempt, result_b, signature_b)
    if len(signature_a) == 0:
        assert self.vote_of[round_id][attempt][signer] == result_a, "slashing: no on-chain vote for the first result"
    else:
        assert len(signature_a) == 65, "slashing: a signature is 65 bytes"
        first: address = staticcall verifier.vote_signer(pol, round_id, attempt, result_a, signature_a)
        assert first == signer, "slashing: signatures by different accounts"
    assert self.proposal[round_id][attempt][signer] != empty(bytes32), "slashing: signer is not a member of this attempt"
    return signer


@internal
def _finalize(
    round_id: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    genuine_members: DynArray[address, validator_set.MAX_VALIDATORS],
    signatures: DynArray[Bytes[65], validator_set.MAX_VALIDATORS],
    storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS],
) -> (uint256, uint256, bytes32, bytes32, bytes32, bytes32, DynArray[address, validator_set.MAX_VALIDATORS]):
    """
    @dev Checks a result against the votes of the current attempt and records
         it: the result hash recomputed from the payload (docs/protocol.md §9.5),
         at least `quorum` distinct revealed members of the attempt (on-chain
         votes plus EIP-712 signatures, signers ascending so that none counts
         twice, none that voted on chain), genuine members that are revealed
         members, ascending. ProofOfLearning checks the ranking and the storage
         list against the task, certifies and settles.
    @param round_id The active round.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    @param genuine_members The genuine members, ascending.
    @param signatures Vote signatures, by ascending signer.
    @param storage The (object id, size, root) the committee recomputed for each
           of the task's registered objects.
    @return The task, attempt, seed, committee hash, result hash, round hash and
            the valid validators (genuine members that voted or signed this
            result, ascending).
    """
    round_: Round = self._in_vote_window(round_id)
    attempt: uint256 = round_.attempt
    result_hash: bytes32 = keccak256(abi_encode(round_id, attempt, round_.task_id, task_valid, entries, genuine_members, storage))

    signers: DynArray[address, validator_set.MAX_VALIDATORS] = []
    previous: uint256 = 0
    for signature: Bytes[65] in signatures:
        assert len(signature) == 65, "rounds: a signature is 65 bytes"
        signer: address = staticcall verifier.vote_signer(pol, round_id, attempt, result_hash, signature)
        assert convert(signer, uint256) > previous, "rounds: signers must ascend, each once"
        assert self.ranking_of[round_id][attempt][signer] != empty(bytes32), "rounds: signer is not a member of this attempt"
        assert self.vote_of[round_id][attempt][signer] == empty(bytes32), "rounds: signer already voted on chain"
        signers.append(signer)
        previous = convert(signer, uint256)
    assert self.votes_for[round_id][attempt][result_hash] + len(signers) >= round_.quorum, "rounds: below quorum"

    valid: DynArray[address, validator_set.MAX_VALIDATORS] = []
    previous = 0
    next_signer: uint256 = 0
    for member: address in genuine_members:
        assert convert(member, uint256) > previous, "rounds: genuine members must ascend, each once"
        assert self.ranking_of[round_id][attempt][member] != empty(bytes32), "rounds: genuine member is not a member of this attempt"
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
