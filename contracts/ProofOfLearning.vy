# pragma version ~=0.4.3
# pragma evm-version prague
# pragma optimize codesize
"""
@title WekaCoin Proof-of-Learning
@custom:contract-name ProofOfLearning
@license MIT
@notice The rules engine of WekaCoin (docs/protocol.md). Money flow:
        - a supplier's `publish_task` escrows the task's reward and hosting fee;
        - a trainer's `commit_model` escrows the participation fee;
        - a task whose test set is not released in time expires: the fees are
          credited back to the trainers, the reward and hosting fee are burned;
        - a validator's `register_validator` (and `top_up_bond`) moves its bond
          into the bonded total; `withdraw_bond`, after `request_exit` and
          `exit_delay` blocks, credits it back;
        - a finalized round settles its task (§10): the reward, the fee
          refunds, and shares of the hosting fee, the forfeited fees and the
          newly minted round issuance are credited;
        - a task whose rounds never reach a quorum is cancelled: everything
          escrowed for it is credited back;
        - settled amounts are credited, never pushed, and taken with `withdraw`.
        At every step the contract's WKC balance equals
        `escrowed + bonded + credited`.
        The contract deploys its own token from a blueprint, so it is the token's
        only minter from the token's first block.
@dev Composed of small modules, one concern each: `parameters` (§2),
     `ledger` (escrow, credits, withdraw), `tasks` (§4 and the release),
     `models` (§5 and the reveal), `objects` (stored datasets and models),
     `settlement` (expiry, cancellation). Validators and rounds (§7 and
     §9) live in the Committee contract this one deploys from a blueprint and
     alone writes to; the public functions stay here and forward to it, the
     money stays here. BLS checks run in the stateless BLSVerifier.
"""

from snekmate.utils import eip712_domain_separator

from interfaces import IWekaCoin
from interfaces import IBLSVerifier
from interfaces import ICommittee

from modules import parameters
from modules import ledger
from modules import tasks
from modules import models
from modules import settlement
from modules import objects
from modules import chunk_merkle
from modules import ranking

initializes: parameters
initializes: eip712_domain_separator
initializes: ledger
initializes: objects[ledger := ledger, parameters := parameters]
initializes: tasks[parameters := parameters, ledger := ledger, objects := objects]
initializes: models[parameters := parameters, ledger := ledger, tasks := tasks, objects := objects]
initializes: settlement[parameters := parameters, ledger := ledger, tasks := tasks, models := models, objects := objects]

exports: (
    parameters.__interface__,
    eip712_domain_separator.eip712Domain,
    ledger.token,
    ledger.escrowed,
    ledger.bonded,
    ledger.credited,
    ledger.owed,
    ledger.withdraw,
    tasks.task_count,
    tasks.task,
    tasks.task_models,
    tasks.open_task_ids,
    models.model_count,
    models.model,
    models.commitment_used,
    models.is_trainer,
    models.task_fees,
    objects.publisher_of,
    objects.object_count,
    objects.stored_object,
    objects.object_of,
    objects.task_object,
    objects.task_object_count,
)


# @dev The Committee (validators and rounds), deployed by this contract.
committee: public(immutable(ICommittee))

# @dev EIP-712 domain of votes (docs/protocol.md §9.4): this contract is the verifying contract.
EIP712_NAME: constant(String[50]) = "WekaCoin Proof-of-Learning"
EIP712_VERSION: constant(String[20]) = "1"
MAX_MEMBERS: constant(uint256) = parameters.MAX_VALIDATORS_BOUND


# @dev The Committee's `finalize`, declared here rather than in ICommittee.vyi
# because its arguments use the `ranking` module's struct.
interface CommitteeFinalize:
    def finalize(
        round_id: uint256,
        task_valid: bool,
        entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
        genuine_members: DynArray[address, MAX_MEMBERS],
        signatures: DynArray[Bytes[65], MAX_MEMBERS],
        storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS],
    ) -> (uint256, uint256, bytes32, bytes32, bytes32, bytes32, DynArray[address, MAX_MEMBERS]): nonpayable


# @dev Emitted when `finalize` accepts a round's result, after the task settled:
# the whole result, so that an auditor replays the payouts from the logs.
event RoundFinalized:
    round_id: indexed(uint256)
    task_id: indexed(uint256)
    attempt: uint256
    seed: bytes32
    committee_hash: bytes32
    result_hash: bytes32
    round_hash: bytes32
    task_valid: bool
    ranking: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND]
    genuine_members: DynArray[address, MAX_MEMBERS]
    valid_validators: DynArray[address, MAX_MEMBERS]
    storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS]


