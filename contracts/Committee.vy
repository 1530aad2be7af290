# pragma version ~=0.4.3
# pragma evm-version prague
# pragma optimize codesize
"""
@title WekaCoin committee: validators, sortition and rounds
@custom:contract-name Committee
@license MIT
@notice The committee side of Proof-of-Learning (docs/protocol.md §7 and §9):
        validator keys and bond sizes, storage claims, lazy weight snapshots, the
        round chain, VRF sortition with storage challenges, proposal commitments
        and reveals, votes, restarts, the checks of a finalized result and the
        evidence of equivocation (docs/protocol.md §7 and §9). ProofOfLearning deploys it
        from a blueprint in its constructor and is its only writer (`pol`): every
        public function of the protocol (`register_validator`, `propose`, `vote`,
        `finalize`, ...) stays on ProofOfLearning, which forwards here, keeps the
        money (bonds included) and settles. The split keeps both contracts under
        the EIP-170 code-size limit (docs/contracts.md).
        Events of validators and rounds are emitted by this contract; money
        events (`Credited`, ...) and `RoundFinalized` by ProofOfLearning.
"""

from interfaces import IBLSVerifier


interface ProofOfLearning:
    def settle_slash(reporter: address, amount: uint256): nonpayable


from modules import parameters
from modules import committee_parameters
from modules import validator_set
from modules import rounds
from modules import chunk_merkle
from modules import ranking

initializes: committee_parameters
initializes: validator_set[committee_parameters := committee_parameters]
initializes: rounds[committee_parameters := committee_parameters, validator_set := validator_set]

exports: (
    committee_parameters.__interface__,
    validator_set.round_count,
    validator_set.validator,
    validator_set.vrf_pubkey,
    validator_set.key_used,
    validator_set.claim,
    validator_set.claim_slot,
    validator_set.cid_claimed,
    rounds.pol,
    rounds.verifier,
    rounds.round,
    rounds.round_hash,
    rounds.active_round,
    rounds.proposal,
    rounds.ranking_of,
    rounds.answer_of,
    rounds.vote_of,
    rounds.votes_for,
)


@deploy
def __init__(verifier: IBLSVerifier, params: parameters.Parameters):
    """
    @dev Deployed by ProofOfLearning from a blueprint, which makes it `pol`.
    @param verifier The BLSVerifier helper contract.
    @param params ProofOfLearning's parameters.
    """
    committee_parameters.__init__(params)
    rounds.__init__(msg.sender, verifier)


@external
@view
def validator_ids() -> DynArray[address, validator_set.MAX_VALIDATORS]:
    """
    @notice The active validators (registered, not exiting, not exited).
    @return DynArray Their addresses, in no particular order.
    """
    return validator_set.validator_list


@external
@view
def weight_in_round(account: address, round_id: uint256) -> uint256:
    """
    @notice A validator's weight in a round's snapshot (for a round not opened
            yet: the weight it would have if the round opened now).
    @param account The validator.
    @param round_id The round.
    @return uint256 Its weight in bytes.
    """
    return validator_set._weight_at(account, round_id, self._mode(round_id)[0])


@external
@view
def total_weight_in_round(round_id: uint256) -> uint256:
    """
    @notice The total weight in a round's snapshot (for a round not opened yet:
            the total if it opened now).
    @param round_id The round.
    @return uint256 The total weight in bytes.
    """
    return self._mode(round_id)[1]


@external
@view
def seed(round_id: uint256) -> bytes32:
    """
    @notice The seed of the active round's current attempt, once drawn.
    @dev Reverts `rounds: seed not drawn yet` in the block that opened the
         attempt and the next (the seed block must exist), and `rounds: seed
         block too old, restart the round` 256 blocks on if nobody drew it.
    @param round_id The active round.
    @return bytes32 The seed.
    """
    rounds._assert_active(round_id)
    return rounds._seed(round_id)


@external
@view
def challenge(round_id: uint256, validator: address) -> (uint256, uint256):
    """
    @notice The storage challenge of the active round's current attempt for a
            validator: the claimed object and the chunk index it must show.
    @param round_id The active round.
    @param validator The validator.
    @return (uint256, uint256) The object id and chunk index; (0, 0) when the
            validator has no live claim in the round's snapshot.
    """
    rounds._assert_active(round_id)
    slot: uint256 = 0
    object_id: uint256 = 0
    index: uint256 = 0
    slot, object_id, index = rounds._challenge(round_id, validator, rounds._seed(round_id))
    return object_id, index


