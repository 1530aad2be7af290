"""Protocol actions through ape, with every user mistake caught before a transaction.

Each function checks its input against the chain's current state and the protocol's
rules, raises `UserError` with one clear line when something is wrong, and only then
sends the transaction. Ids come from the events, not from `receipt.return_value`: on
ape's local network a state-changing call's return value is replayed afterwards and
reports the *next* id.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wekacoin_offchain.chain.states import TaskState
from wekacoin_offchain.chain.views import ModelView, TaskView
from wekacoin_offchain.commitments import model_commitment, test_commitment
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import Metric, metric_by_id, metric_by_name
from wekacoin_offchain.storage import parse_cid

# Mirrors contracts/modules/cid.vy.
MAX_CID_LENGTH = 100
INT256_MIN, INT256_MAX = -(2**255), 2**255 - 1


@dataclass(frozen=True)
class TaskRequest:
    """What a supplier asks `publish_task` for; amounts in wei, scores in 1e-6 units."""

    train_cid: str
    test_commitment: bytes
    metric: str | int
    release_height: int
    reward: int
    hosting_fee: int
    baseline_cid: str
    baseline_score: int


def check_cid(text: str, what: str) -> str:
    """`text` (stripped) if it is a CID the contract accepts, else a `UserError`.

    The text is not re-encoded: commitments are over the exact string.
    """
    parse_cid(text)
    cid = text.strip()
    if len(cid) > MAX_CID_LENGTH:
        raise UserError(f"{what} CID is {len(cid)} characters; the contract accepts at most {MAX_CID_LENGTH}")
    return cid


def resolve_metric(metric: str | int) -> Metric:
    return metric_by_id(metric) if isinstance(metric, int) else metric_by_name(metric)


def next_block(chain: Any) -> int:
    """The number of the block the next transaction will be mined in."""
    return int(chain.blocks.height) + 1


def has_opened(chain: Any, height: int) -> bool:
    """Whether a window that opens at block `height` admits a transaction sent now.

    A node estimates gas against its latest block and mines the transaction in the next
    one, so the window must already be open at the latest block (anvil refuses the
    estimate otherwise); a window's end is checked against the next block instead.
    """
    return int(chain.blocks.height) >= height


def publish_task(pol: Any, token: Any, chain: Any, supplier: Any, request: TaskRequest) -> int:
    """Publish a task, approving the escrow first if needed; returns the task id."""
    train_cid = check_cid(request.train_cid, "train")
    baseline_cid = check_cid(request.baseline_cid, "baseline")
    metric = resolve_metric(request.metric)
    if len(request.test_commitment) != 32 or not any(request.test_commitment):
        raise UserError("test commitment must be 32 non-zero bytes")
    if request.reward <= 0:
        raise UserError("reward must be positive")
    min_hosting_fee = int(pol.min_hosting_fee())
    if request.hosting_fee < min_hosting_fee:
        raise UserError(
            f"hosting fee {format_wkc(request.hosting_fee)} is below the minimum {format_wkc(min_hosting_fee)}"
        )
    _check_score(request.baseline_score, "baseline score")
    open_tasks, max_open = len(pol.open_task_ids()), int(pol.max_open_tasks())
    if open_tasks >= max_open:
        raise UserError(f"{open_tasks} tasks are open, the most allowed; wait for one to settle or expire")
    escrow = request.reward + request.hosting_fee
    needs_approval = _needs_approval(pol, token, supplier, escrow)
    # An approval transaction takes a block of its own before the publication.
    earliest = next_block(chain) + int(needs_approval) + int(pol.min_training_period())
    if request.release_height < earliest:
        raise UserError(f"release height {request.release_height} is too soon: the earliest allowed now is {earliest}")
    if needs_approval:
        token.approve(pol.address, escrow, sender=supplier)

    receipt = pol.publish_task(
        train_cid,
        request.test_commitment,
        metric.id,
        request.release_height,
        request.reward,
        request.hosting_fee,
        baseline_cid,
        request.baseline_score,
        sender=supplier,
    )
    return int(_event(receipt, pol.TaskPublished).task_id)


def commit_model(
    pol: Any, token: Any, chain: Any, trainer: Any, task_id: int, model_cid: str, salt: bytes, train_score: int
) -> int:
    """Commit to a model before the task's release height; returns the model id."""
    task = existing_task(pol, task_id)
    if task.state != TaskState.OPEN:
        raise UserError(f"task {task_id} is {task.state}: it no longer accepts models")
    if next_block(chain) >= task.release_height:
        raise UserError(f"task {task_id} stopped accepting models at its release height {task.release_height}")
    if task.model_count >= int(pol.max_models_per_task()):
        raise UserError(f"task {task_id} already has the most models allowed ({task.model_count})")
    _check_score(train_score, "training score")
    commitment = model_commitment(check_cid(model_cid, "model"), trainer.address, salt)
    if pol.commitment_used(commitment):
        raise UserError("this commitment was already used: pick a fresh salt")
    fee = int(pol.participation_fee())
    if _needs_approval(pol, token, trainer, fee):
        if next_block(chain) + 1 >= task.release_height:
            raise UserError(f"no time left to approve the fee before task {task_id}'s release height: approve earlier")
        token.approve(pol.address, fee, sender=trainer)

    receipt = pol.commit_model(task_id, commitment, train_score, sender=trainer)
    return int(_event(receipt, pol.ModelCommitted).model_id)


