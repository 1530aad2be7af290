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
from typing import Any

import numpy as np
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


def paired_medians(
    bare: Callable[[], object], sandboxed: Callable[[], object], repeats: int
) -> tuple[float, float, float]:
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
    return (
        statistics.median(bare_times),
        statistics.median(sandboxed_times),
        statistics.median(ratios),
    )


def bundled(case: Case) -> Dataset:
    bunch: Any = case.loader()
    target = np.asarray(bunch.target, dtype=np.int64)
    return Dataset(
        np.asarray(bunch.data, dtype=np.float32),
        target,
        tuple(f"x{i}" for i in range(bunch.data.shape[1])),
        "class",
        tuple(str(c) for c in sorted(set(target.tolist()))),
    )


def measure(case: Case, evaluator: Evaluator, rows: int, repeats: int) -> list[str]:
    """One table row: the model's size, both medians, models per second, the overhead."""
    train = bundled(case)
    metric = metric_by_name(case.metric)
    model = fit_model(train, case.kind, metric, seed=0).model_bytes
    picks = np.random.default_rng(0).integers(0, train.n_rows, rows)
    test_x, test_y = train.features[picks], train.target[picks]

    def bare() -> object:
        return open_session(model).run(["label"], {INPUT_NAME: test_x})

    def sandboxed() -> object:
        result = evaluator.evaluate(model, test_x, test_y, metric, timeout_s=120, memory_mb=2_048)
        assert isinstance(result, Valid), result
        return result

    sandboxed()  # starts the worker and warms both paths
    bare()
    bare_s, sandboxed_s, overhead = paired_medians(bare, sandboxed, repeats)
    return [
        case.label,
        f"{len(model):,} B",
        f"{bare_s * 1e3:.2f}",
        f"{sandboxed_s * 1e3:.2f}",
        f"{1 / sandboxed_s:,.1f}",
        f"{overhead:.2f}x",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()

    table = Table(title=f"Sandboxed evaluation, {args.rows:,} test rows, median of {args.repeats}")
    for column in ("model", "ONNX size", "bare ORT (ms)", "sandboxed (ms)", "models/s", "overhead"):
        table.add_column(column, justify="left" if column == "model" else "right", no_wrap=True)
    with Evaluator() as evaluator:
        for case in CASES:
            table.add_row(*measure(case, evaluator, args.rows, args.repeats))
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
