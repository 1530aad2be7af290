"""`wekacoin evaluate`, `wekacoin supplier split|baseline` and `wekacoin trainer fit`.

`supplier` and `trainer` are module-level click groups: other command modules import
them and add their chain commands (`publish`, `commit`, ...) to the same groups.
Only the light metric registry is imported at start; scikit-learn, onnxruntime and the
rest load inside the commands, so that `wekacoin --help` stays fast.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import (
    METRICS,
    Metric,
    UnknownMetric,
    format_score,
    metric_by_name,
)

if TYPE_CHECKING:
    from click.decorators import FC

    from wekacoin_offchain.ml.datasets import Dataset

SECRET_FILE = "test-secret.json"

_existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


class MetricParam(click.ParamType):
    """A metric name, resolved through the registry; an unknown name is a usage error."""

    name = "metric"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Metric:
        if isinstance(value, Metric):
            return value
        try:
            return metric_by_name(str(value))
        except UnknownMetric as exc:
            self.fail(str(exc), param, ctx)


def _metric_option() -> Callable[[FC], FC]:
    return click.option(
        "--metric",
        "metric",
        type=MetricParam(),
        required=True,
        help="One of: " + ", ".join(metric.name for metric in METRICS) + ".",
    )


def _score_text(score: int) -> str:
    return f"{score} ({format_score(score)})"


def _load(path: Path, metric: Metric, class_labels: tuple[str, ...] | None = None) -> Dataset:
    from wekacoin_offchain.ml.datasets import load_dataset

    return load_dataset(path, classification=metric.kind.is_classification, class_labels=class_labels)


def _write_model(path: Path, model_bytes: bytes) -> None:
    try:
        path.write_bytes(model_bytes)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror}") from None


# --- wekacoin evaluate ------------------------------------------------------------------------


@click.command("evaluate")
@click.argument("model", type=_existing_file)
@click.argument("dataset", type=_existing_file)
@_metric_option()
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Wall-time limit in seconds; past it: UNEVALUATED.",
)
@click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(min=1),
    default=2_048,
    show_default=True,
    help="Memory the model may use, in MiB.",
)
@click.option(
    "--train",
    "train_path",
    type=_existing_file,
    help="The published training set: fixes the class order and checks the claimed score.",
)
@click.option("--claimed-train-score", "claimed", help="The committed train_score, e.g. 0.973333.")
@click.option(
    "--tolerance",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Units the training score may differ by (SCORE_TOLERANCE).",
)
@click.option("--expected-size", type=click.IntRange(min=0), help="The revealed model_size in bytes.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def evaluate_command(
    model: Path,
    dataset: Path,
    metric: Metric,
    timeout_s: float,
    memory_mb: int,
    train_path: Path | None,
    claimed: str | None,
    tolerance: int,
    expected_size: int | None,
    as_json: bool,
) -> None:
    """Score an ONNX MODEL on a test DATASET in the sandbox.

    Prints one line: VALID <score> (<decimal>), INVALID <reason> or UNEVALUATED <reason>.
    """
    from wekacoin_offchain.ml.evaluator import Valid, evaluate_model
    from wekacoin_offchain.ml.metrics import parse_score

    if claimed is not None and train_path is None:
        raise UserError("--claimed-train-score needs --train")
    train = _load(train_path, metric) if train_path is not None else None
    test = _load(dataset, metric, train.class_labels if train is not None else None)
    result = evaluate_model(
        model.read_bytes(),
        test.features,
        test.target,
        metric,
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        expected_size=expected_size,
        claimed_train_score=parse_score(claimed) if claimed is not None else None,
        train_features=train.features if train is not None else None,
        train_labels=train.target if train is not None else None,
        tolerance=tolerance,
    )
    if as_json:
        document = {
            "status": result.status.name,
            "code": int(result.status),
            "score": result.score,
            "reason": None if isinstance(result, Valid) else result.reason,
        }
        click.echo(json.dumps(document))
    elif isinstance(result, Valid):
        click.echo(f"VALID {_score_text(result.score)}")
    else:
        click.echo(f"{result.status.name} {result.reason}")


# --- wekacoin supplier ---------------------------------------------------------------------


@click.group("supplier")
def supplier() -> None:
    """Supplier tools: split a dataset and build the baseline model."""


@supplier.command("split")
@click.argument("dataset", type=_existing_file)
@_metric_option()
@click.option("--test-fraction", type=float, required=True, help="Share of rows held out, in (0, 1).")
@click.option("--seed", type=int, required=True, help="Seed of the shuffle (stratified for classes).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--test-cid", help="The CID of test.csv, when added to a store other than the local one.")
def split_command(
    dataset: Path,
    metric: Metric,
    test_fraction: float,
    seed: int,
    out_dir: Path,
    test_cid: str | None,
) -> None:
    """Split DATASET into train.csv (to publish) and test.csv (hidden until release).

    The salt and test commitment go to test-secret.json in the output folder; it and
    test.csv are owner-only (mode 600) until `release_test`. The test CID is computed as `ipfs add
    --cid-version 1` would, unless --test-cid gives it.
    """
    from wekacoin_offchain.commitments import new_salt, test_commitment
    from wekacoin_offchain.ml.datasets import dataset_to_csv, split_dataset, write_dataset

    train, test = split_dataset(_load(dataset, metric), test_fraction, seed)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot create: {exc.strerror}") from None
    write_dataset(train, out_dir / "train.csv")
    test_bytes = dataset_to_csv(test)
    _write_private(out_dir / "test.csv", test_bytes)
    cid = test_cid if test_cid is not None else _content_id(test_bytes)
    salt = new_salt()
    commitment = test_commitment(cid, salt)
    secret = {
        "test_cid": cid,
        "salt": "0x" + salt.hex(),
        "test_commitment": "0x" + commitment.hex(),
    }
    _write_private(out_dir / SECRET_FILE, (json.dumps(secret, indent=2) + "\n").encode())
    click.echo(f"train {out_dir / 'train.csv'} ({train.n_rows} rows, publish it)")
    click.echo(f"test {out_dir / 'test.csv'} ({test.n_rows} rows, keep it hidden until release)")
    click.echo(f"test_cid {cid}")
    click.echo(f"test_commitment 0x{commitment.hex()} (salt in {out_dir / SECRET_FILE})")


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read: the test set and salt stay hidden until release."""
    path.unlink(missing_ok=True)  # an existing file would keep its old permissions
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(data)


