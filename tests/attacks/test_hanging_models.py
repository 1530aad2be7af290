"""Attack: two models that hang cancel a task for the price of two commitments.

Before issue 14 a member evaluated the revealed models one after another, each at the
full time limit (30 s), with no budget tied to the propose window, and did it all again
in every attempt: two models that loop forever ate a minute of a 20-block window, the
honest members proposed too late, and the task was cancelled after its attempts. Now
an attempt's evaluation has a budget (the propose window's blocks left at the expected
block time, less the blocks reserved for the proposal; docs/protocol.md §8.6), each model
not yet evaluated gets an equal share of the time left, a model cut short is UNEVALUATED,
and verdicts reached at the full limit are kept on disk per (task, model CID) for later
attempts and restarts.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from tests.attacks.conftest import LIMITS, publish_task
from tests.ml.conftest import bundled
from tests.ml.test_evaluator import _endless_loop
from wekacoin_offchain.agents.evaluation import EvaluationCache, RevealedModel, candidate_ranking
from wekacoin_offchain.ml import EvaluationStatus, Evaluator, dataset_to_csv, metric_by_name, split_dataset
from wekacoin_offchain.storage import LocalBlockStore

BUDGET_S = 8.0


def test_two_hanging_models_leave_the_honest_ones_scored_within_the_budget(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path / "store")
    train, test = split_dataset(bundled("iris"), 0.3, seed=0)
    facts = publish_task(
        store, train, metric_by_name("accuracy"), test_bytes=dataset_to_csv(test), kinds=("tree", "logistic")
    )
    endless = _endless_loop()
    hanging = tuple(RevealedModel(n, store.add_bytes(endless), len(endless), 0) for n in (0, 1))
    facts = replace(facts, models=(*hanging, *(replace(m, model_id=m.model_id + 1) for m in facts.models)))
    cache = EvaluationCache(tmp_path / "evaluations.json")
    with Evaluator() as evaluator:
        ranking = candidate_ranking(
            facts,
            store,
            evaluator,
            LIMITS,
            round_id=1,
            attempt=1,
            deadline=time.monotonic() + BUDGET_S,
            cache=cache,
        )
    assert ranking.task_valid
    assert [entry.status for entry in ranking.entries] == [
        EvaluationStatus.UNEVALUATED,
        EvaluationStatus.UNEVALUATED,
        EvaluationStatus.VALID,
        EvaluationStatus.VALID,
    ]
    # The honest verdicts are kept for the next attempt (and a restart); the hanging
    # models, cut short by the budget rather than their limit, are not.
    restarted = EvaluationCache(tmp_path / "evaluations.json")
    assert [restarted.get(1, m.model_cid) is not None for m in facts.models] == [False, False, True, True]


def test_a_model_not_reached_in_the_budget_is_unevaluated(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path / "store")
    train, test = split_dataset(bundled("iris"), 0.3, seed=0)
    facts = publish_task(store, train, metric_by_name("accuracy"), test_bytes=dataset_to_csv(test))
    with Evaluator() as evaluator:
        ranking = candidate_ranking(
            facts, store, evaluator, LIMITS, round_id=1, attempt=1, deadline=time.monotonic() - 1
        )
    assert ranking.task_valid  # the baseline always gets its full limit
    assert [entry.status for entry in ranking.entries] == [EvaluationStatus.UNEVALUATED]
