"""Attack: class labels whose order depends on the process's hash seed.

With a class spelled `nan` among numbers, the labels were sorted by `float(label)`;
NaN compares false with everything, so the order (and every class index) followed the
iteration order of a Python set, which changes with PYTHONHASHSEED. The same model on the
same bytes scored 0.025, 0.0275, 0.4225 and 0.9475 in four processes; honest validators
disagreed and a colluder's score could be the "genuine" one (cost: nothing, any supplier
may choose label spellings). Now the order is total and seed-free: numeric order when
every label is a finite number, else code-point order.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from wekacoin_offchain.ml import Dataset, dataset_to_csv, fit_model, metric_by_name, parse_dataset
from wekacoin_offchain.ml.datasets import class_order

SCORING = """
import sys
from pathlib import Path
from wekacoin_offchain.ml import metric_by_name, model_score, parse_dataset
folder = Path(sys.argv[1])
data = parse_dataset((folder / "train.csv").read_bytes(), fmt="csv", classification=True)
print(data.class_labels, model_score((folder / "model.onnx").read_bytes(), data, metric_by_name("accuracy")))
"""

LABELS = ("0", "1", "nan", "2", "10", "NaN", "-1", "-nan")


def _dataset() -> Dataset:
    rng = np.random.default_rng(7)
    target = np.arange(400) % len(LABELS)
    features = (target[:, None] + rng.normal(scale=0.3, size=(400, 2))).astype(np.float32)
    return Dataset(features, target.astype(np.int64), ("x", "y"), "class", LABELS)


def test_scores_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    data = _dataset()
    (tmp_path / "train.csv").write_bytes(dataset_to_csv(data))
    parsed = parse_dataset(dataset_to_csv(data), fmt="csv", classification=True)
    model = fit_model(parsed, "tree", metric_by_name("accuracy"))
    (tmp_path / "model.onnx").write_bytes(model.model_bytes)
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5", "42", "1000"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", SCORING, str(tmp_path)], env=environment, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1, outputs
    assert str(model.train_score) in outputs.pop()


def test_the_order_is_total() -> None:
    assert class_order({"10", "2", "-1", "1.5"}) == ("-1", "1.5", "2", "10")
    assert class_order({"1", "1.0", "01"}) == ("01", "1", "1.0")  # equal values: by spelling
    # One label that is not a finite number: every label in code-point order.
    assert class_order({"2", "10", "nan"}) == ("10", "2", "nan")
    assert class_order({"b", "B", "a", "inf"}) == ("B", "a", "b", "inf")
