# pragma version ~=0.4.3
"""
@title Settlement of tasks that end without a round
@custom:contract-name settlement
@license MIT
@notice A task whose supplier does not release the test set in the release
        window expires (PROTOCOL.md section 6): anyone may call `expire_task`;
        every trainer's participation fee is credited back in full and the
        supplier's reward and hosting fee are burned, as the paper has the
        supplier lose them.
"""

from . import parameters
from . import ledger
from . import tasks
from . import models

uses: parameters
uses: ledger
uses: tasks
uses: models


event TaskExpired:
    task_id: indexed(uint256)
    burned: uint256
    refunded_models: uint256


@internal
def _expire(task_id: uint256):
    task_: tasks.Task = tasks._existing(task_id)
    assert task_.state == tasks.TASK_OPEN, "settlement: task is not awaiting its test set"
    assert block.number >= task_.release_height + parameters.release_window, "settlement: release window still open"

    tasks._close(task_id, tasks.TASK_EXPIRED)
    # Bounded by `max_models_per_task` <= MAX_MODELS_BOUND: a task cannot hold more.
    for position: uint256 in range(task_.model_count, bound=parameters.MAX_MODELS_BOUND):
        model: models.Model = models.model[tasks.task_models[task_id][position]]
        ledger._credit(model.trainer, model.fee, task_id, ledger.CREDIT_FEE_REFUND)
    burned: uint256 = task_.reward + task_.hosting_fee
    ledger._burn(burned, task_id)
    log TaskExpired(task_id=task_id, burned=burned, refunded_models=task_.model_count)


event TaskCancelled:
    task_id: indexed(uint256)
    reward_returned: uint256
    hosting_fee_returned: uint256
    refunded_models: uint256


@internal
def _cancel(task_id: uint256):
    """
    @dev No round reached a quorum in `max_attempts` attempts (round_spec.md):
         the reward and the hosting fee go back to the supplier and every
         participation fee, revealed or not, back to its trainer; nothing is minted.
    """
    task_: tasks.Task = tasks.task[task_id]
    tasks._close(task_id, tasks.TASK_CANCELLED)
    # Bounded by `max_models_per_task` <= MAX_MODELS_BOUND: a task cannot hold more.
    for position: uint256 in range(task_.model_count, bound=parameters.MAX_MODELS_BOUND):
        model_id: uint256 = tasks.task_models[task_id][position]
        ledger._credit(models.model[model_id].trainer, models.model[model_id].fee, task_id, ledger.CREDIT_FEE_REFUND)
    ledger._credit(task_.supplier, task_.reward, task_id, ledger.CREDIT_REWARD_RETURNED)
    ledger._credit(task_.supplier, task_.hosting_fee, task_id, ledger.CREDIT_HOSTING_FEE_RETURNED)
    log TaskCancelled(
        task_id=task_id, reward_returned=task_.reward, hosting_fee_returned=task_.hosting_fee, refunded_models=task_.model_count
    )
