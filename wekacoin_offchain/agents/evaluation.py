"""What a committee member does with a round's task (docs/protocol.md §8).

Fetch the training and test data and check the baseline reproduces its score: if not,
the task is invalid. Then evaluate every revealed model in the sandbox: fetch it by CID
(the store checks the bytes against the CID), check its size and its claimed training
score, score it on the test set. The result is the member's candidate ranking.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from wekacoin_offchain.chain.deployment import Deployment
from wekacoin_offchain.consensus import CandidateRanking, RankingEntry
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.limits import MAX_DATASET_SIZE, MAX_MODEL_SIZE
from wekacoin_offchain.ml import (
    Dataset,
    Evaluator,
    Metric,
    check_task_data,
    metric_by_id,
    parse_dataset,
)
from wekacoin_offchain.private_files import write_private
from wekacoin_offchain.status import EvaluationStatus
from wekacoin_offchain.storage import ContentStore


@dataclass(frozen=True)
class RevealedModel:
    model_id: int
    model_cid: str
    model_size: int
    train_score: int


@dataclass(frozen=True)
class TaskFacts:
    """What the chain says about a task, as an evaluation needs it."""

    task_id: int
    metric: Metric
    train_cid: str
    test_cid: str
    baseline_cid: str
    baseline_score: int
    models: tuple[RevealedModel, ...]  # the revealed ones, ascending id


@dataclass(frozen=True)
class EvaluationLimits:
    timeout_s: float = 30.0
    memory_mb: int = 1_024
    tolerance: int = 0


class EvaluationCache:
    """Verdicts per (task, CID), kept on disk so that later attempts and restarts reuse them.

    A model's verdict on a task does not change between attempts (same bytes, same data,
    same limits), so a model that hangs costs its time limit once per validator, not once
    per attempt (issue 14: two hanging models cancelled a task). A model cut short by
    the attempt's budget (UNEVALUATED before its full time limit) is not kept: it is
    evaluated again in the next attempt.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._entries: dict[str, list[int]] = json.loads(path.read_bytes()) if path.exists() else {}
        except (ValueError, OSError):  # a cache: a corrupt one is dropped, the models are evaluated again
            self._entries = {}

    def get(self, task_id: int, key: str) -> tuple[EvaluationStatus, int] | None:
        entry = self._entries.get(f"{task_id}:{key}")
        return (EvaluationStatus(entry[0]), entry[1]) if entry else None

    def put(self, task_id: int, key: str, status: EvaluationStatus, score: int) -> None:
        self._entries[f"{task_id}:{key}"] = [int(status), score]
        write_private(self.path, json.dumps(self._entries, sort_keys=True).encode())


def task_facts(deployment: Deployment, task_id: int) -> TaskFacts:
    """Read a task and its revealed models from the contract."""
    task = deployment.task(task_id)
    models = [
        RevealedModel(model.model_id, model.model_cid, model.model_size, model.train_score)
        for model in deployment.models_of(task_id)
        if model.revealed
    ]
    return TaskFacts(
        task_id=task_id,
        metric=metric_by_id(task.metric),
        train_cid=task.train_cid,
        test_cid=task.test_cid,
        baseline_cid=task.baseline_cid,
        baseline_score=task.baseline_score,
        models=tuple(sorted(models, key=lambda m: m.model_id)),
    )


