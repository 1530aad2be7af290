# pragma version ~=0.4.3
"""
@title Tasks: publication and test release
@custom:contract-name tasks
@license MIT
@notice A supplier publishes a task (docs/protocol.md §4): the training data's
        CID, a commitment to the hidden test set, a metric, a release height, and a
        reward and hosting fee that go into escrow. From `release_height` the
        supplier has `release_window` blocks to release the test set that matches
        the commitment (§6.1).
"""

from . import cid
from . import parameters
from . import ledger
from . import objects

uses: parameters
uses: ledger
uses: objects


# @dev Metrics of docs/protocol.md §3.2: 0 accuracy, 1 macro F1, 2 Cohen's kappa,
# 3 ROC AUC, 4 RMSE, 5 MAE, 6 R².
METRIC_COUNT: constant(uint8) = 7

# @dev Task states.
TASK_OPEN: constant(uint8) = 1  # published; the test set is not released yet
TASK_RELEASED: constant(uint8) = 2  # the test set is released
TASK_EXPIRED: constant(uint8) = 3  # the release window passed without a release
TASK_SETTLED: constant(uint8) = 4  # a round finalized it
TASK_CANCELLED: constant(uint8) = 5  # no round reached a quorum in `max_attempts`


struct Task:
    supplier: address
    train_cid: String[128]
    test_commitment: bytes32
    metric: uint8
    release_height: uint256
    reward: uint256
    hosting_fee: uint256
    baseline_cid: String[128]
    baseline_score: int256
    published_at: uint256
    state: uint8
    test_cid: String[128]
    released_at: uint256
    model_count: uint256
    revealed_count: uint256


# @dev Emitted when `supplier` publishes task `task_id` and escrows its reward
# and hosting fee.
event TaskPublished:
    task_id: indexed(uint256)
    supplier: indexed(address)
    train_cid: String[128]
    test_commitment: bytes32
    metric: uint8
    release_height: uint256
    reward: uint256
    hosting_fee: uint256
    baseline_cid: String[128]
    baseline_score: int256


# @dev Emitted when the supplier releases the test set matching the task's
# commitment.
event TestReleased:
    task_id: indexed(uint256)
    test_cid: String[128]
    salt: bytes32


# @dev The number of tasks ever published; task ids run from 1 to `task_count`.
task_count: public(uint256)
# @dev Every task by id.
task: public(HashMap[uint256, Task])
# @dev The models committed to each task, by task id and position (0-based).
task_models: public(HashMap[uint256, HashMap[uint256, uint256]])
# @dev Tasks neither settled, expired nor cancelled, in no particular order.
open_tasks: DynArray[uint256, parameters.MAX_OPEN_TASKS_BOUND]


@external
@view
def open_task_ids() -> DynArray[uint256, parameters.MAX_OPEN_TASKS_BOUND]:
    """
    @notice The tasks that are neither settled, expired nor cancelled.
    @return DynArray The ids of the open tasks, in no particular order.
    """
    return self.open_tasks


