"""The Python actions through ape on its default local network: a task's life, and every
user mistake stopped with one clear line before a transaction is sent."""

from __future__ import annotations

from typing import Any

import pytest

from wekacoin_offchain.chain import Deployment, actions
from wekacoin_offchain.chain.actions import TaskRequest
from wekacoin_offchain.commitments import test_commitment
from wekacoin_offchain.errors import UserError

pytestmark = pytest.mark.ape

TRAIN = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
BASELINE = "bafkreigl4xh567bbdcu4hv4o6hlij45pucesae2srbsetidkmui4733uu4"
TEST = "bafkreigsaaostlhxznntghdlhr3sl55xdleq4q4ejkmdsjzr3a4ggdzvwm"
MODEL = "QmXVTrA72LyuC2DwTDWQybo4q38rUzDtX3BLLWsBX57toR"
SALT = bytes(range(32))
WKC = 10**18


def _request(chain: Any, deployment: Deployment, **change: Any) -> TaskRequest:
    fields: dict[str, Any] = {
        "train_cid": TRAIN,
        "test_commitment": test_commitment(TEST, SALT),
        "metric": "accuracy",
        # + 2: the publication follows the escrow's approval, in a block of its own
        "release_height": chain.blocks.height + 2 + deployment.parameters.min_training_period,
        "reward": 50 * WKC,
        "hosting_fee": 5 * WKC,
        "baseline_cid": BASELINE,
        "baseline_score": 330_000,
    }
    fields.update(change)
    return TaskRequest(**fields)


def test_a_task_from_publication_to_reveal(ape_chain: Any, accounts: Any, deployment: Deployment) -> None:
    pol, token = deployment.pol, deployment.token
    supplier, trainer = accounts[1], accounts[2]
    task_id = actions.publish_task(pol, token, ape_chain, supplier, _request(ape_chain, deployment))
    assert task_id == 1 and pol.task(task_id).supplier == supplier.address
    model_id = actions.commit_model(pol, token, ape_chain, trainer, task_id, MODEL, SALT, 912_345)
    assert model_id == 1 and pol.model(model_id).train_score == 912_345

    ape_chain.mine(deployment.parameters.min_training_period)
    actions.release_test(pol, ape_chain, supplier, task_id, TEST, SALT)
    actions.reveal_model(pol, ape_chain, trainer, model_id, MODEL, SALT, 1_234)
    assert pol.task(task_id).state == 2
    assert pol.model(model_id).model_cid == MODEL
    assert token.balanceOf(pol.address) == pol.escrowed() + pol.credited()


def test_expiry_and_withdraw(ape_chain: Any, accounts: Any, deployment: Deployment) -> None:
    pol, token = deployment.pol, deployment.token
    supplier, trainer = accounts[1], accounts[2]
    task_id = actions.publish_task(pol, token, ape_chain, supplier, _request(ape_chain, deployment))
    actions.commit_model(pol, token, ape_chain, trainer, task_id, MODEL, SALT, 0)
    with pytest.raises(UserError, match="release window is open until block"):
        actions.expire_task(pol, ape_chain, accounts[3], task_id)
    ape_chain.mine(deployment.parameters.min_training_period + deployment.parameters.release_window)
    actions.expire_task(pol, ape_chain, accounts[3], task_id)
    assert actions.withdraw(pol, trainer) == deployment.parameters.participation_fee
    with pytest.raises(UserError, match="nothing is owed"):
        actions.withdraw(pol, trainer)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"train_cid": "not-a-cid"}, "not a CID"),
        ({"baseline_cid": ""}, "empty CID"),
        ({"metric": "accuracyy"}, "unknown metric"),
        ({"metric": 9}, "unknown metric"),
        ({"reward": 0}, "reward must be positive"),
        ({"hosting_fee": 1}, "hosting fee 0.000000000000000001 WKC is below the minimum 1 WKC"),
        ({"release_height": 1}, "release height 1 is too soon"),
        ({"reward": 10**30}, "needs"),
        ({"test_commitment": bytes(32)}, "test commitment must be 32 non-zero bytes"),
    ],
)
def test_publish_mistakes_fail_before_any_transaction(
    ape_chain: Any, accounts: Any, deployment: Deployment, change: dict, message: str
) -> None:
    nonce = accounts[1].nonce
    with pytest.raises(UserError, match=message):
        actions.publish_task(
            deployment.pol, deployment.token, ape_chain, accounts[1], _request(ape_chain, deployment, **change)
        )
    assert accounts[1].nonce == nonce  # nothing was sent


def test_model_mistakes_fail_before_any_transaction(ape_chain: Any, accounts: Any, deployment: Deployment) -> None:
    pol, token = deployment.pol, deployment.token
    supplier, trainer, stranger = accounts[1], accounts[2], accounts[3]
    task_id = actions.publish_task(pol, token, ape_chain, supplier, _request(ape_chain, deployment))
    with pytest.raises(UserError, match="task 7 does not exist"):
        actions.commit_model(pol, token, ape_chain, trainer, 7, MODEL, SALT, 0)
    with pytest.raises(UserError, match="salt must be 32 bytes"):
        actions.commit_model(pol, token, ape_chain, trainer, task_id, MODEL, b"x", 0)
    model_id = actions.commit_model(pol, token, ape_chain, trainer, task_id, MODEL, SALT, 0)
    with pytest.raises(UserError, match="already used"):
        actions.commit_model(pol, token, ape_chain, trainer, task_id, MODEL, SALT, 0)
    with pytest.raises(UserError, match="test set is not released"):
        actions.reveal_model(pol, ape_chain, trainer, model_id, MODEL, SALT, 10)
    with pytest.raises(UserError, match="release window opens at block"):
        actions.release_test(pol, ape_chain, supplier, task_id, TEST, SALT)

    ape_chain.mine(deployment.parameters.min_training_period)
    with pytest.raises(UserError, match="stopped accepting models at its release height"):
        actions.commit_model(pol, token, ape_chain, stranger, task_id, TEST, SALT, 0)
    with pytest.raises(UserError, match="belongs to"):
        actions.release_test(pol, ape_chain, stranger, task_id, TEST, SALT)
    with pytest.raises(UserError, match="do not match the task's test commitment"):
        actions.release_test(pol, ape_chain, supplier, task_id, TEST, bytes(32))
    actions.release_test(pol, ape_chain, supplier, task_id, TEST, SALT)
    with pytest.raises(UserError, match="was committed by"):
        actions.reveal_model(pol, ape_chain, stranger, model_id, MODEL, SALT, 10)
    with pytest.raises(UserError, match="do not match the commitment"):
        actions.reveal_model(pol, ape_chain, trainer, model_id, TEST, SALT, 10)
    with pytest.raises(UserError, match="model 9 does not exist"):
        actions.reveal_model(pol, ape_chain, trainer, 9, MODEL, SALT, 10)
