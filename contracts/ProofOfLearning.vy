# pragma version ~=0.4.3
# pragma evm-version prague
"""
@title WekaCoin Proof-of-Learning
@custom:contract-name ProofOfLearning
@license MIT
@notice The rules engine of WekaCoin (PROTOCOL.md). Money flow:
        - a supplier's `publish_task` escrows the task's reward and hosting fee;
        - a trainer's `commit_model` escrows the participation fee;
        - a task whose test set is not released in time expires: the fees are
          credited back to the trainers, the reward and hosting fee are burned;
        - settled amounts are credited, never pushed, and taken with `withdraw`.
        At every step the contract's WKC balance equals `escrowed + credited`.
        The contract deploys its own token from a blueprint, so it is the token's
        only minter from the token's first block.
@dev Composed of small modules, one concern each: `parameters` (section 2),
     `ledger` (escrow, credits, withdraw), `tasks` (section 4 and the release),
     `models` (section 5 and the reveal), `settlement` (expiry).
"""

from interfaces import IWekaCoin

from modules import parameters
from modules import ledger
from modules import tasks
from modules import models
from modules import settlement

initializes: parameters
initializes: ledger
initializes: tasks[parameters := parameters, ledger := ledger]
initializes: models[parameters := parameters, ledger := ledger, tasks := tasks]
initializes: settlement[parameters := parameters, ledger := ledger, tasks := tasks, models := models]

exports: (
    parameters.__interface__,
    ledger.token,
    ledger.escrowed,
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
)


@deploy
def __init__(
    token_blueprint: address, genesis_holder: address, genesis_supply: uint256, params: parameters.Parameters
):
    """
    @notice Fixes the parameters and deploys the WKC token from `token_blueprint`,
            with `genesis_supply` going to `genesis_holder`.
    @param token_blueprint An EIP-5202 blueprint of `WekaCoin.vy`.
    @param genesis_holder The account that receives the genesis supply.
    @param genesis_supply The genesis supply, in wei.
    @param params The protocol parameters (PROTOCOL.md section 2).
    """
    parameters.__init__(params)
    token_: address = create_from_blueprint(token_blueprint, genesis_holder, genesis_supply)
    ledger.__init__(IWekaCoin(token_))


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
    @param metric The metric id (PROTOCOL.md section 3).
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
