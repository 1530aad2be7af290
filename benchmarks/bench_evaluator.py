"""How fast the sandboxed evaluator is, and what the sandbox costs over bare onnxruntime.

Run: .venv/bin/python benchmarks/bench_evaluator.py [--rows 10000] [--repeats 15]

For each model, on a test set of `--rows` rows resampled from the bundled scikit-learn
data (no download):
- bare: in this process, create an onnxruntime session with the evaluator's options and
  run it on the test features, the least any evaluation must do;
- sandboxed: `Evaluator.evaluate`, with the worker already started: checks, pipe
  round trip, memory limit, prediction and exact scoring;
- overhead: the median of sandboxed / bare over pairs timed back to back. The target is
  at most 1.5x at 10,000 rows.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.table import Table
from sklearn import datasets as sk_datasets

from wekacoin_offchain.ml.contract import INPUT_NAME, open_session
from wekacoin_offchain.ml.datasets import Dataset
from wekacoin_offchain.ml.evaluator import Evaluator, Valid
from wekacoin_offchain.ml.metrics import metric_by_name
from wekacoin_offchain.ml.onnx_models import fit_model


@dataclass(frozen=True)
class Case:
    label: str
    loader: Callable[..., object]
    kind: str
    metric: str


CASES = (
    Case("small: iris, logistic", sk_datasets.load_iris, "logistic", "accuracy"),
    Case("medium: digits, forest of 100 trees", sk_datasets.load_digits, "forest", "accuracy"),
)


def paired_medians(bare: Callable[[], object], sandboxed: Callable[[], object], repeats: int) -> tuple[float, float, float]:
    """Median times of both actions and median ratio, measured alternately.

    The machine is shared, so its load drifts; timing the two actions in turn, and taking
    the ratio within each pair, keeps that drift out of the overhead.
    """
    bare_times, sandboxed_times = [], []
    for _ in range(repeats):
        for action, timings in ((bare, bare_times), (sandboxed, sandboxed_times)):
            started = time.perf_counter()
            action()
            timings.append(time.perf_counter() - started)
    ratios = [s / b for s, b in zip(sandboxed_times, bare_times, strict=True)]
    return statistics.median(bare_times), statistics.median(sandboxed_times), statistics.median(ratios)


def resampled(features: npt.NDArray[np.float32], target: npt.NDArray[np.int64], rows: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    picks = np.random.default_rng(0).integers(0, features.shape[0], rows)
    return features[picks], target[picks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()

    table = Table(title=f"Sandboxed evaluation, {args.rows:,} test rows, median of {args.repeats}")
    for column in ("model", "ONNX size", "bare ORT (ms)", "sandboxed (ms)", "models/s", "overhead"):
        table.add_column(column, justify="left" if column == "model" else "right")
    with Evaluator() as evaluator:
        for case in CASES:
            bunch = case.loader()
            train = Dataset(
                np.asarray(bunch.data, dtype=np.float32),  # type: ignore[attr-defined]
                np.asarray(bunch.target, dtype=np.int64),  # type: ignore[attr-defined]
                tuple(f"x{i}" for i in range(bunch.data.shape[1])),  # type: ignore[attr-defined]
                "class",
                tuple(str(c) for c in sorted(set(bunch.target.tolist()))),  # type: ignore[attr-defined]
            )
            metric = metric_by_name(case.metric)
            model = fit_model(train, case.kind, metric, seed=0).model_bytes
            test_x, test_y = resampled(train.features, train.target, args.rows)

            def bare() -> object:
                return open_session(model).run(["label"], {INPUT_NAME: test_x})

            def sandboxed() -> object:
                result = evaluator.evaluate(model, test_x, test_y, metric, timeout_s=120, memory_mb=2_048)
                assert isinstance(result, Valid), result
                return result

            sandboxed()  # starts the worker and warms both paths
            bare()
            bare_s, sandboxed_s, overhead = paired_medians(bare, sandboxed, args.repeats)
            table.add_row(
                case.label, f"{len(model):,} B", f"{bare_s * 1e3:.2f}", f"{sandboxed_s * 1e3:.2f}",
                f"{1 / sandboxed_s:,.1f}", f"{overhead:.2f}x",
            )  # fmt: skip
    Console().print(table)


if __name__ == "__main__":
    main()
