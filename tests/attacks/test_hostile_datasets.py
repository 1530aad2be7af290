"""Attack: a supplier publishes data that stops every honest validator.

roc_auc over a target with three classes, a CSV of commas only, an empty file, a header
without rows, bytes that are not UTF-8: before the fix, each ended `candidate_ranking`
with a user error or a traceback (IndexError for the commas), so `validator run` stopped,
and a restart stopped again in every attempt; the round never reached agreement and the
task's reward was stuck (cost: one task's escrow, refunded at expiry). Now every failure
to read or check the task's data is a `DatasetError`, and the member's ranking says the
task is invalid.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.attacks.conftest import LIMITS, publish_task
from tests.ml.conftest import bundled
from wekacoin_offchain.agents.evaluation import candidate_ranking
from wekacoin_offchain.ml import Dataset, EvaluationStatus, Evaluator, dataset_to_csv, metric_by_name, parse_dataset
from wekacoin_offchain.ml.datasets import DatasetError
from wekacoin_offchain.storage import LocalBlockStore

HOSTILE_FILES = {
    "commas only": b",,,\n,,,\n,,,\n",
    "empty": b"",
    "header only": b"a,b,class\n",
    "not UTF-8": b"a,b,class\n1,2,\xff\xfe\n",
    "a blank header": b" , \n1,2\n",
    "one column": b"class\n1\n2\n",
    "ragged": b"a,b,class\n1,2\n",
    "unterminated quote": b'a,b,class\n1,"2,0\n',
    "a NUL byte": b"a,b,class\n1,2\x00,0\n",
}


@pytest.mark.parametrize("data", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
@pytest.mark.parametrize("classification", [True, False])
def test_the_parser_raises_only_dataset_errors(data: bytes, classification: bool) -> None:
    with pytest.raises(DatasetError):
        parse_dataset(data, fmt="csv", classification=classification)


def _iris() -> Dataset:
    return bundled("iris")


@pytest.mark.parametrize("hostile", HOSTILE_FILES.values(), ids=HOSTILE_FILES.keys())
@pytest.mark.parametrize("which", ["train", "test"])
def test_a_hostile_file_makes_the_task_invalid(
    hostile: bytes, which: str, evaluator: Evaluator, tmp_path: Path
) -> None:
    iris = _iris()
    metric = metric_by_name("accuracy")
    good = dataset_to_csv(iris)
    facts = publish_task(
        LocalBlockStore(tmp_path),
        iris,
        metric,
        train_bytes=hostile if which == "train" else good,
        test_bytes=hostile if which == "test" else good,
    )
    ranking = candidate_ranking(facts, LocalBlockStore(tmp_path), evaluator, LIMITS, round_id=1, attempt=1)
    assert not ranking.task_valid
    assert [entry.status for entry in ranking.entries] == [EvaluationStatus.INVALID]


def test_roc_auc_over_three_classes_makes_the_task_invalid(evaluator: Evaluator, tmp_path: Path) -> None:
    """The reported crash: roc_auc on iris's three classes ended `validator run`."""
    iris = _iris()
    store = LocalBlockStore(tmp_path)
    # The baseline is built for a binary view of the same rows; the published files hold all three classes.
    binary = Dataset(iris.features, (iris.target == 2).astype(np.int64), iris.feature_names, "class", ("0", "1"))
    facts = publish_task(
        store, binary, metric_by_name("roc_auc"), train_bytes=dataset_to_csv(iris), test_bytes=dataset_to_csv(iris)
    )
    ranking = candidate_ranking(facts, store, evaluator, LIMITS, round_id=1, attempt=1)
    assert not ranking.task_valid


def test_a_regression_metric_over_class_labels_makes_the_task_invalid(evaluator: Evaluator, tmp_path: Path) -> None:
    diabetes = bundled("diabetes")
    labelled = dataset_to_csv(diabetes).replace(b"\n", b"x\n").replace(b"targetx\n", b"target\n", 1)
    facts = publish_task(
        LocalBlockStore(tmp_path), diabetes, metric_by_name("mae"), train_bytes=labelled, test_bytes=labelled
    )
    ranking = candidate_ranking(facts, LocalBlockStore(tmp_path), evaluator, LIMITS, round_id=1, attempt=1)
    assert not ranking.task_valid
