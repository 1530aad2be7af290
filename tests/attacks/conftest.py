"""A task a committee member evaluates, built from real data, models and store (no chain)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.agents.evaluation import EvaluationLimits, RevealedModel, TaskFacts
from wekacoin_offchain.ml import Dataset, Evaluator, Metric, baseline_model, dataset_to_csv, fit_model
from wekacoin_offchain.storage import LocalBlockStore

LIMITS = EvaluationLimits(timeout_s=20.0, memory_mb=512)


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator() as shared:
        yield shared


@dataclass(frozen=True)
class PublishedTask:
    facts: TaskFacts
    store: LocalBlockStore


def publish_task(
    store: LocalBlockStore,
    train: Dataset,
    metric: Metric,
    *,
    train_bytes: bytes | None = None,
    test_bytes: bytes,
    kinds: tuple[str, ...] = ("tree",),
) -> TaskFacts:
    """A task as the chain would describe it, its files in `store`; the supplier may lie
    with `train_bytes`/`test_bytes` (the baseline is fitted on `train`)."""
    baseline = baseline_model(train, metric)
    models = []
    for model_id, kind in enumerate(kinds, start=1):
        fitted = fit_model(train, kind, metric, seed=0)
        models.append(
            RevealedModel(model_id, store.add_bytes(fitted.model_bytes), len(fitted.model_bytes), fitted.train_score)
        )
    return TaskFacts(
        task_id=1,
        metric=metric,
        train_cid=store.add_bytes(dataset_to_csv(train) if train_bytes is None else train_bytes),
        test_cid=store.add_bytes(test_bytes),
        baseline_cid=store.add_bytes(baseline.model_bytes),
        baseline_score=baseline.train_score,
        models=tuple(models),
    )


# --- the committee attacks (test_committee_*.py): a deployment on titanoboa ---------


@pytest.fixture(scope="module")
def protocol() -> Iterator[Protocol]:
    """A fresh deployment per module, default parameters (weights from bonds until
    storage is certified)."""
    with boa.env.anchor():
        holder = boa.env.generate_address()
        yield Protocol(deployment=deploy_on_boa(holder, holder=holder), holder=holder)


@pytest.fixture
def rollback() -> Iterator[None]:
    """Every committee attack starts from its module's deployment: state changes are undone."""
    with boa.env.anchor():
        yield
