"""Attack: a supplier releases a test set that does not match the training set.

Labels spelled `0.0` where the training file says `0`, or `yes` where it says `1`, or
the feature columns swapped: before the fix the test set was read anyway (unknown labels
got new class indices no model can predict), every model scored about 0, none beat the
baseline, and the reward went back to the supplier who had received the trainers' work
(cost: nothing). Now the test header must equal the training header and every test label
must be a training class, or the task is invalid for every honest member.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.attacks.conftest import LIMITS, publish_task
from tests.ml.conftest import bundled
from wekacoin_offchain.agents.evaluation import candidate_ranking
from wekacoin_offchain.ml import Dataset, Evaluator, dataset_to_csv, metric_by_name, parse_dataset, split_dataset
from wekacoin_offchain.ml.datasets import DatasetError, check_task_data
from wekacoin_offchain.storage import LocalBlockStore

METRIC = metric_by_name("accuracy")


def _split() -> tuple[Dataset, Dataset]:
    data = bundled("breast_cancer")  # labels "0" and "1"
    return split_dataset(data, 0.3, seed=2)


def _relabelled(test: Dataset, labels: tuple[str, str]) -> bytes:
    return dataset_to_csv(Dataset(test.features, test.target, test.feature_names, test.target_name, labels))


def _swapped_columns(test: Dataset) -> bytes:
    names = list(test.feature_names)
    names[0], names[1] = names[1], names[0]
    features = test.features[:, [1, 0, *range(2, test.n_features)]]
    return dataset_to_csv(Dataset(features, test.target, tuple(names), test.target_name, test.class_labels))


MISMATCHES = {
    "labels 0.0 and 1.0": lambda test: _relabelled(test, ("0.0", "1.0")),
    "labels no and yes": lambda test: _relabelled(test, ("no", "yes")),
    "one label yes": lambda test: _relabelled(test, ("0", "yes")),
    "swapped columns": _swapped_columns,
    "renamed target": lambda test: dataset_to_csv(
        Dataset(test.features, test.target, test.feature_names, "label", test.class_labels)
    ),
}


@pytest.mark.parametrize("mismatch", MISMATCHES.values(), ids=MISMATCHES.keys())
def test_a_mismatched_test_set_makes_the_task_invalid(mismatch: object, evaluator: Evaluator, tmp_path: Path) -> None:
    train, test = _split()
    store = LocalBlockStore(tmp_path)
    facts = publish_task(store, train, METRIC, test_bytes=mismatch(test))  # type: ignore[operator]
    ranking = candidate_ranking(facts, store, evaluator, LIMITS, round_id=1, attempt=1)
    assert not ranking.task_valid


def test_the_matching_test_set_is_valid(evaluator: Evaluator, tmp_path: Path) -> None:
    train, test = _split()
    store = LocalBlockStore(tmp_path)
    facts = publish_task(store, train, METRIC, test_bytes=dataset_to_csv(test))
    ranking = candidate_ranking(facts, store, evaluator, LIMITS, round_id=1, attempt=1)
    assert ranking.task_valid and ranking.entries[0].score > 800_000


def test_the_check_names_the_mismatch() -> None:
    train, test = _split()
    read = parse_dataset(dataset_to_csv(train), fmt="csv", classification=True)
    with pytest.raises(DatasetError, match=r"test label '[01]\.0' is not a training class"):
        parse_dataset(_relabelled(test, ("0.0", "1.0")), fmt="csv", classification=True, class_labels=read.class_labels)
    swapped = parse_dataset(_swapped_columns(test), fmt="csv", classification=True, class_labels=read.class_labels)
    with pytest.raises(DatasetError, match="header"):
        check_task_data(read, swapped, METRIC)
