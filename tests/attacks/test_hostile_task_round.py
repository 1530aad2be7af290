"""Attack: a supplier releases a test set of commas only, and the committee must still settle.

Before issue 14 the first honest validator to evaluate the task stopped (`validator run`
ended with an IndexError), and a restarted one stopped again in every attempt: no
proposal, no round, the task's reward stuck until it expired. Now the members propose
`task_valid = false`, a validator restarted mid-round carries on, and the round settles
the task as invalid (docs/protocol.md §8.1, §10.7).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ape
import pytest
from rich.console import Console

from wekacoin_offchain.agents import supplier as supplier_module
from wekacoin_offchain.agents.validator import ValidatorAgent
from wekacoin_offchain.chain.states import TaskState
from wekacoin_offchain.demo import Competition
from wekacoin_offchain.ml import Dataset, Evaluator

pytestmark = [pytest.mark.slow, pytest.mark.ape]

COMMAS = b",,,\n,,,\n,,,\n"


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


def test_a_test_set_of_commas_settles_the_task_invalid(
    ape_chain: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    honest_csv = supplier_module.dataset_to_csv
    written: list[Dataset] = []

    def commas_for_the_test_set(dataset: Dataset) -> bytes:
        """The supplier writes its training set, then a hidden test set of commas."""
        written.append(dataset)
        return honest_csv(dataset) if len(written) == 1 else COMMAS

    monkeypatch.setattr(supplier_module, "dataset_to_csv", commas_for_the_test_set)
    with Evaluator() as evaluator:
        competition = Competition(ape_chain, ape.accounts.test_accounts, Console(quiet=True), tmp_path, evaluator)
        cast = competition.assemble()
        task_id, _ = competition.publish_and_train(cast)
        committee = cast.deployment.committee
        competition.mine_to(cast.deployment.task(task_id).released_at + cast.deployment.parameters.reveal_window)
        victim = cast.validators[0]
        for _ in range(50):
            round_id = int(committee.active_round())
            if round_id and bytes(committee.proposal(round_id, 1, victim.address)) != bytes(32):
                break
            if not competition.step_all(cast.validators):
                ape_chain.mine(1)
        else:
            pytest.fail("the first validator never proposed on the hostile task")
        cast.validators[0] = ValidatorAgent(
            cast.deployment, victim.account, victim.store, tmp_path / "validator-0", evaluator, victim.limits
        )
        competition.play_round(cast, task_id)

    pol = cast.deployment.pol
    (finalized,) = pol.RoundFinalized.range(0, int(ape_chain.blocks.height) + 1)
    assert not finalized.task_valid
    assert cast.deployment.task(task_id).state == TaskState.SETTLED
