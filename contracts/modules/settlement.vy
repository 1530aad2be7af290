# pragma version ~=0.4.3
"""
@title Settlement of tasks that end without a round
@custom:contract-name settlement
@license MIT
@notice How a task ends and who is paid:
        - expiry (docs/protocol.md §6.3): the test set was not released in the
          release window; every participation fee is credited back in full and the
          supplier's reward and hosting fee are burned, as the paper has the
          supplier lose them;
        - settlement of a finalized round (docs/protocol.md §9.5 and §10,
          integer exact): the ranking is checked against the models, then the reward, the
          fee refunds, the hosting fee, the forfeited fees and the round issuance
          are credited;
        - cancellation (docs/protocol.md §10.8): no round reached a quorum in
          `max_attempts` attempts.
"""

from . import parameters
from . import ledger
from . import tasks
from . import models
from . import ranking
from . import objects

uses: parameters
uses: ledger
uses: tasks
uses: models
uses: objects


# @dev Emitted when a finalized round settles its task: who got the reward,
# how many fees were refunded, what was forfeited, how many validators shared.
event TaskSettled:
    task_id: indexed(uint256)
    task_valid: bool
    ranked: uint256
    reward_to: address
    refunded_models: uint256
    forfeited: uint256
    validators: uint256


# @dev Emitted when a task expires: `burned` is its reward plus hosting fee.
event TaskExpired:
    task_id: indexed(uint256)
    burned: uint256
    refunded_models: uint256


# @dev Models already listed in the ranking being checked (transient: one call).
listed: transient(HashMap[uint256, bool])


@internal
def _settle(
    task_id: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
    valid_validators: DynArray[address, parameters.MAX_VALIDATORS_BOUND],
    storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS],
):
    """
    @dev Checks the consensus ranking against the task's models, then pays out
         (docs/protocol.md §10) and closes the task as settled.
    @param task_id The round's task.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    @param valid_validators The genuine members that voted for the result.
    @param storage What the committee found for each of the task's objects:
           certifies or rejects them (docs/protocol.md §7.2).
    """
    task_: tasks.Task = tasks.task[task_id]
    self._check_ranking(task_id, task_.metric, task_.revealed_count, task_valid, entries)

    ranked: uint256 = 0
    reward_to: address = task_.supplier
    refunded_fees: uint256 = 0
    refunds: uint256 = 0
    if task_valid:
        for entry: ranking.RankedModel in entries:
            if entry.genuine:
                ranked += 1
        if ranked > 0 and ranking._at_least_as_good(entries[0].score, task_.baseline_score, task_.metric):
            reward_to = models.model[entries[0].model_id].trainer
            ledger._credit(reward_to, task_.reward, task_id, ledger.CREDIT_REWARD)
        else:
            ledger._credit(reward_to, task_.reward, task_id, ledger.CREDIT_REWARD_RETURNED)
        # ceil(refund_bps * ranked / BPS) <= ranked <= len(entries).
        refunds = (parameters.refund_bps * ranked + parameters.BPS - 1) // parameters.BPS
    else:
        reward_to = empty(address)
        ledger._burn(task_.reward, task_id)
        refunds = len(entries)
    for position: uint256 in range(refunds, bound=parameters.MAX_MODELS_BOUND):
        model_id: uint256 = entries[position].model_id
        fee: uint256 = models.model[model_id].fee
        ledger._credit(models.model[model_id].trainer, fee, task_id, ledger.CREDIT_FEE_REFUND)
        refunded_fees += fee
    # Fees of models below the cut, not genuine, or never revealed.
    forfeited: uint256 = models.task_fees[task_id] - refunded_fees

    validators: uint256 = len(valid_validators)
    if validators == 0:
        ledger._credit(task_.supplier, task_.hosting_fee, task_id, ledger.CREDIT_HOSTING_FEE_RETURNED)
        ledger._burn(forfeited, task_id)
    else:
        ledger._mint_to_escrow(parameters.round_issuance)
        self._split(valid_validators, task_.hosting_fee, task_id, ledger.CREDIT_HOSTING_FEE)
        self._split(valid_validators, forfeited, task_id, ledger.CREDIT_FORFEITED_FEES)
        self._split(valid_validators, parameters.round_issuance, task_id, ledger.CREDIT_ISSUANCE)
    objects._judge(task_id, storage)
    tasks._close(task_id, tasks.TASK_SETTLED)
    log TaskSettled(
        task_id=task_id,
        task_valid=task_valid,
        ranked=ranked,
        reward_to=reward_to,
        refunded_models=refunds,
        forfeited=forfeited,
        validators=validators,
    )


@internal
def _split(accounts: DynArray[address, parameters.MAX_VALIDATORS_BOUND], amount: uint256, task_id: uint256, reason: uint8):
    """
    @dev Credits floor(amount / n) to each account and the remainder (dust) to
         the first (the lowest address), so nothing is lost or created
         (docs/protocol.md §10.5).
    @param accounts The accounts, at least one.
    @param amount The amount to split, in wei.
    @param task_id The task the credits settle.
    @param reason The CREDIT_* code.
    """
    share: uint256 = amount // len(accounts)
    ledger._credit(accounts[0], share + amount % len(accounts), task_id, reason)
    for position: uint256 in range(1, len(accounts), bound=parameters.MAX_VALIDATORS_BOUND):
        ledger._credit(accounts[position], share, task_id, reason)