def candidate_ranking(
    facts: TaskFacts,
    store: ContentStore,
    evaluator: Evaluator,
    limits: EvaluationLimits,
    *,
    round_id: int,
    attempt: int,
    deadline: float | None = None,
    cache: EvaluationCache | None = None,
) -> CandidateRanking:
    """This member's verdict on the task and each revealed model.

    With a `deadline` (a `time.monotonic()` value: the attempt's budget, docs/protocol.md
    §8.6), each model gets at most the time left, and a model not reached, or cut short,
    is UNEVALUATED; with a `cache`, verdicts of earlier attempts are reused.
    """
    data = _load_data(facts, store)
    task_valid = data is not None and _baseline_reproduces(facts, store, evaluator, limits, data[0], cache)
    entries = []
    for position, model in enumerate(facts.models):
        if not task_valid or data is None:
            # An invalid task settles without scores; every model is reported INVALID.
            entries.append(RankingEntry(model.model_id, EvaluationStatus.INVALID, 0))
            continue
        cached = cache.get(facts.task_id, model.model_cid) if cache is not None else None
        if cached is not None:
            entries.append(RankingEntry(model.model_id, *cached))
            continue
        # Each model not yet evaluated gets an equal share of the time left (at most its
        # limit): models that hang use their share, not the time of the models after them.
        left = len(facts.models) - position
        timeout_s = (
            limits.timeout_s if deadline is None else min(limits.timeout_s, (deadline - time.monotonic()) / left)
        )
        if timeout_s <= 0:  # not reached in this attempt's budget
            entries.append(RankingEntry(model.model_id, EvaluationStatus.UNEVALUATED, 0))
            continue
        entry = _evaluate(model, facts.metric, store, evaluator, limits, timeout_s, *data)
        # A verdict is final unless the model ran out of a share shorter than its limit.
        if cache is not None and (entry.status != EvaluationStatus.UNEVALUATED or timeout_s == limits.timeout_s):
            cache.put(facts.task_id, model.model_cid, entry.status, entry.score)
        entries.append(entry)
    return CandidateRanking(
        round_id=round_id, attempt=attempt, task_id=facts.task_id, task_valid=task_valid, entries=tuple(entries)
    )


def _load_data(facts: TaskFacts, store: ContentStore) -> tuple[Dataset, Dataset] | None:
    classification = facts.metric.kind.is_classification
    try:
        train = parse_dataset(store.cat(facts.train_cid, MAX_DATASET_SIZE), fmt="csv", classification=classification)
        test = parse_dataset(
            store.cat(facts.test_cid, MAX_DATASET_SIZE),
            fmt="csv",
            classification=classification,
            class_labels=train.class_labels,
        )
        check_task_data(train, test, facts.metric)
    except UserError:  # missing, corrupt, malformed or mismatched data: the supplier's fault, the task is invalid
        return None
    return train, test


def _baseline_reproduces(
    facts: TaskFacts,
    store: ContentStore,
    evaluator: Evaluator,
    limits: EvaluationLimits,
    train: Dataset,
    cache: EvaluationCache | None,
) -> bool:
    """Whether the baseline reproduces its score. It always gets the full time limit (a
    baseline cut short by the budget would make an honest task invalid), and its verdict
    is cached, so a hanging baseline costs one time limit per validator."""
    cached = cache.get(facts.task_id, f"baseline:{facts.baseline_cid}") if cache is not None else None
    if cached is None:
        try:
            baseline = store.cat(facts.baseline_cid, MAX_MODEL_SIZE)
        except UserError:
            return False
        result = evaluator.evaluate(
            baseline,
            train.features,
            train.target,
            facts.metric,
            timeout_s=limits.timeout_s,
            memory_mb=limits.memory_mb,
        )
        cached = (result.status, result.score if result.score is not None else 0)
        if cache is not None:
            cache.put(facts.task_id, f"baseline:{facts.baseline_cid}", *cached)
    status, score = cached
    return status == EvaluationStatus.VALID and abs(score - facts.baseline_score) <= limits.tolerance


def _evaluate(
    model: RevealedModel,
    metric: Metric,
    store: ContentStore,
    evaluator: Evaluator,
    limits: EvaluationLimits,
    timeout_s: float,
    train: Dataset,
    test: Dataset,
) -> RankingEntry:
    try:
        model_bytes = store.cat(model.model_cid, min(model.model_size, MAX_MODEL_SIZE))
    except UserError:  # cannot be fetched, or does not hash to its CID
        return RankingEntry(model.model_id, EvaluationStatus.INVALID, 0)
    result = evaluator.evaluate(
        model_bytes,
        test.features,
        test.target,
        metric,
        timeout_s=timeout_s,
        memory_mb=limits.memory_mb,
        expected_size=model.model_size,
        claimed_train_score=model.train_score,
        train_features=train.features,
        train_labels=train.target,
        tolerance=limits.tolerance,
    )
    return RankingEntry(model.model_id, result.status, result.score if result.score is not None else 0)
