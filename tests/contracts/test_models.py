"""commit_model and reveal_model: escrow of fees, the windows and every revert reason."""

from __future__ import annotations

import boa

from tests.fixtures.actors import Protocol, model_cid, model_salt
from wekacoin_offchain.commitments import model_commitment


def test_commit_escrows_the_participation_fee(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id = protocol.publish(supplier)
    escrow_before = protocol.pol.escrowed()
    model_id = protocol.commit(trainers[0], task_id, 1, train_score=912_345)
    model = protocol.pol.model(model_id)
    assert (model.task_id, model.trainer, model.train_score, model.fee) == (
        task_id,
        trainers[0],
        912_345,
        protocol.params.participation_fee,
    )
    assert model.commitment == model_commitment(model_cid(1), trainers[0], model_salt(1))
    assert protocol.pol.escrowed() == escrow_before + protocol.params.participation_fee
    assert protocol.pol.task_models(task_id, 0) == model_id
    assert protocol.task(task_id).model_count == 1
    protocol.assert_money_invariant()


def test_commit_rejects_a_duplicate_commitment_even_in_another_task(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    first = protocol.publish(supplier)
    second = protocol.publish(supplier)
    protocol.commit(trainers[0], first, 1)
    with boa.reverts("models: duplicate commitment"):
        protocol.commit(trainers[0], first, 1)
    with boa.reverts("models: duplicate commitment"):
        protocol.commit(trainers[0], second, 1)


def test_commit_rejects_from_the_release_height_on(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height - 1)
    protocol.commit(trainers[0], task_id, 1)  # the last block before the release height
    protocol.mine(1)
    with boa.reverts("models: commitments closed at the release height"):
        protocol.commit(trainers[0], task_id, 2)


def test_commit_rejects_over_the_model_limit(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id = protocol.publish(supplier, release_in=1_000)
    for n in range(protocol.params.max_models_per_task):
        protocol.commit(trainers[n % 3], task_id, n)
    with boa.reverts("models: task has the most models allowed"):
        protocol.commit(trainers[0], task_id, 10_000)


def test_commit_rejects_unknown_task_empty_commitment_and_unfunded_trainer(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    with boa.reverts("tasks: unknown task"):
        protocol.commit(trainers[0], task_id + 1, 1)
    with boa.env.prank(trainers[0]), boa.reverts("models: empty commitment"):
        protocol.pol.commit_model(task_id, b"\x00" * 32, 0)
    broke = boa.env.generate_address()
    with boa.reverts("ledger: balance too low"):
        protocol.commit(broke, task_id, 1)


def test_commit_rejects_an_expired_task(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id = protocol.publish(supplier)
    protocol.mine_to(protocol.task(task_id).release_height + protocol.params.release_window)
    protocol.pol.expire_task(task_id)
    with boa.reverts("models: task is not accepting models"):
        protocol.commit(trainers[0], task_id, 1)


def _released_task_with_model(protocol: Protocol, supplier: str, trainer: str) -> tuple[int, int]:
    task_id = protocol.publish(supplier)
    model_id = protocol.commit(trainer, task_id, 7)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    return task_id, model_id


def test_reveal_after_release(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    task_id, model_id = _released_task_with_model(protocol, supplier, trainers[0])
    protocol.reveal(trainers[0], model_id, 7, size=4_321)
    (event,) = [e for e in protocol.pol.get_logs() if type(e).__name__ == "ModelRevealed"]
    assert (event.model_id, event.task_id, event.model_cid, event.salt) == (
        model_id,
        task_id,
        model_cid(7),
        model_salt(7),
    )
    model = protocol.pol.model(model_id)
    assert (model.model_cid, model.model_size, model.revealed_at) == (
        model_cid(7),
        4_321,
        boa.env.evm.patch.block_number,
    )
    assert protocol.task(task_id).revealed_count == 1


def test_reveal_rejects_wrong_salt_cid_sender_size_and_repeat(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    _, model_id = _released_task_with_model(protocol, supplier, trainers[0])
    with boa.env.prank(trainers[0]), boa.reverts("models: model does not match commitment"):
        protocol.pol.reveal_model(model_id, model_cid(7), model_salt(8), 1)
    with boa.env.prank(trainers[0]), boa.reverts("models: model does not match commitment"):
        protocol.pol.reveal_model(model_id, model_cid(8), model_salt(7), 1)
    with boa.reverts("models: caller is not the trainer"):
        protocol.reveal(trainers[1], model_id, 7)
    with boa.reverts("models: zero model size"):
        protocol.reveal(trainers[0], model_id, 7, size=0)
    with boa.env.prank(trainers[0]), boa.reverts("cid: empty CID"):
        protocol.pol.reveal_model(model_id, "", model_salt(7), 1)
    with boa.reverts("models: unknown model"):
        protocol.reveal(trainers[0], model_id + 1, 7)
    protocol.reveal(trainers[0], model_id, 7)
    with boa.reverts("models: already revealed"):
        protocol.reveal(trainers[0], model_id, 7)


def test_a_copied_commitment_cannot_be_revealed_by_the_copier(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    honest, copier = trainers[0], trainers[1]
    stolen = model_commitment(model_cid(1), honest, model_salt(1))
    with boa.env.prank(copier):
        copied_id = protocol.pol.commit_model(task_id, stolen, 0)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    with boa.env.prank(copier), boa.reverts("models: model does not match commitment"):
        protocol.pol.reveal_model(copied_id, model_cid(1), model_salt(1), 1)


def test_reveal_rejects_before_release_and_after_the_window(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    model_id = protocol.commit(trainers[0], task_id, 7)
    with boa.reverts("models: test set not released"):
        protocol.reveal(trainers[0], model_id, 7)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    protocol.mine(protocol.params.reveal_window)
    with boa.reverts("models: reveal window closed"):
        protocol.reveal(trainers[0], model_id, 7)
