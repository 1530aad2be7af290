"""expire_task (refund fees, burn reward and hosting fee) and pull payments."""

from __future__ import annotations

import boa

from tests.fixtures.actors import HOSTING_FEE, REWARD, Protocol

TASK_EXPIRED = 3


def test_expiry_refunds_every_fee_and_burns_reward_and_hosting_fee(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    for n, trainer in enumerate(trainers):
        protocol.commit(trainer, task_id, n)
    supply_before = protocol.token.totalSupply()
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window)

    protocol.pol.expire_task(task_id)  # anyone may call it

    fee = protocol.params.participation_fee
    assert protocol.task(task_id).state == TASK_EXPIRED
    assert protocol.token.totalSupply() == supply_before - REWARD - HOSTING_FEE
    assert [protocol.pol.owed(t) for t in trainers] == [fee, fee, fee]
    assert protocol.pol.owed(supplier) == 0
    assert protocol.pol.escrowed() == 0 and protocol.pol.credited() == 3 * fee
    assert list(protocol.pol.open_task_ids()) == []
    protocol.assert_money_invariant()


def test_expiry_rejects_before_the_release_window_ends(protocol: Protocol, supplier: str) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window - 1)
    with boa.reverts("settlement: release window still open"):
        protocol.pol.expire_task(task_id)


def test_expiry_rejects_released_expired_and_unknown_tasks(protocol: Protocol, supplier: str) -> None:
    released = protocol.publish(supplier)
    expired = protocol.publish(supplier)
    protocol.mine_to(protocol.task(released).release_height)
    protocol.release(supplier, released)
    protocol.mine_to(protocol.task(expired).release_height + protocol.params.release_window)
    protocol.pol.expire_task(expired)
    for task_id in (released, expired):
        with boa.reverts("settlement: task is not awaiting its test set"):
            protocol.pol.expire_task(task_id)
    with boa.reverts("tasks: unknown task"):
        protocol.pol.expire_task(99)


def test_withdraw_pays_what_is_owed_once(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id = protocol.publish(supplier)
    protocol.commit(trainers[0], task_id, 1)
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window)
    protocol.pol.expire_task(task_id)
    before = protocol.token.balanceOf(trainers[0])
    with boa.env.prank(trainers[0]):
        assert protocol.pol.withdraw() == protocol.params.participation_fee
    assert protocol.token.balanceOf(trainers[0]) == before + protocol.params.participation_fee
    assert protocol.pol.owed(trainers[0]) == 0
    with boa.env.prank(trainers[0]), boa.reverts("ledger: nothing owed"):
        protocol.pol.withdraw()
    protocol.assert_money_invariant()
