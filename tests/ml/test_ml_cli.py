"""The ML commands through click's runner, and once as a real `wekacoin` process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.ml.conftest import bundled
from wekacoin_offchain import commitments
from wekacoin_offchain.commands.evaluate import evaluate_command
from wekacoin_offchain.commands.supplier import SECRET_FILE, supplier
from wekacoin_offchain.commands.trainer import trainer
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml import datasets
from wekacoin_offchain.ml.datasets import dataset_to_csv

wekacoin = click.Group("wekacoin", commands=[evaluate_command, supplier, trainer])


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(wekacoin, [str(arg) for arg in args])


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A supplier's split of the wine data, labels as words."""
    folder = tmp_path_factory.mktemp("task")
    wine = bundled("wine")
    named = datasets.Dataset(
        wine.features,
        wine.target,
        wine.feature_names,
        "cultivar",
        ("barolo", "grignolino", "barbera"),
    )
    (folder / "wine.csv").write_bytes(dataset_to_csv(named))
    result = run(
        "supplier",
        "split",
        folder / "wine.csv",
        "--metric",
        "accuracy",
        "--test-fraction",
        "0.3",
        "--seed",
        "4",
        "--out",
        folder / "out",
    )
    assert result.exit_code == 0, result.output
    return folder / "out"


def _data_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()[1:]


def test_split_publishes_no_test_label(task: Path) -> None:
    train_lines, test_lines = _data_lines(task / "train.csv"), _data_lines(task / "test.csv")
    assert len(train_lines) == 124 and len(test_lines) == 54
    # train.csv is all that is published before release: no test row is in it.
    assert set(train_lines).isdisjoint(test_lines)
    for private in (task / SECRET_FILE, task / "test.csv"):
        assert private.stat().st_mode & 0o777 == 0o600
    secret = json.loads((task / SECRET_FILE).read_text())
    salt = bytes.fromhex(secret["salt"][2:])
    assert commitments.test_commitment(secret["test_cid"], salt).hex() == secret["test_commitment"][2:]


def test_split_with_a_given_cid_prints_the_commitment_but_not_the_salt(tmp_path: Path) -> None:
    (tmp_path / "iris.csv").write_bytes(dataset_to_csv(bundled("iris")))
    cid = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
    result = run(
        "supplier",
        "split",
        tmp_path / "iris.csv",
        "--metric",
        "kappa",
        "--test-fraction",
        "0.2",
        "--seed",
        "1",
        "--out",
        tmp_path / "out",
        "--test-cid",
        cid,
    )
    assert result.exit_code == 0, result.output
    secret = json.loads((tmp_path / "out" / SECRET_FILE).read_text())
    assert secret["test_cid"] == cid
    assert f"test_commitment {secret['test_commitment']}" in result.output
    assert secret["salt"][2:] not in result.output


def test_baseline_fit_and_evaluate(task: Path, tmp_path: Path) -> None:
    baseline = run(
        "supplier",
        "baseline",
        task / "train.csv",
        "--metric",
        "accuracy",
        "--out",
        tmp_path / "b.onnx",
    )
    assert baseline.exit_code == 0 and baseline.output.startswith("baseline_score ")
    fitted = run(
        "trainer",
        "fit",
        task / "train.csv",
        "--model",
        "logistic",
        "--metric",
        "accuracy",
        "--out",
        tmp_path / "m.onnx",
        "--seed",
        "3",
    )
    assert fitted.exit_code == 0, fitted.output
    train_score = fitted.output.split()[2].strip("()")  # "train_score 1000000 (1.000000) -> ..."
    size = (tmp_path / "m.onnx").stat().st_size
    verdict = run(
        "evaluate",
        tmp_path / "m.onnx",
        task / "test.csv",
        "--metric",
        "accuracy",
        "--train",
        task / "train.csv",
        "--claimed-train-score",
        train_score,
        "--expected-size",
        size,
        "--json",
    )
    document = json.loads(verdict.output)
    assert document["status"] == "VALID" and document["code"] == 1 and document["score"] > 900_000
    wrong_claim = run(
        "evaluate",
        tmp_path / "m.onnx",
        task / "test.csv",
        "--metric",
        "accuracy",
        "--train",
        task / "train.csv",
        "--claimed-train-score",
        "0.5",
    )
    assert wrong_claim.output.startswith("INVALID training score ") and wrong_claim.output.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "missing.onnx", "{train}", "--metric", "accuracy"], "does not exist"),
        (
            ["evaluate", "{train}", "{train}", "--metric", "f1"],
            "unknown metric 'f1'; valid metrics: accuracy",
        ),
        (
            [
                "trainer",
                "fit",
                "{train}",
                "--model",
                "logistic",
                "--metric",
                "auc",
                "--out",
                "m.onnx",
            ],
            "unknown metric",
        ),
        (["supplier", "baseline", "{train}", "--out", "b.onnx"], "Missing option '--metric'"),
        (
            [
                "supplier",
                "split",
                "{train}",
                "--metric",
                "accuracy",
                "--test-fraction",
                "x",
                "--seed",
                "1",
                "--out",
                "o",
            ],
            "not a valid float",
        ),
    ],
)
def test_usage_mistakes_exit_2_with_one_clear_line(task: Path, args: list[str], message: str) -> None:
    result = run(*(arg.format(train=task / "train.csv") for arg in args))
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "trainer",
                "fit",
                "{train}",
                "--model",
                "svm",
                "--metric",
                "accuracy",
                "--out",
                "m.onnx",
            ],
            "unknown model kind 'svm' for classification; choose one of",
        ),
        (
            [
                "supplier",
                "split",
                "{train}",
                "--metric",
                "accuracy",
                "--test-fraction",
                "1.5",
                "--seed",
                "1",
                "--out",
                "o",
            ],
            "test fraction must be strictly between 0 and 1",
        ),
        (
            ["supplier", "baseline", "{train}", "--metric", "rmse", "--out", "b.onnx"],
            "not a number",
        ),
        (
            [
                "evaluate",
                "{train}",
                "{train}",
                "--metric",
                "accuracy",
                "--claimed-train-score",
                "1",
            ],
            "needs --train",
        ),
    ],
)
def test_input_mistakes_are_user_errors(task: Path, args: list[str], message: str) -> None:
    result = run(*(arg.format(train=task / "train.csv") for arg in args))
    assert isinstance(result.exception, UserError) and message in str(result.exception)


