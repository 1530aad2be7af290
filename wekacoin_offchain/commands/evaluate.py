"""`wekacoin evaluate`: score a model on a dataset in the sandbox, as a validator does.

Only the light metric registry is imported at start; scikit-learn, onnxruntime and the
rest load inside the commands, so that `wekacoin --help` stays fast. The helpers here
(`load`, `score_text`, `write_model`) serve the supplier's and trainer's ML commands too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wekacoin_offchain.commands.options import existing_file, metric_option
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import Metric, format_score

if TYPE_CHECKING:
    from wekacoin_offchain.ml.datasets import Dataset


def score_text(score: int) -> str:
    """A score as its integer and its decimal, e.g. `973333 (0.973333)`."""
    return f"{score} ({format_score(score)})"


def load(path: Path, metric: Metric, class_labels: tuple[str, ...] | None = None) -> Dataset:
    """A dataset file, read as the metric needs it (classes or values)."""
    from wekacoin_offchain.ml.datasets import load_dataset

    return load_dataset(path, classification=metric.kind.is_classification, class_labels=class_labels)


def write_model(path: Path, model_bytes: bytes) -> None:
    try:
        path.write_bytes(model_bytes)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror}") from None


@click.command("evaluate")
@click.argument("model", type=existing_file)
@click.argument("dataset", type=existing_file)
@metric_option
@click.option(
    "--timeout",
    "timeout_s",
    metavar="SECONDS",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Wall-time limit in seconds; past it: UNEVALUATED.",
)
@click.option(
    "--memory",
    "memory_mb",
    metavar="MIB",
    type=click.IntRange(min=1),
    default=2_048,
    show_default=True,
    help="Memory the model may use, in MiB.",
)
@click.option(
    "--train",
    "train_path",
    type=existing_file,
    help="The published training set: fixes the class order and checks the claimed score.",
)
@click.option("--claimed-train-score", "claimed", metavar="SCORE", help="The committed train_score, e.g. 0.973333.")
@click.option(
    "--tolerance",
    metavar="UNITS",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Units the training score may differ by (SCORE_TOLERANCE).",
)
@click.option("--expected-size", metavar="BYTES", type=click.IntRange(min=0), help="The revealed model_size in bytes.")
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
    """Score an ONNX MODEL on a test DATASET, sandboxed.

    Prints one line: VALID <score> (<decimal>), INVALID <reason> or UNEVALUATED <reason>.
    """
    from wekacoin_offchain.ml.evaluator import Valid, evaluate_model
    from wekacoin_offchain.ml.metrics import parse_score

    if claimed is not None and train_path is None:
        raise UserError("--claimed-train-score needs --train")
    train = load(train_path, metric) if train_path is not None else None
    test = load(dataset, metric, train.class_labels if train is not None else None)
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
        click.echo(f"VALID {score_text(result.score)}")
    else:
        click.echo(f"{result.status.name} {result.reason}")


COMMANDS: list[click.Command] = [evaluate_command]
