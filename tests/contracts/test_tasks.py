"""publish_task and release_test: the happy path, the escrow and every revert reason."""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.actors import HOSTING_FEE, REWARD, TEST_CID, TEST_SALT, TRAIN_CID, Protocol
from wekacoin_offchain.commitments import test_commitment

TASK_OPEN, TASK_RELEASED = 1, 2


def test_publish_escrows_reward_and_hosting_fee(protocol: Protocol, supplier: str) -> None:
    before = protocol.token.balanceOf(supplier)
    task_id = protocol.publish(supplier)
    assert task_id == 1 and protocol.pol.task_count() == 1
    task = protocol.task(task_id)
    assert (task.supplier, task.train_cid, task.metric, task.state) == (supplier, TRAIN_CID, 0, TASK_OPEN)
    assert task.test_commitment == test_commitment(TEST_CID, TEST_SALT)
    assert protocol.token.balanceOf(supplier) == before - REWARD - HOSTING_FEE
    assert protocol.pol.escrowed() == REWARD + HOSTING_FEE
    assert list(protocol.pol.open_task_ids()) == [task_id]
    protocol.assert_money_invariant()


def test_publish_logs_everything_needed_to_rebuild_the_task(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier, metric=4, baseline_score=-5)
    (event,) = [e for e in protocol.pol.get_logs() if type(e).__name__ == "TaskPublished"]
    assert (event.task_id, event.supplier, event.metric, event.reward, event.hosting_fee, event.baseline_score) == (
        task_id,
        supplier,
        4,
        REWARD,
        HOSTING_FEE,
        -5,
    )
    assert event.release_height == protocol.task(task_id).release_height


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"metric": 7}, "tasks: unknown metric"),
        ({"release_in": 4}, "tasks: training period too short"),
        ({"reward": 0}, "tasks: zero reward"),
        ({"hosting_fee": 10**18 - 1}, "tasks: hosting fee too low"),
        ({"train_cid": ""}, "cid: empty CID"),
        ({"baseline_cid": ""}, "cid: empty CID"),
        ({"train_cid": "b" * 101}, "cid: CID too long"),
        ({"reward": 10**24}, "ledger: balance too low"),
    ],
)
def test_publish_rejects(protocol: Protocol, supplier: str, change: dict, reason: str) -> None:
    with boa.reverts(reason):
        protocol.publish(supplier, **change)


def test_publish_accepts_the_shortest_training_period_and_longest_cid(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier, release_in=protocol.params.min_training_period, train_cid="b" * 100)
    assert protocol.task(task_id).train_cid == "b" * 100


def test_publish_rejects_an_empty_test_commitment(protocol: Protocol, supplier: str) -> None:
    with boa.env.prank(supplier), boa.reverts("tasks: empty test commitment"):
        protocol.pol.publish_task(TRAIN_CID, b"\x00" * 32, 0, 10**6, REWARD, HOSTING_FEE, TRAIN_CID, 0)


def test_publish_without_approval_is_rejected(protocol: Protocol) -> None:
    supplier = protocol.new_account(approve=False)
    with boa.reverts("ledger: transfer not approved"):
        protocol.publish(supplier)


def test_publish_rejects_more_open_tasks_than_allowed(protocol: Protocol, supplier: str) -> None:
    for _ in range(protocol.params.max_open_tasks):
        protocol.publish(supplier)
    with boa.reverts("tasks: too many open tasks"):
        protocol.publish(supplier)


def test_release_in_the_window_with_the_right_salt(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    task = protocol.task(task_id)
    assert (task.state, task.test_cid, task.released_at) == (TASK_RELEASED, TEST_CID, boa.env.evm.patch.block_number)


def test_release_on_the_last_block_of_the_window(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window - 1)
    protocol.release(supplier, task_id)


def test_release_rejects_wrong_salt_cid_sender_and_window(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    release_height = protocol.task(task_id).release_height
    with boa.reverts("tasks: release window not open yet"):
        protocol.release(supplier, task_id)
    protocol.mine_to(release_height)
    with boa.reverts("tasks: test set does not match commitment"):
        protocol.release(supplier, task_id, salt=b"\x01" * 32)
    with boa.reverts("tasks: test set does not match commitment"):
        protocol.release(supplier, task_id, test_cid=TRAIN_CID)
    with boa.reverts("cid: empty CID"):
        protocol.release(supplier, task_id, test_cid="")
    with boa.reverts("tasks: caller is not the supplier"):
        protocol.release(trainers[0], task_id)
    with boa.reverts("tasks: unknown task"):
        protocol.release(supplier, task_id + 1)
    protocol.mine_to(release_height + protocol.params.release_window)
    with boa.reverts("tasks: release window closed"):
        protocol.release(supplier, task_id)


def test_release_twice_is_rejected(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    with boa.reverts("tasks: task is not awaiting its test set"):
        protocol.release(supplier, task_id)
