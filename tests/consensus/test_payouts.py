"""Settlement payouts, to the wei: worked examples and the conservation property."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings, strategies as st

from wekacoin_offchain.consensus import (
    Credit,
    CreditReason,
    ModelFacts,
    ModelStake,
    RankedModel,
    Settlement,
    TaskEscrow,
    compute_consensus,
    settle_cancelled,
    settle_round,
)
from wekacoin_offchain.ml.metrics import metric_by_id
from wekacoin_offchain.status import EvaluationStatus

from .builders import ATTEMPT, ROUND, TASK, VALID, address, model, proposal, ranking

SUPPLIER = address(0x5)
V1, V2, V3 = address(0x1001), address(0x1002), address(0x1003)  # valid validators, ascending
FEE = 10
REFUND, REWARD, RETURNED, HOSTING, FORFEITED, ISSUANCE, HOSTING_BACK = (
    CreditReason.FEE_REFUND,
    CreditReason.REWARD,
    CreditReason.REWARD_RETURNED,
    CreditReason.HOSTING_SHARE,
    CreditReason.FORFEITED_SHARE,
    CreditReason.ISSUANCE,
    CreditReason.HOSTING_RETURNED,
)


def trainer(model_id: int) -> str:
    return address(0x100 + model_id)  # as builders.model


def escrow(baseline: int = 0, metric_id: int = 0) -> TaskEscrow:
    return TaskEscrow(SUPPLIER, reward=1000, hosting_fee=301, baseline_score=baseline, metric_id=metric_id)


ESCROW = escrow()

# Models 1-4 revealed, model 5 not.
STAKES = [ModelStake(m, trainer(m), FEE, revealed=m != 5) for m in range(1, 6)]
RANKING = (
    RankedModel(3, True, 900),
    RankedModel(1, True, 800),
    RankedModel(4, True, 700),
    RankedModel(2, False, 0),
)


def settle(
    task: TaskEscrow = ESCROW,
    task_valid: bool = True,
    ranking: Sequence[RankedModel] = RANKING,
    validators: Sequence[str] = (V3, V1, V2),
) -> Settlement:
    return settle_round(
        task=task,
        models=STAKES,
        task_valid=task_valid,
        ranking=ranking,
        valid_validators=list(validators),
        refund_bps=2500,
        round_issuance=100,
    )


def test_a_normal_task() -> None:
    # R = 3 ranked, ceil(2500 * 3 / 10000) = 1 refund; forfeited: models 1, 4, 2, 5 = 40.
    assert settle() == Settlement(
        credits=(
            Credit(trainer(3), 1000, REWARD),
            Credit(trainer(3), FEE, REFUND),
            Credit(V1, 101, HOSTING),
            Credit(V2, 100, HOSTING),
            Credit(V3, 100, HOSTING),  # 301 = 3*100 + 1
            Credit(V1, 14, FORFEITED),
            Credit(V2, 13, FORFEITED),
            Credit(V3, 13, FORFEITED),  # 40 = 3*13 + 1
            Credit(V1, 34, ISSUANCE),
            Credit(V2, 33, ISSUANCE),
            Credit(V3, 33, ISSUANCE),  # 100 = 3*33 + 1
        ),
        burned=0,
        minted=100,
    )


def test_the_refund_cut_rounds_up() -> None:
    # Four ranked at 2500 bps: exactly one; five ranked: ceil(1.25) = 2.
    stakes = [ModelStake(m, trainer(m), FEE, True) for m in range(1, 6)]
    for ranked, refunds in ((4, 1), (5, 2), (1, 1)):
        ranking = tuple(RankedModel(m, True, 100 - m) for m in range(1, ranked + 1))
        ranking += tuple(RankedModel(m, False, 0) for m in range(ranked + 1, 6))
        result = settle_round(
            task=escrow(),
            models=stakes,
            task_valid=True,
            ranking=ranking,
            valid_validators=[V1],
            refund_bps=2500,
            round_issuance=0,
        )
        assert [c.account for c in result.credits if c.reason == REFUND] == [trainer(m) for m in range(1, refunds + 1)]


def _winner_of_ties(models: list[ModelFacts], verdicts: list[tuple[int, EvaluationStatus, int]]) -> str:
    result = compute_consensus(
        round_id=ROUND,
        attempt=ATTEMPT,
        task_id=TASK,
        metric=metric_by_id(0),
        tolerance=0,
        models=models,
        proposals=[proposal(address(n), ranking(verdicts)) for n in (1, 2, 3)],
    )
    stakes = [ModelStake(m.model_id, m.trainer, FEE, True) for m in models]
    settlement = settle_round(
        task=escrow(),
        models=stakes,
        task_valid=result.task_valid,
        ranking=result.ranking,
        valid_validators=list(result.genuine_members),
        refund_bps=2500,
        round_issuance=0,
    )
    assert settlement.credits[0].reason == REWARD
    return settlement.credits[0].account


def test_a_score_tie_is_won_by_the_smaller_model() -> None:
    models = [model(1, size=900), model(2, size=800)]
    assert _winner_of_ties(models, [(1, VALID, 5), (2, VALID, 5)]) == trainer(2)


def test_a_score_and_size_tie_is_won_by_the_product_rule() -> None:
    models = [model(1, commitment=3), model(2, commitment=2**255)]  # 0x102 * 2**255 wraps to 0
    assert _winner_of_ties(models, [(1, VALID, 5), (2, VALID, 5)]) == trainer(2)


def test_a_best_model_below_baseline_returns_the_reward() -> None:
    credits = settle(task=escrow(baseline=901)).credits
    assert credits[0] == Credit(SUPPLIER, 1000, RETURNED)
    assert credits[1] == Credit(trainer(3), FEE, REFUND)  # the refund cut still applies
    assert settle(task=escrow(baseline=900)).credits[0] == Credit(trainer(3), 1000, REWARD)  # equal is enough


def test_lower_is_better_baseline() -> None:
    rmse = [
        RankedModel(4, True, 700),
        RankedModel(1, True, 800),
        RankedModel(3, True, 900),
        RankedModel(2, False, 0),
    ]
    assert settle(task=escrow(baseline=700, metric_id=4), ranking=rmse).credits[0] == Credit(trainer(4), 1000, REWARD)
    assert settle(task=escrow(baseline=699, metric_id=4), ranking=rmse).credits[0] == Credit(SUPPLIER, 1000, RETURNED)


def test_no_genuine_model_returns_the_reward_and_refunds_nothing() -> None:
    not_ranked = tuple(RankedModel(m, False, 0) for m in range(1, 5))
    result = settle(ranking=not_ranked)
    assert result.credits[0] == Credit(SUPPLIER, 1000, RETURNED)
    assert [c for c in result.credits if c.reason == REFUND] == []
    assert sum(c.amount for c in result.credits if c.reason == FORFEITED) == 5 * FEE


def test_an_invalid_task() -> None:
    not_ranked = tuple(RankedModel(m, False, 0) for m in range(1, 5))
    assert settle(task_valid=False, ranking=not_ranked) == Settlement(
        credits=(
            Credit(trainer(1), FEE, REFUND),
            Credit(trainer(2), FEE, REFUND),
            Credit(trainer(3), FEE, REFUND),
            Credit(trainer(4), FEE, REFUND),
            Credit(V1, 101, HOSTING),
            Credit(V2, 100, HOSTING),
            Credit(V3, 100, HOSTING),
            Credit(V1, 4, FORFEITED),
            Credit(V2, 3, FORFEITED),
            Credit(V3, 3, FORFEITED),  # model 5's fee
            Credit(V1, 34, ISSUANCE),
            Credit(V2, 33, ISSUANCE),
            Credit(V3, 33, ISSUANCE),
        ),
        burned=1000,
        minted=100,
    )


def test_no_valid_validator() -> None:
    assert settle(validators=()) == Settlement(
        credits=(
            Credit(trainer(3), 1000, REWARD),
            Credit(trainer(3), FEE, REFUND),
            Credit(SUPPLIER, 301, HOSTING_BACK),
        ),
        burned=40,
        minted=0,
    )


def test_a_cancelled_task() -> None:
    assert settle_cancelled(task=escrow(), models=list(reversed(STAKES))) == Settlement(
        credits=(
            *(Credit(trainer(m), FEE, REFUND) for m in range(1, 6)),
            Credit(SUPPLIER, 1000, RETURNED),
            Credit(SUPPLIER, 301, HOSTING_BACK),
        ),
        burned=0,
        minted=0,
    )


def test_zero_amounts_are_not_credited() -> None:
    result = settle_round(
        task=escrow(),
        models=[ModelStake(1, trainer(1), FEE, True)],
        task_valid=True,
        ranking=[RankedModel(1, True, 1)],
        valid_validators=[V1, V2],
        refund_bps=2500,
        round_issuance=1,
    )
    assert result.credits == (
        Credit(trainer(1), 1000, REWARD),
        Credit(trainer(1), FEE, REFUND),
        Credit(V1, 151, HOSTING),
        Credit(V2, 150, HOSTING),
        Credit(V1, 1, ISSUANCE),
    )


@st.composite
def settlements(draw: st.DrawFn) -> tuple[int, int, Settlement]:
    """A random task settled any of the three ways, with its escrow and mint."""
    count = draw(st.integers(0, 6))
    stakes = [
        ModelStake(
            m,
            address(0x100 + draw(st.integers(0, 3))),
            draw(st.integers(0, 10**20)),
            draw(st.booleans()),
        )
        for m in range(1, count + 1)
    ]
    task = TaskEscrow(
        SUPPLIER,
        draw(st.integers(1, 10**24)),
        draw(st.integers(0, 10**24)),
        draw(st.integers(-100, 100)),
        draw(st.integers(0, 6)),
    )
    escrowed = task.reward + task.hosting_fee + sum(s.fee for s in stakes)
    if draw(st.booleans()):
        return escrowed, 0, settle_cancelled(task=task, models=stakes)
    revealed = [s.model_id for s in stakes if s.revealed]
    genuine = draw(st.permutations(revealed))[: draw(st.integers(0, len(revealed)))]
    task_valid = draw(st.booleans())
    ranking = [RankedModel(m, True, draw(st.integers(-100, 100))) for m in genuine] if task_valid else []
    ranking += [RankedModel(m, False, 0) for m in revealed if not (task_valid and m in genuine)]
    validators = [address(0x1000 + n) for n in draw(st.sets(st.integers(0, 7)))]
    issuance = draw(st.integers(0, 10**22))
    settlement = settle_round(
        task=task,
        models=stakes,
        task_valid=task_valid,
        ranking=ranking,
        valid_validators=validators,
        refund_bps=draw(st.integers(0, 10_000)),
        round_issuance=issuance,
    )
    return escrowed, issuance if validators else 0, settlement


@settings(max_examples=300, deadline=None)
@given(settlements())
def test_nothing_is_lost_or_created(case: tuple[int, int, Settlement]) -> None:
    escrowed, minted, settlement = case
    assert settlement.minted == minted
    assert sum(c.amount for c in settlement.credits) + settlement.burned == escrowed + settlement.minted
    assert all(c.amount > 0 for c in settlement.credits)


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ((RankedModel(5, True, 1),), "not a revealed model"),
        ((RankedModel(9, True, 1),), "not a revealed model"),
        ((RankedModel(1, True, 1), RankedModel(1, False, 0)), "twice in the ranking"),
    ],
)
def test_a_ranking_the_chain_cannot_produce_is_refused(ranking: tuple[RankedModel, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        settle(ranking=ranking)