@deploy
def __init__(
    token_blueprint: address,
    genesis_holder: address,
    genesis_supply: uint256,
    params: parameters.Parameters,
    verifier: IBLSVerifier,
    committee_blueprint: address,
):
    """
    @notice Fixes the parameters and deploys the WKC token from `token_blueprint`,
            with `genesis_supply` going to `genesis_holder`.
    @param token_blueprint An EIP-5202 blueprint of `WekaCoin.vy`.
    @param genesis_holder The account that receives the genesis supply.
    @param genesis_supply The genesis supply, in wei.
    @param params The protocol parameters (docs/protocol.md §2.1).
    @param verifier The deployed BLSVerifier helper contract.
    @param committee_blueprint An EIP-5202 blueprint of `Committee.vy`; this
           contract deploys the Committee, so it is the Committee's only writer.
    """
    parameters._check(params)
    parameters.__init__(params)
    eip712_domain_separator.__init__(EIP712_NAME, EIP712_VERSION)
    token_: address = create_from_blueprint(token_blueprint, genesis_holder, genesis_supply)
    ledger.__init__(IWekaCoin(token_))
    committee = ICommittee(create_from_blueprint(committee_blueprint, verifier, params))


@external
def publish_task(
    train_cid: String[128],
    test_commitment: bytes32,
    metric: uint8,
    release_height: uint256,
    reward: uint256,
    hosting_fee: uint256,
    baseline_cid: String[128],
    baseline_score: int256,
) -> uint256:
    """
    @notice Publishes a machine-learning task and escrows `reward + hosting_fee`
            from the caller (approve this contract, or `permit` it, first).
    @param train_cid The CID of the training data.
    @param test_commitment keccak256(abi_encode(test_cid, salt)) of the hidden test set.
    @param metric The metric id (docs/protocol.md §3.2).
    @param release_height The block from which the test set is released; at least
           `min_training_period` blocks from now.
    @param reward The reward for the best model, in wei; not zero.
    @param hosting_fee The fee for the validators, at least `min_hosting_fee`.
    @param baseline_cid The CID of the baseline model.
    @param baseline_score The baseline's score on the training data (6 decimals).
    @return uint256 The new task id (also in `TaskPublished`).
    """
    return tasks._publish(
        msg.sender, train_cid, test_commitment, metric, release_height, reward, hosting_fee, baseline_cid, baseline_score
    )


@external
def commit_model(task_id: uint256, commitment: bytes32, train_score: int256) -> uint256:
    """
    @notice Commits to a model for a task before its release height and escrows
            `participation_fee` from the caller.
    @param task_id The task.
    @param commitment keccak256(abi_encode(model_cid, msg.sender, salt)).
    @param train_score The model's score on the training data (6 decimals);
           validators check it.
    @return uint256 The new model id (also in `ModelCommitted`).
    """
    return models._commit(task_id, msg.sender, commitment, train_score)


@external
def release_test(task_id: uint256, test_cid: String[128], salt: bytes32):
    """
    @notice Releases the test set of the caller's task, in
            [release_height, release_height + release_window).
    @param task_id The task.
    @param test_cid The CID of the test set; must match the commitment.
    @param salt The salt of the commitment.
    """
    tasks._release(task_id, msg.sender, test_cid, salt)


@external
def reveal_model(model_id: uint256, model_cid: String[128], salt: bytes32, model_size: uint256):
    """
    @notice Reveals the caller's committed model, after the test release and
            before `released_at + reveal_window`.
    @param model_id The model.
    @param model_cid The CID of the ONNX model; must match the commitment.
    @param salt The salt of the commitment.
    @param model_size The model's length in bytes; validators check it.
    """
    models._reveal(model_id, msg.sender, model_cid, salt, model_size)


@external
def expire_task(task_id: uint256):
    """
    @notice Expires a task whose test set was not released in its release window:
            refunds every participation fee and burns the reward and hosting fee.
            Anyone may call it.
    @param task_id The task.
    """
    settlement._expire(task_id)


@external
def register_validator(vrf_pubkey: Bytes[256], proof_of_possession: Bytes[128], bond: uint256):
    """
    @notice Registers the caller as a validator with a BLS12-381 key and bonds
            `bond` WKC (at least `min_bond`; approve or `permit` first).
    @param vrf_pubkey The BLS public key, 256-byte EIP-2537 G2 encoding; each key
           is registered once, ever.
    @param proof_of_possession A BLS signature over `vrf_pubkey` followed by the
           caller's 20-byte address, under the proof-of-possession tag
           (docs/protocol.md §7.7).
    @param bond The bond, in wei.
    @custom:security The proof of possession stops rogue keys: no one registers a
                     key without its secret; and it names the caller, so a
                     proof seen in the mempool is no use to anyone else. When
                     `max_validators` are active the one with the smallest bond
                     is evicted if `bond` is larger.
    """
    assert bond >= parameters.min_bond, "validators: bond below minimum"
    extcall committee.register(msg.sender, vrf_pubkey, proof_of_possession, bond)
    ledger._pull(msg.sender, bond, ledger.INTO_BOND)