def test_real_wekacoin_process(task: Path, tmp_path: Path) -> None:
    """The installed console script: a verdict on stdout, a user mistake as one line and exit 2."""
    command = [str(Path(sys.executable).with_name("wekacoin"))]
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model")
    verdict = subprocess.run(
        [*command, "evaluate", str(garbage), str(task / "test.csv"), "--metric", "accuracy"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verdict.returncode == 0 and verdict.stdout == "INVALID not an ONNX model: DecodeError\n"
    mistake = subprocess.run(
        [
            *command,
            "supplier",
            "baseline",
            str(task / "train.csv"),
            "--metric",
            "r2",
            "--out",
            str(tmp_path / "b.onnx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert mistake.returncode == 2 and mistake.stdout == ""
    assert (
        mistake.stderr.count("\n") == 1 and mistake.stderr.startswith("error: ") and "Traceback" not in mistake.stderr
    )


def test_an_arff_dataset_splits_to_csv_and_trains(tmp_path: Path) -> None:
    iris = bundled("iris")
    names = ("setosa", "versicolor", "virginica")
    lines = ["@relation iris"]
    lines += [f"@attribute x{i} numeric" for i in range(iris.n_features)]
    lines += ["@attribute species {" + ",".join(names) + "}", "@data"]
    lines += [
        ",".join([*(str(v) for v in row), names[label]]) for row, label in zip(iris.features, iris.target, strict=True)
    ]
    (tmp_path / "iris.arff").write_text("\n".join(lines) + "\n")
    split = run(
        "supplier",
        "split",
        tmp_path / "iris.arff",
        "--metric",
        "macro_f1",
        "--test-fraction",
        "0.2",
        "--seed",
        "0",
        "--out",
        tmp_path / "out",
        "--test-cid",
        "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    )
    assert split.exit_code == 0, split.output
    assert (tmp_path / "out" / "train.csv").read_text().splitlines()[1].split(",")[-1] in names
    fitted = run(
        "trainer",
        "fit",
        tmp_path / "out" / "train.csv",
        "--model",
        "tree",
        "--metric",
        "macro_f1",
        "--out",
        tmp_path / "m.onnx",
    )
    assert fitted.exit_code == 0 and fitted.output.startswith("train_score 1000000 (1.000000)")


def test_regression_flow(tmp_path: Path) -> None:
    (tmp_path / "diabetes.csv").write_bytes(dataset_to_csv(bundled("diabetes")))
    assert (
        run(
            "supplier",
            "split",
            tmp_path / "diabetes.csv",
            "--metric",
            "rmse",
            "--test-fraction",
            "0.25",
            "--seed",
            "2",
            "--out",
            tmp_path,
            "--test-cid",
            "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
        ).exit_code
        == 0
    )
    baseline = run(
        "supplier",
        "baseline",
        tmp_path / "train.csv",
        "--metric",
        "rmse",
        "--out",
        tmp_path / "b.onnx",
    )
    assert baseline.exit_code == 0, baseline.output
    verdict = run("evaluate", tmp_path / "b.onnx", tmp_path / "test.csv", "--metric", "rmse")
    assert verdict.exit_code == 0 and verdict.output.startswith("VALID ")
    baseline_rmse, test_rmse = int(baseline.output.split()[1]), int(verdict.output.split()[1])
    assert 60_000_000 < baseline_rmse < 90_000_000 and 60_000_000 < test_rmse < 90_000_000