@external
@view
def is_member(
    round_id: uint256,
    validator: address,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
) -> bool:
    """
    @notice Whether `validator` sits on the committee of the active round's
            current attempt with this VRF proof and storage answer: what
            ProofOfLearning's `propose` checks.
    @dev Reverts with the reason when the validator cannot sit whatever its
         storage answer (round not active, seed not drawn, not a validator, the
         task's supplier or trainer, invalid VRF proof, not selected); False
         when only the storage answer fails (`propose` would then record the
         failure and slash).
    @param round_id The active round.
    @param validator The validator.
    @param vrf_proof Its VRF proof for the attempt (128-byte G1 signature).
    @param chunk The challenged chunk of the challenged object (see `challenge`).
    @param path The chunk's Merkle path, leaf level first.
    @return bool True iff it is a member.
    """
    return rounds._membership(round_id, validator, vrf_proof, chunk, path).storage_ok


@external
def register(account: address, pubkey: Bytes[256], proof: Bytes[128], bond: uint256):
    """
    @notice Records a validator whose bond ProofOfLearning took.
    @param account The registering account.
    @param pubkey Its BLS public key, 256-byte EIP-2537 G2 encoding.
    @param proof Its proof of possession of the key, bound to `account`.
    @param bond The bond ProofOfLearning took, in wei.
    @custom:security The proof of possession stops rogue keys and, signing the
                     account, stops anyone else registering the key first; the
                     cheap checks run before the pairing.
    """
    self._only_pol()
    validator_set._check_registrable(account, pubkey)
    assert staticcall rounds.verifier.verify_possession(pubkey, account, proof), "validators: invalid proof of possession"
    validator_set._register(account, pubkey, bond)


@external
def top_up(account: address, amount: uint256):
    """
    @notice Records a bond top-up that ProofOfLearning took.
    @param account The validator.
    @param amount The top-up, in wei.
    """
    self._only_pol()
    validator_set._top_up(account, amount)


@external
def request_exit(account: address):
    """
    @notice Starts a validator's exit: weight 0 from the next round on.
    @param account The validator.
    """
    self._only_pol()
    validator_set._request_exit(account)


@external
def withdraw_bond(account: address) -> uint256:
    """
    @notice Ends an exit `exit_delay` blocks after the later of its request and
            the end of the last vote window the validator could sign in.
    @param account The validator.
    @return uint256 The bond ProofOfLearning credits back.
    """
    self._only_pol()
    return validator_set._withdraw(account)


@external
def claim_storage(account: address, object_id: uint256, cid_hash: bytes32, size: uint256, merkle_root: bytes32):
    """
    @notice Records a validator's claim on a certified object.
    @param account The validator.
    @param object_id The object.
    @param cid_hash keccak256 of the object's CID.
    @param size The object's certified size in bytes.
    @param merkle_root The object's certified chunk-tree root.
    """
    self._only_pol()
    validator_set._claim(account, object_id, cid_hash, size, merkle_root)


@external
def open_round(task_id: uint256, supplier: address) -> uint256:
    """
    @notice Opens a round on the task ProofOfLearning picked.
    @param task_id The task.
    @param supplier The task's supplier, who may not sit.
    @return uint256 The round id.
    """
    self._only_pol()
    return rounds._open(task_id, supplier)


@external
def propose(
    account: address,
    round_id: uint256,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
    commitment: bytes32,
) -> (bool, uint256):
    """
    @notice Records a member's storage answer and proposal commitment (see
            ProofOfLearning's `propose`).
    @param account The proposing validator.
    @param round_id The active round.
    @param vrf_proof Its VRF proof for the attempt.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path, leaf level first.
    @param commitment Its proposal commitment.
    @return (bool, uint256) Whether the proposal was recorded, and the bond
            slashed for a failed storage answer.
    """
    self._only_pol()
    return rounds._propose(round_id, account, vrf_proof, chunk, path, commitment)