@internal
def _check_ranking(
    task_id: uint256,
    metric: uint8,
    revealed_count: uint256,
    task_valid: bool,
    entries: DynArray[ranking.RankedModel, parameters.MAX_MODELS_BOUND],
):
    """
    @dev The ranking lists every revealed model of the task exactly once: as many
         entries as revealed models, each a revealed model of this task, none
         twice. Genuine models come first (none when the task is invalid) and in
         consensus order by the recorded sizes, trainers and commitments; then the
         others with score 0 by ascending id.
    @param task_id The task.
    @param metric The task's metric.
    @param revealed_count The task's revealed models.
    @param task_valid The consensus on the task's validity.
    @param entries The consensus ranking.
    """
    assert len(entries) == revealed_count, "settlement: ranking must list every revealed model"
    genuine: uint256 = 0
    previous: ranking.SortKey = empty(ranking.SortKey)
    for position: uint256 in range(len(entries), bound=parameters.MAX_MODELS_BOUND):
        entry: ranking.RankedModel = entries[position]
        model_id: uint256 = entry.model_id
        assert models.model[model_id].task_id == task_id, "settlement: ranking lists a model of another task"
        assert models.model[model_id].revealed_at != 0, "settlement: ranking lists an unrevealed model"
        assert not self.listed[model_id], "settlement: ranking lists a model twice"
        self.listed[model_id] = True
        key: ranking.SortKey = ranking.SortKey(score=entry.score, size=0, product=0, model_id=model_id)
        if entry.genuine:
            assert task_valid, "settlement: an invalid task has no genuine model"
            assert genuine == position, "settlement: genuine models come first"
            key.size = models.model[model_id].model_size
            key.product = ranking._product(models.model[model_id].trainer, models.model[model_id].commitment)
            assert position == 0 or ranking._comes_before(previous, key, metric), "settlement: genuine models out of order"
            genuine += 1
        else:
            assert entry.score == 0, "settlement: a model that is not genuine has score 0"
            assert position == genuine or previous.model_id < model_id, "settlement: models that are not genuine must ascend by id"
        previous = key


@internal
def _expire(task_id: uint256):
    """
    @dev A task whose test set was not released in the release window expires
         (docs/protocol.md §6): every participation fee back, the reward and the
         hosting fee burned.
    @param task_id The task.
    """
    task_: tasks.Task = tasks._existing(task_id)
    assert task_.state == tasks.TASK_OPEN, "settlement: task is not awaiting its test set"
    assert block.number >= task_.release_height + parameters.release_window, "settlement: release window still open"

    tasks._close(task_id, tasks.TASK_EXPIRED)
    self._refund_every_fee(task_id, task_.model_count)
    objects._lapse(task_id)
    burned: uint256 = task_.reward + task_.hosting_fee
    ledger._burn(burned, task_id)
    log TaskExpired(task_id=task_id, burned=burned, refunded_models=task_.model_count)


# @dev Emitted when a task is cancelled after `max_attempts` failed attempts:
# everything escrowed for it went back.
event TaskCancelled:
    task_id: indexed(uint256)
    reward_returned: uint256
    hosting_fee_returned: uint256
    refunded_models: uint256


@internal
def _cancel(task_id: uint256):
    """
    @dev No round reached a quorum in `max_attempts` attempts (docs/protocol.md §10.8): the reward and the
         hosting fee go back to the supplier and every participation fee, revealed
         or not, back to its trainer; nothing is minted.
    @param task_id The task.
    """
    task_: tasks.Task = tasks.task[task_id]
    tasks._close(task_id, tasks.TASK_CANCELLED)
    self._refund_every_fee(task_id, task_.model_count)
    objects._lapse(task_id)
    ledger._credit(task_.supplier, task_.reward, task_id, ledger.CREDIT_REWARD_RETURNED)
    ledger._credit(task_.supplier, task_.hosting_fee, task_id, ledger.CREDIT_HOSTING_FEE_RETURNED)
    log TaskCancelled(
        task_id=task_id, reward_returned=task_.reward, hosting_fee_returned=task_.hosting_fee, refunded_models=task_.model_count
    )


@internal
def _refund_every_fee(task_id: uint256, model_count: uint256):
    """
    @dev Credits every participation fee of a task back to its trainer, revealed
         or not, in commitment order: what expiry and cancellation share.
    @param task_id The task.
    @param model_count The task's model commitments.
    """
    # Bounded by `max_models_per_task` <= MAX_MODELS_BOUND: a task cannot hold more.
    for position: uint256 in range(model_count, bound=parameters.MAX_MODELS_BOUND):
        model: models.Model = models.model[tasks.task_models[task_id][position]]
        ledger._credit(model.trainer, model.fee, task_id, ledger.CREDIT_FEE_REFUND)