@internal
def _publish(
    supplier: address,
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
    @dev Publishes a task (docs/protocol.md §4), notes its training and baseline
         CIDs as the supplier's, and escrows reward + hosting fee last.
    @param supplier The publishing account.
    @param train_cid The training data's CID.
    @param test_commitment keccak256(abi_encode(test_cid, salt)).
    @param metric The metric id.
    @param release_height The first block of the release window.
    @param reward The reward, in wei.
    @param hosting_fee The hosting fee, in wei.
    @param baseline_cid The baseline model's CID.
    @param baseline_score The baseline's score.
    @return uint256 The new task id.
    """
    cid._check(train_cid)
    cid._check(baseline_cid)
    assert test_commitment != empty(bytes32), "tasks: empty test commitment"
    assert metric < METRIC_COUNT, "tasks: unknown metric"
    assert release_height >= block.number + parameters.min_training_period, "tasks: training period too short"
    assert reward > 0, "tasks: zero reward"
    assert hosting_fee >= parameters.min_hosting_fee, "tasks: hosting fee too low"
    assert len(self.open_tasks) < parameters.max_open_tasks, "tasks: too many open tasks"

    task_id: uint256 = self.task_count + 1
    self.task_count = task_id
    self.task[task_id] = Task(
        supplier=supplier,
        train_cid=train_cid,
        test_commitment=test_commitment,
        metric=metric,
        release_height=release_height,
        reward=reward,
        hosting_fee=hosting_fee,
        baseline_cid=baseline_cid,
        baseline_score=baseline_score,
        published_at=block.number,
        state=TASK_OPEN,
        test_cid="",
        released_at=0,
        model_count=0,
        revealed_count=0,
    )
    self.open_tasks.append(task_id)
    objects._note(task_id, train_cid, supplier)
    objects._note(task_id, baseline_cid, supplier)
    log TaskPublished(
        task_id=task_id,
        supplier=supplier,
        train_cid=train_cid,
        test_commitment=test_commitment,
        metric=metric,
        release_height=release_height,
        reward=reward,
        hosting_fee=hosting_fee,
        baseline_cid=baseline_cid,
        baseline_score=baseline_score,
    )

    ledger._pull(supplier, reward + hosting_fee, ledger.INTO_ESCROW)
    return task_id


@internal
def _release(task_id: uint256, caller: address, test_cid: String[128], salt: bytes32):
    """
    @dev Releases the test set in the release window (docs/protocol.md §6) and
         notes its CID as the supplier's.
    @param task_id The task.
    @param caller The releasing account; must be the supplier.
    @param test_cid The test set's CID.
    @param salt The commitment's salt.
    """
    task_: Task = self._existing(task_id)
    assert caller == task_.supplier, "tasks: caller is not the supplier"
    assert task_.state == TASK_OPEN, "tasks: task is not awaiting its test set"
    assert block.number >= task_.release_height, "tasks: release window not open yet"
    assert block.number < task_.release_height + parameters.release_window, "tasks: release window closed"
    cid._check(test_cid)
    assert keccak256(abi_encode(test_cid, salt)) == task_.test_commitment, "tasks: test set does not match commitment"

    self.task[task_id].state = TASK_RELEASED
    self.task[task_id].test_cid = test_cid
    self.task[task_id].released_at = block.number
    objects._note(task_id, test_cid, caller)
    log TestReleased(task_id=task_id, test_cid=test_cid, salt=salt)


@internal
@view
def _assert_takes_objects(task_id: uint256):
    """
    @dev A task takes object registrations until its reveal window closes, that
         is until a round can open on it: the objects its committee judges are
         fixed before the committee is drawn (docs/protocol.md §7.2).
    @param task_id The task.
    """
    task_: Task = self._existing(task_id)
    assert task_.state == TASK_OPEN or (
        task_.state == TASK_RELEASED and block.number < task_.released_at + parameters.reveal_window
    ), "objects: the task takes no more objects"


@internal
def _add_model(task_id: uint256, model_id: uint256):
    """
    @dev Appends a committed model to its task's list.
    @param task_id The task.
    @param model_id The model.
    """
    position: uint256 = self.task[task_id].model_count
    self.task_models[task_id][position] = model_id
    self.task[task_id].model_count = position + 1


@internal
def _note_reveal(task_id: uint256):
    """
    @dev Counts a revealed model of the task.
    @param task_id The task.
    """
    self.task[task_id].revealed_count += 1


@internal
def _close(task_id: uint256, state: uint8):
    """
    @dev Moves an open task to a final state and drops it from `open_tasks`.
    @param task_id The task.
    @param state TASK_EXPIRED, TASK_SETTLED or TASK_CANCELLED.
    """
    self.task[task_id].state = state
    count: uint256 = len(self.open_tasks)
    for i: uint256 in range(count, bound=parameters.MAX_OPEN_TASKS_BOUND):
        if self.open_tasks[i] == task_id:
            # Swap with the last entry and pop: the order of open tasks carries no meaning.
            self.open_tasks[i] = self.open_tasks[count - 1]
            self.open_tasks.pop()
            return
    raise "tasks: task is not open"


@internal
@view
def _next_ready() -> uint256:
    """
    @dev The paper's rule: among open tasks whose test set is released and whose
         reveal window has closed, the one with the most model commitments, the
         lowest id on a tie.
    @return uint256 The task, 0 if none is ready.
    """
    best: uint256 = 0
    best_models: uint256 = 0
    # Bounded by MAX_OPEN_TASKS_BOUND, the capacity of `open_tasks`.
    for task_id: uint256 in self.open_tasks:
        if self.task[task_id].state != TASK_RELEASED:
            continue
        if block.number < self.task[task_id].released_at + parameters.reveal_window:
            continue
        count: uint256 = self.task[task_id].model_count
        if best == 0 or count > best_models or (count == best_models and task_id < best):
            best = task_id
            best_models = count
    return best


@internal
@view
def _existing(task_id: uint256) -> Task:
    """
    @dev Reverts unless `task_id` names a published task.
    @param task_id The task.
    @return Task Its record.
    """
    assert task_id > 0 and task_id <= self.task_count, "tasks: unknown task"
    return self.task[task_id]