@external
def top_up_bond(amount: uint256):
    """
    @notice Adds `amount` WKC to the caller's bond; a larger bond lifts the weight
            cap from the next round on.
    @param amount The top-up, in wei.
    """
    extcall committee.top_up(msg.sender, amount)
    ledger._pull(msg.sender, amount, ledger.INTO_BOND)


@external
def request_exit():
    """
    @notice Starts the caller's exit: its weight is 0 in every round opened from
            now on, and its bond can be withdrawn `exit_delay` blocks later.
    @dev The Committee records it; no money moves.
    """
    extcall committee.request_exit(msg.sender)


@external
def withdraw_bond():
    """
    @notice Credits the caller's bond back (take it with `withdraw`), once
            `exit_delay` blocks have passed since `request_exit`.
    @dev The Committee ends the exit and returns the amount; the ledger moves it
         from the bonded total to the caller's credit (reason 8).
    @custom:security Not while the caller sits on the committee of the active
                     round's current attempt: it stays bonded until that attempt
                     is finalized or restarted.
    """
    ledger._return_bond(msg.sender, extcall committee.withdraw_bond(msg.sender))


@external
def register_object(task_id: uint256, cid: String[128], size: uint256, merkle_root: bytes32) -> uint256:
    """
    @notice Registers a stored object of a task and escrows `object_deposit`
            from the caller: a CID the caller published in the task (its
            training set, baseline or released test set for the supplier, a
            revealed model for its trainer), until the task's reveal window
            closes. The task's committee certifies it (deposit back) or rejects
            it (deposit burned) when it settles the task.
    @param task_id The task.
    @param cid The object's CID.
    @param size Its size in bytes.
    @param merkle_root The size-bound root of its 1,024-byte chunk tree
           (`wekacoin_offchain.crypto.merkle.merkle_root`).
    @return uint256 The new object id (also in `ObjectRegistered`).
    @custom:security Weight comes only from certified objects, so a made-up size
                     or root earns nothing and costs the deposit.
    """
    tasks._assert_takes_objects(task_id)
    return objects._register(msg.sender, task_id, cid, size, merkle_root)


@external
def claim_storage(object_id: uint256):
    """
    @notice Claims that the caller (an active validator) stores a certified
            object; its size counts towards the caller's weight from the next
            round on, for `unproven_claim_rounds` rounds until a storage answer
            proves it.
    @param object_id The object.
    """
    stored: objects.StoredObject = objects._certified(object_id)
    extcall committee.claim_storage(msg.sender, object_id, stored.cid_hash, stored.size, stored.merkle_root)


@external
def open_round() -> uint256:
    """
    @notice Opens the next round when none is active: picks the task (released,
            reveal window closed, most model commitments, lowest id on a tie),
            draws the seed and fixes the weight snapshot. Anyone may call it.
    @return uint256 The round id (also in `RoundOpened`).
    """
    task_id: uint256 = tasks._next_ready()
    assert task_id != 0, "rounds: no task is ready"
    return extcall committee.open_round(task_id, tasks.task[task_id].supplier)


@external
def propose(
    round_id: uint256,
    vrf_proof: Bytes[128],
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
    commitment: bytes32,
) -> bool:
    """
    @notice Answers the caller's storage challenge and commits to its proposal
            in the propose window, once its seed is drawn (the Committee's
            `seed`), after checking its membership (the Committee's
            `is_member`). One storage answer and one proposal per validator per
            attempt; the proposal is revealed with `reveal_proposal`.
    @param round_id The active round.
    @param vrf_proof The caller's VRF proof for the attempt.
    @param chunk The challenged chunk (the Committee's `challenge`).
    @param path Its Merkle path, leaf level first.
    @param commitment keccak256(abi_encode(ranking_hash, ranking_cid, caller,
           salt)) (docs/protocol.md §9.2).
    @return bool True if the proposal was recorded; False if the storage answer
            failed: the answer is recorded, the challenged claim dropped
            (`ClaimDropped`) and `storage_slash_bps` of the bond burned, and the
            call does not revert, so that all of it stands.
    """
    recorded: bool = False
    slashed: uint256 = 0
    recorded, slashed = extcall committee.propose(msg.sender, round_id, vrf_proof, chunk, path, commitment)
    if slashed != 0:
        ledger._slash(slashed, empty(address), 0)
    return recorded