def _content_id(data: bytes) -> str:
    """The CIDv1 the content store gives `data`; the store is imported only when needed."""
    try:
        from wekacoin_offchain.storage.local import LocalBlockStore
    except ImportError:
        raise UserError("no content store available to compute the test CID; pass --test-cid") from None
    # only_hash computes the CID without writing a block, so the store's folder is unused.
    return LocalBlockStore(Path(".")).add_bytes(data, cid_version=1, only_hash=True)


@supplier.command("baseline")
@click.argument("train_path", metavar="TRAIN", type=_existing_file)
@_metric_option()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
def baseline_command(train_path: Path, metric: Metric, out_path: Path) -> None:
    """Build the baseline (majority class or mean target) for TRAIN and print its score."""
    from wekacoin_offchain.ml.onnx_models import baseline_model

    baseline = baseline_model(_load(train_path, metric), metric)
    _write_model(out_path, baseline.model_bytes)
    size = len(baseline.model_bytes)
    click.echo(f"baseline_score {_score_text(baseline.train_score)} -> {out_path} ({size} bytes)")


# --- wekacoin trainer ----------------------------------------------------------------------


@click.group("trainer")
def trainer() -> None:
    """Trainer tools: fit a model and export it as ONNX."""


@trainer.command("fit")
@click.argument("train_path", metavar="TRAIN", type=_existing_file)
@click.option(
    "--model",
    "kind",
    required=True,
    help="For classes: logistic, tree, forest, knn, mlp. For values: linear, ridge, tree, forest, knn, mlp.",
)
@_metric_option()
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
def fit_command(train_path: Path, kind: str, metric: Metric, out_path: Path, seed: int) -> None:
    """Fit a scikit-learn model on TRAIN, export it as ONNX and print its training score."""
    from wekacoin_offchain.ml.onnx_models import fit_model

    fitted = fit_model(_load(train_path, metric), kind, metric, seed)
    _write_model(out_path, fitted.model_bytes)
    size = len(fitted.model_bytes)
    click.echo(f"train_score {_score_text(fitted.train_score)} -> {out_path} ({size} bytes)")


COMMANDS: list[click.Command] = [evaluate_command, supplier, trainer]
