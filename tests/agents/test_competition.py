"""A whole competition in one process on ape's embedded chain, with a validator killed
after it proposed and restarted from its working directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ape
import pytest
from rich.console import Console

from wekacoin_offchain.agents.validator import ValidatorAgent
from wekacoin_offchain.consensus import CreditReason
from wekacoin_offchain.demo import Competition
from wekacoin_offchain.ml import Evaluator

pytestmark = [pytest.mark.slow, pytest.mark.ape]


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


def test_competition_pays_the_honest_best_and_not_the_liar(ape_chain: Any, tmp_path: Path) -> None:
    with Evaluator() as evaluator:
        competition = Competition(ape_chain, ape.accounts.test_accounts, Console(quiet=True), tmp_path, evaluator)
        cast = competition.assemble()
        task_id, submissions = competition.publish_and_train(cast)
        pol, committee = cast.deployment.pol, cast.deployment.committee

        # Run the round until one honest validator has proposed, then "kill" it: drop the
        # agent and start a new one on the same account and working directory.
        victim = cast.validators[0]
        competition.mine_to(int(pol.task(task_id).released_at) + int(pol.reveal_window()))
        for _ in range(50):
            round_id = int(committee.active_round())
            if round_id and bytes(committee.proposal(round_id, 1, victim.address)) != bytes(32):
                break
            if not competition.step_all(cast.validators):
                ape_chain.mine(1)
        else:
            pytest.fail("the victim never proposed")
        restarted = ValidatorAgent(
            cast.deployment, victim.account, victim.store, tmp_path / "validator-0", evaluator, victim.limits
        )
        assert restarted.secret_key == victim.secret_key  # the key came back from its working directory
        assert restarted.step() == []  # it already proposed in this attempt: no second proposal
        cast.validators[0] = restarted
        competition.play_round(cast, task_id)

    (finalized,) = pol.RoundFinalized.range(0, int(ape_chain.blocks.height) + 1)
    credits = list(pol.Credited.range(0, int(ape_chain.blocks.height) + 1, search_topics={"task_id": task_id}))
    by_reason: dict[int, dict[str, int]] = {}
    for event in credits:
        by_reason.setdefault(int(event.reason), {})
        by_reason[int(event.reason)][str(event.account)] = by_reason[int(event.reason)].get(
            str(event.account), 0
        ) + int(event.amount)

    # The honest best model is ranked first and its trainer takes the reward.
    trainer_of = {s.model_id: t.account.address for t, s in submissions}
    best_model, genuine, _ = finalized.ranking[0]
    assert genuine
    assert by_reason[CreditReason.REWARD] == {trainer_of[int(best_model)]: 100 * 10**18}
    # The broken model is not genuine; the liar is not a valid validator and is paid nothing.
    broken_id = next(s.model_id for _, s in submissions if s.kind == "broken")
    assert (broken_id, False, 0) in [(int(m), bool(g), int(s)) for m, g, s in finalized.ranking]
    valid = {str(v) for v in finalized.valid_validators}
    assert cast.liar.address not in valid and all(cast.liar.address not in paid for paid in by_reason.values())
    # Every honest validator, the restarted one included, is valid and paid.
    honest = {v.address for v in cast.validators if v is not cast.liar}
    assert valid == honest
    assert set(by_reason[CreditReason.ISSUANCE]) == honest
    # Money: the contract holds exactly what it owes.
    token = cast.deployment.token
    assert token.balanceOf(pol.address) == pol.escrowed() + pol.credited() + pol.bonded()