@external
def reveal_proposal(account: address, round_id: uint256, ranking_hash: bytes32, ranking_cid: String[128], salt: bytes32):
    """
    @notice Opens a member's proposal commitment (see ProofOfLearning's
            `reveal_proposal`).
    @param account The member.
    @param round_id The active round.
    @param ranking_hash keccak256 of its ranking document.
    @param ranking_cid The document's CID.
    @param salt The commitment's salt.
    """
    self._only_pol()
    rounds._reveal(round_id, account, ranking_hash, ranking_cid, salt)


@external
def vote(account: address, round_id: uint256, result_hash: bytes32):
    """
    @notice Records a member's vote.
    @param account The voting member.
    @param round_id The active round.
    @param result_hash The result it votes for.
    """
    self._only_pol()
    rounds._vote(round_id, account, result_hash)


@external
def restart_round(round_id: uint256) -> uint256:
    """
    @notice Restarts a round past its vote deadline, or cancels it.
    @param round_id The active round.
    @return uint256 The task to cancel, 0 on a restart.
    """
    self._only_pol()
    return rounds._restart(round_id)


@external
def report_equivocation(
    round_id: uint256,
    attempt: uint256,
    result_a: bytes32,
    signature_a: Bytes[65],
    result_b: bytes32,
    signature_b: Bytes[65],
):
    """
    @notice Shows that a member voted for two different results in one attempt
            (two EIP-712 vote signatures, or its on-chain vote and a
            signature): its whole bond is slashed, `reporter_share_bps` of it
            credited to the caller and the rest burned (on ProofOfLearning,
            `settle_slash`), and it leaves the set. Anyone may call it while the
            member is still bonded (docs/protocol.md §9.8).
    @dev The one public protocol function on the Committee rather than on
         ProofOfLearning: the votes are kept here, and ProofOfLearning has no
         code size left; the money still moves only on ProofOfLearning.
    @param round_id The round.
    @param attempt The attempt.
    @param result_a The first result.
    @param signature_a A 65-byte vote signature for it, or empty to use the
           member's on-chain vote.
    @param result_b The second result.
    @param signature_b A 65-byte vote signature for it.
    @custom:security A member's bond stays `exit_delay` blocks past the last
                     vote window it could sign in, so evidence always finds it.
    """
    member: address = rounds._equivocator(round_id, attempt, result_a, signature_a, result_b, signature_b)
    bond: uint256 = validator_set.validator[member].bond
    assert bond > 0, "slashing: nothing left to slash"
    taken: uint256 = validator_set._slash(member, bond, round_id, validator_set.SLASH_EQUIVOCATION)
    validator_set._expel(member)
    extcall ProofOfLearning(rounds.pol).settle_slash(msg.sender, taken)


@external
def finalize(
    round_id: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    genuine_members: DynArray[address, validator_set.MAX_VALIDATORS],
    signatures: DynArray[Bytes[65], validator_set.MAX_VALIDATORS],
    storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS],
) -> (uint256, uint256, bytes32, bytes32, bytes32, bytes32, DynArray[address, validator_set.MAX_VALIDATORS]):
    """
    @notice Checks and records a round's result (see ProofOfLearning's `finalize`).
    @param round_id The active round.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    @param genuine_members The members whose proposals are genuine, ascending.
    @param signatures Vote signatures of members that did not vote on chain,
           by ascending signer.
    @param storage What the committee found for each of the task's objects.
    @return The task, attempt, seed, committee hash, result hash, round hash and
            valid validators.
    """
    self._only_pol()
    return rounds._finalize(round_id, task_valid, entries, genuine_members, signatures, storage)


@internal
@view
def _mode(round_id: uint256) -> (bool, uint256):
    """
    @dev Whether a round weighs by storage, and its total weight: as recorded
         for a round opened already, as it would open now for a later one.
    @param round_id The round.
    @return (bool, uint256) The mode and the total weight.
    """
    if round_id != 0 and round_id <= validator_set.round_count:
        return rounds.round[round_id].by_storage, rounds.round[round_id].total_weight
    return validator_set._totals(round_id)


@internal
@view
def _only_pol():
    """
    @dev Every writing function of the Committee is ProofOfLearning's to call:
         the public protocol functions live there and forward here.
    @custom:security Without it anyone could register validators without a
                     bond, open rounds or finalize results.
    """
    assert msg.sender == rounds.pol, "committee: caller is not ProofOfLearning"
