"""A committee member's evaluation of a task, on real data, models and store (no chain)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sklearn.datasets import load_wine

from wekacoin_offchain.agents.evaluation import EvaluationLimits, RevealedModel, TaskFacts, candidate_ranking
from wekacoin_offchain.ml import (
    EvaluationStatus,
    Evaluator,
    baseline_model,
    dataset_to_csv,
    fit_model,
    metric_by_name,
    parse_dataset,
    split_dataset,
)
from wekacoin_offchain.storage import LocalBlockStore

LIMITS = EvaluationLimits(timeout_s=20.0, memory_mb=512)


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator() as evaluator:
        yield evaluator


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> tuple[TaskFacts, LocalBlockStore]:
    store = LocalBlockStore(tmp_path_factory.mktemp("store"))
    out = io.StringIO()
    load_wine(as_frame=True).frame.to_csv(out, index=False)
    metric = metric_by_name("macro_f1")
    train, test = split_dataset(parse_dataset(out.getvalue().encode(), fmt="csv", classification=True), 0.3, seed=3)
    baseline = baseline_model(train, metric)
    models = []
    for model_id, kind in enumerate(("logistic", "tree"), start=1):
        fitted = fit_model(train, kind, metric, seed=0)
        models.append(
            RevealedModel(model_id, store.add_bytes(fitted.model_bytes), len(fitted.model_bytes), fitted.train_score)
        )
    facts = TaskFacts(
        task_id=1,
        metric=metric,
        train_cid=store.add_bytes(dataset_to_csv(train)),
        test_cid=store.add_bytes(dataset_to_csv(test)),
        baseline_cid=store.add_bytes(baseline.model_bytes),
        baseline_score=baseline.train_score,
        models=tuple(models),
    )
    return facts, store


def _statuses(facts: TaskFacts, store: LocalBlockStore, evaluator: Evaluator) -> list[EvaluationStatus]:
    ranking = candidate_ranking(facts, store, evaluator, LIMITS, round_id=1, attempt=1)
    return [entry.status for entry in ranking.entries]


def test_honest_models_are_valid_and_scores_repeat(
    task: tuple[TaskFacts, LocalBlockStore], evaluator: Evaluator
) -> None:
    facts, store = task
    first = candidate_ranking(facts, store, evaluator, LIMITS, round_id=4, attempt=2)
    second = candidate_ranking(facts, store, evaluator, LIMITS, round_id=4, attempt=2)
    assert first.task_valid and [e.status for e in first.entries] == [EvaluationStatus.VALID] * 2
    assert first.ranking_hash == second.ranking_hash  # same bytes on every honest machine
    assert all(entry.score > 800_000 for entry in first.entries)


def test_broken_models_are_invalid(
    task: tuple[TaskFacts, LocalBlockStore], evaluator: Evaluator, tmp_path: Path
) -> None:
    facts, store = task
    garbage = store.add_bytes(b"\x08\x07not an onnx model at all")
    good, other = facts.models
    broken = (
        replace(good, model_cid=garbage, model_size=len(b"\x08\x07not an onnx model at all")),  # cannot run
        replace(other, model_size=other.model_size + 1),  # wrong size
        replace(other, model_id=5, train_score=other.train_score - 50_000),  # lies about its training score
        replace(
            other, model_id=6, model_cid="bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
        ),  # not in the store
    )
    statuses = _statuses(replace(facts, models=broken), store, evaluator)
    assert statuses == [EvaluationStatus.INVALID] * 4


def test_a_baseline_that_does_not_reproduce_makes_the_task_invalid(
    task: tuple[TaskFacts, LocalBlockStore], evaluator: Evaluator
) -> None:
    facts, store = task
    ranking = candidate_ranking(
        replace(facts, baseline_score=facts.baseline_score + 1), store, evaluator, LIMITS, round_id=1, attempt=1
    )
    assert not ranking.task_valid
    assert [e.status for e in ranking.entries] == [EvaluationStatus.INVALID] * 2


def test_missing_test_data_makes_the_task_invalid(
    task: tuple[TaskFacts, LocalBlockStore], evaluator: Evaluator
) -> None:
    facts, store = task
    missing = replace(facts, test_cid="bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")
    assert not candidate_ranking(missing, store, evaluator, LIMITS, round_id=1, attempt=1).task_valid