@external
def reveal_proposal(round_id: uint256, ranking_hash: bytes32, ranking_cid: String[128], salt: bytes32):
    """
    @notice Reveals the caller's proposal in the proposal reveal window, the
            `proposal_reveal_window` blocks after the propose window; only
            revealed members vote, sign and count as genuine.
    @param round_id The active round.
    @param ranking_hash keccak256 of the candidate ranking document.
    @param ranking_cid The document's CID in the content store.
    @param salt The salt of the commitment.
    """
    extcall committee.reveal_proposal(msg.sender, round_id, ranking_hash, ranking_cid, salt)


@external
def settle_slash(reporter: address, amount: uint256):
    """
    @notice Moves a bond the Committee slashed for equivocation out of the
            bonded total: `reporter_share_bps` of it credited to `reporter`, the
            rest burned. Only the Committee calls it, from its
            `report_equivocation`.
    @param reporter Who showed the equivocation.
    @param amount The bond slashed, in wei.
    """
    assert msg.sender == committee.address, "pol: caller is not the Committee"
    ledger._slash(amount, reporter, amount * parameters.reporter_share_bps // parameters.BPS)


@external
def vote(round_id: uint256, result_hash: bytes32):
    """
    @notice Votes for a result in the vote window: the caller must have proposed
            in the current attempt, and votes once.
    @param round_id The active round.
    @param result_hash The result hash (docs/protocol.md §9.3).
    """
    extcall committee.vote(msg.sender, round_id, result_hash)


@external
def restart_round(round_id: uint256):
    """
    @notice After the vote window of an attempt without a finalized result:
            restarts the round with a new seed, or after `max_attempts` attempts
            cancels its task and refunds every party. Anyone may call it.
    @param round_id The active round.
    """
    cancelled_task: uint256 = extcall committee.restart_round(round_id)
    if cancelled_task != 0:
        settlement._cancel(cancelled_task)


@external
@view
def round_hash(round_id: uint256) -> bytes32:
    """
    @notice The round chain (docs/protocol.md §13.3): round_hash[i] =
            keccak256(abi_encode(round_hash[i-1], i, task_id, seed,
            committee_hash, result_hash)), kept by the Committee.
    @param round_id The round.
    @return bytes32 Its hash, zero until it is finalized or cancelled.
    """
    return staticcall committee.round_hash(round_id)


@external
def finalize(
    round_id: uint256,
    task_valid: bool,
    ranking_: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    genuine_members: DynArray[address, MAX_MEMBERS],
    signatures: DynArray[Bytes[65], MAX_MEMBERS],
    storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS],
):
    """
    @notice Finalizes the active round with its consensus result and settles its
            task (docs/protocol.md §9.5 and §10). Anyone may call it in the
            vote window.
    @dev Checks, in the Committee: result_hash = keccak256(abi_encode(round_id,
         attempt, task_id, task_valid, ranking_, genuine_members, storage)); at least
         `quorum` distinct members of the current attempt voted for it on chain or
         signed it (EIP-712 `Vote(round_id, attempt, result_hash)` for this
         contract); `genuine_members` are members, ascending. Here: the ranking
         lists every revealed model exactly once, genuine models first in
         consensus order by the recorded sizes, trainers and commitments.
    @param round_id The active round.
    @param task_valid The consensus on the task's validity.
    @param ranking_ The consensus ranking: (model_id, genuine, score) entries.
    @param genuine_members The members whose proposals are genuine, ascending.
    @param signatures 65-byte r || s || v vote signatures of members that did not
           vote on chain, ordered by ascending signer address.
    @param storage For each object registered for the task, in registration
           order: its id and the size and chunk-tree root the committee
           recomputed from the content (zero when it found none). Matching
           objects are certified, the others rejected (docs/protocol.md §7.2).
    """
    task_id: uint256 = 0
    attempt: uint256 = 0
    seed: bytes32 = empty(bytes32)
    committee_hash: bytes32 = empty(bytes32)
    result_hash: bytes32 = empty(bytes32)
    round_hash_: bytes32 = empty(bytes32)
    valid_validators: DynArray[address, MAX_MEMBERS] = []
    task_id, attempt, seed, committee_hash, result_hash, round_hash_, valid_validators = extcall CommitteeFinalize(
        committee.address
    ).finalize(round_id, task_valid, ranking_, genuine_members, signatures, storage)
    settlement._settle(task_id, task_valid, ranking_, valid_validators, storage)
    log RoundFinalized(
        round_id=round_id,
        task_id=task_id,
        attempt=attempt,
        seed=seed,
        committee_hash=committee_hash,
        result_hash=result_hash,
        round_hash=round_hash_,
        task_valid=task_valid,
        ranking=ranking_,
        genuine_members=genuine_members,
        valid_validators=valid_validators,
        storage=storage,
    )