def release_test(pol: Any, chain: Any, supplier: Any, task_id: int, test_cid: str, salt: bytes) -> None:
    """Release the hidden test set of `supplier`'s task, in its release window."""
    task = existing_task(pol, task_id)
    if task.supplier != supplier.address:
        raise UserError(f"task {task_id} belongs to {task.supplier}, not {supplier.address}")
    if task.state != TaskState.OPEN:
        raise UserError(f"task {task_id} is {task.state}: nothing to release")
    window_end = task.release_height + int(pol.release_window())
    if not has_opened(chain, task.release_height):
        raise UserError(
            f"task {task_id}'s release window opens at block {task.release_height}; the chain is at block {chain.blocks.height}"
        )
    if next_block(chain) >= window_end:
        raise UserError(f"task {task_id}'s release window closed at block {window_end}")
    cid = check_cid(test_cid, "test")
    if test_commitment(cid, salt) != task.test_commitment:
        raise UserError("this test CID and salt do not match the task's test commitment")
    pol.release_test(task_id, cid, salt, sender=supplier)


def reveal_model(
    pol: Any, chain: Any, trainer: Any, model_id: int, model_cid: str, salt: bytes, model_size: int
) -> None:
    """Reveal a committed model after the test release, in the reveal window."""
    model = existing_model(pol, model_id)
    if model.trainer != trainer.address:
        raise UserError(f"model {model_id} was committed by {model.trainer}, not {trainer.address}")
    if model.revealed:
        raise UserError(f"model {model_id} is already revealed")
    task = TaskView.from_chain(pol, model.task_id)
    if task.state != TaskState.RELEASED:
        raise UserError(f"task {model.task_id}'s test set is not released: reveal after the release")
    window_end = task.released_at + int(pol.reveal_window())
    if next_block(chain) >= window_end:
        raise UserError(f"model {model_id}'s reveal window closed at block {window_end}")
    if model_size <= 0:
        raise UserError("model size must be positive")
    cid = check_cid(model_cid, "model")
    if model_commitment(cid, trainer.address, salt) != model.commitment:
        raise UserError("this model CID and salt do not match the commitment")
    pol.reveal_model(model_id, cid, salt, model_size, sender=trainer)


