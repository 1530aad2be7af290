# pragma version ~=0.4.3
# pragma evm-version prague
# pragma optimize codesize
"""
@title WekaCoin committee: validators, sortition and rounds
@custom:contract-name Committee
@license MIT
@notice The committee side of Proof-of-Learning (docs/protocol.md §7 and §9):
        validator keys and bond sizes, storage claims, lazy weight snapshots, the
        round chain, VRF sortition with storage challenges, proposals, votes,
        restarts and the checks of a finalized result. ProofOfLearning deploys it
        from a blueprint in its constructor and is its only writer (`pol`): every
        public function of the protocol (`register_validator`, `propose`, `vote`,
        `finalize`, ...) stays on ProofOfLearning, which forwards here, keeps the
        money (bonds included) and settles. The split keeps both contracts under
        the EIP-170 code-size limit (docs/contracts.md).
        Events of validators and rounds are emitted by this contract; money
        events (`Credited`, ...) and `RoundFinalized` by ProofOfLearning.
"""

from interfaces import IBLSVerifier

from modules import parameters
from modules import validator_set
from modules import rounds
from modules import chunk_merkle
from modules import ranking

initializes: parameters
initializes: validator_set
initializes: rounds[parameters := parameters, validator_set := validator_set]

exports: (
    validator_set.bytes_per_wkc,
    validator_set.round_count,
    validator_set.validator,
    validator_set.vrf_pubkey,
    validator_set.key_used,
    validator_set.claim,
    validator_set.claim_slot,
    rounds.pol,
    rounds.verifier,
    rounds.round,
    rounds.round_hash,
    rounds.active_round,
    rounds.proposal,
    rounds.vote_of,
    rounds.votes_for,
    rounds.proposed_in,
)


@deploy
def __init__(verifier: IBLSVerifier, params: parameters.Parameters):
    """
    @dev Deployed by ProofOfLearning from a blueprint, which makes it `pol`.
    @param verifier The BLSVerifier helper contract.
    @param params ProofOfLearning's parameters.
    """
    parameters.__init__(params)
    validator_set.__init__(params.bytes_per_wkc)
    rounds.__init__(msg.sender, verifier)


@external
@view
def validator_ids() -> DynArray[address, validator_set.MAX_VALIDATORS]:
    """
    @notice The registered validators that have not withdrawn their bond.
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
    return validator_set._weight_at(account, round_id)


@external
@view
def total_weight_in_round(round_id: uint256) -> uint256:
    """
    @notice The total weight in a round's snapshot (for a round not opened yet:
            the total if it opened now).
    @param round_id The round.
    @return uint256 The total weight in bytes.
    """
    return validator_set._total_at(round_id)


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
    return rounds._challenge(round_id, validator)


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
         storage answer (round not active, not a validator, the task's supplier
         or trainer, invalid VRF proof, not selected); False when only the
         storage answer fails (`propose` would then drop the claim).
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
    @param proof Its proof of possession of the key.
    @param bond The bond ProofOfLearning took, in wei.
    @custom:security The proof of possession stops rogue keys; the cheap checks
                     run before the pairing.
    """
    self._only_pol()
    validator_set._check_registrable(account, pubkey)
    assert staticcall rounds.verifier.verify_possession(pubkey, proof), "validators: invalid proof of possession"
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
    validator_set._request_exit(account, parameters.exit_delay)


@external
def withdraw_bond(account: address) -> uint256:
    """
    @notice Ends an exit, `exit_delay` blocks after its request, unless the
            validator proposed in the active round's current attempt.
    @param account The validator.
    @return uint256 The bond ProofOfLearning credits back.
    """
    self._only_pol()
    rounds._assert_not_sitting(account)
    return validator_set._withdraw(account, parameters.exit_delay)


@external
def claim_storage(account: address, object_id: uint256, size: uint256, merkle_root: bytes32):
    """
    @notice Records a validator's claim on a registered object.
    @param account The validator.
    @param object_id The object.
    @param size The object's registered size in bytes.
    @param merkle_root The object's registered chunk-tree root.
    """
    self._only_pol()
    validator_set._claim(account, object_id, size, merkle_root)


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
    ranking_hash: bytes32,
    ranking_cid: String[128],
) -> bool:
    """
    @notice Records a member's proposal (see ProofOfLearning's `propose`).
    @param account The proposing validator.
    @param round_id The active round.
    @param vrf_proof Its VRF proof for the attempt.
    @param chunk The challenged chunk.
    @param path The chunk's Merkle path, leaf level first.
    @param ranking_hash keccak256 of its ranking document.
    @param ranking_cid The document's CID.
    @return bool False if the storage answer failed and the claim was dropped.
    """
    self._only_pol()
    return rounds._propose(round_id, account, vrf_proof, chunk, path, ranking_hash, ranking_cid)


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
def finalize(
    round_id: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    genuine_members: DynArray[address, validator_set.MAX_VALIDATORS],
    signatures: DynArray[Bytes[65], validator_set.MAX_VALIDATORS],
    domain_separator: bytes32,
) -> (uint256, uint256, bytes32, bytes32, bytes32, bytes32, DynArray[address, validator_set.MAX_VALIDATORS]):
    """
    @notice Checks and records a round's result (see ProofOfLearning's `finalize`).
    @param round_id The active round.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    @param genuine_members The members whose proposals are genuine, ascending.
    @param signatures Vote signatures of members that did not vote on chain,
           by ascending signer.
    @param domain_separator ProofOfLearning's EIP-712 domain separator: votes are
           signed for ProofOfLearning, the verifying contract.
    @return The task, attempt, seed, committee hash, result hash, round hash and
            valid validators.
    """
    self._only_pol()
    return rounds._finalize(round_id, task_valid, entries, genuine_members, signatures, domain_separator)


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