def expire_task(pol: Any, chain: Any, caller: Any, task_id: int) -> None:
    """Expire a task whose test set was not released in its release window."""
    task = existing_task(pol, task_id)
    if task.state != TaskState.OPEN:
        raise UserError(f"task {task_id} is {task.state}: it cannot expire")
    window_end = task.release_height + int(pol.release_window())
    if not has_opened(chain, window_end):
        raise UserError(f"task {task_id}'s release window is open until block {window_end}")
    pol.expire_task(task_id, sender=caller)


def register_object(pol: Any, token: Any, chain: Any, account: Any, task_id: int, cid: str, data: bytes) -> int | None:
    """Register `data`, published by `account` under `cid` in task `task_id`, as a stored
    object its committee will certify (docs/protocol.md §7.2), approving the deposit;
    returns the object id, or None if the CID is registered in the task already or the
    task takes no more objects by the block the registration would land in."""
    from eth_hash.auto import keccak

    from wekacoin_offchain.crypto import object_commitment

    cid_hash = keccak(cid.encode())
    if int(pol.object_of(task_id, cid_hash)) != 0:
        return None
    if str(pol.publisher_of(task_id, cid_hash)) != str(account.address):
        raise UserError(f"{cid} was not published by {account.address} in task {task_id}")
    deposit = int(pol.object_deposit())
    needs_approval = _needs_approval(pol, token, account, deposit)
    task = TaskView.from_chain(pol, task_id)
    # An approval transaction takes a block of its own before the registration.
    lands = next_block(chain) + int(needs_approval)
    if task.state != TaskState.OPEN and not (
        task.state == TaskState.RELEASED and lands < task.released_at + int(pol.reveal_window())
    ):
        return None
    if needs_approval:
        token.approve(pol.address, deposit, sender=account)
    commitment = object_commitment(data)
    pol.register_object(task_id, cid, commitment.size, commitment.root, sender=account)
    # Read back through a view rather than the receipt's log: a node's ape contract cache
    # may still hold the event's earlier schema for the same address.
    return int(pol.object_of(task_id, cid_hash))


def withdraw(pol: Any, account: Any) -> int:
    """Take everything the contract owes `account`; returns the amount."""
    amount = int(pol.owed(account.address))
    if amount == 0:
        raise UserError(f"nothing is owed to {account.address}")
    pol.withdraw(sender=account)
    return amount


def existing_task(pol: Any, task_id: int) -> TaskView:
    count = int(pol.task_count())
    if not 1 <= task_id <= count:
        raise UserError(f"task {task_id} does not exist (tasks run from 1 to {count})")
    return TaskView.from_chain(pol, task_id)


def existing_model(pol: Any, model_id: int) -> ModelView:
    count = int(pol.model_count())
    if not 1 <= model_id <= count:
        raise UserError(f"model {model_id} does not exist (models run from 1 to {count})")
    return ModelView.from_chain(pol, model_id)


def format_wkc(wei: int) -> str:
    """An amount in wei as WKC, e.g. `51 WKC` or `0.000001 WKC`."""
    return f"{(Decimal(wei) / 10**18).normalize():f} WKC"


def _check_score(score: int, what: str) -> None:
    if not INT256_MIN <= score <= INT256_MAX:
        raise UserError(f"{what} {score} does not fit an int256")


def _needs_approval(pol: Any, token: Any, payer: Any, amount: int) -> bool:
    """Whether the payer must approve the escrow first; a `UserError` if it cannot pay."""
    balance = int(token.balanceOf(payer.address))
    if balance < amount:
        raise UserError(f"{payer.address} holds {format_wkc(balance)} but needs {format_wkc(amount)} for the escrow")
    return int(token.allowance(payer.address, pol.address)) < amount


def _event(receipt: Any, event_type: Any) -> Any:
    logs = receipt.decode_logs(event_type)
    if len(logs) != 1:
        raise RuntimeError(f"expected one {event_type.name} event, got {len(logs)}")
    return logs[0]
