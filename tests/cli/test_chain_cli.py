"""The `wekacoin` chain commands as a user runs them, against a real anvil node.

A task's life from deploy to withdraw through separate processes, and the mistakes a
new user makes, each ending in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import io
import re

import pytest
from sklearn.datasets import load_iris

from tests.cli.conftest import Anvil, Cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    workdir = tmp_path_factory.mktemp("user")
    out = io.StringIO()
    load_iris(as_frame=True).frame.to_csv(out, index=False)
    (workdir / "iris.csv").write_text(out.getvalue())
    return Cli(workdir, anvil.url)


def _one_line_error(result, pattern: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]


@pytest.fixture(scope="module")
def task_life(cli: Cli, anvil: Anvil) -> dict[str, str]:
    """Task 1's life through the command line, step by step: what each command printed.

    The mistakes below are made against this state (a deployment, a released task 1)."""
    said = {"deploy": cli.ok("deploy", "--param", "min_training_period=6")}
    for n in (1, 2):
        cli.ok("transfer", f"test:{n}", "500")
    said["publish"] = cli.ok(
        "supplier",
        "publish",
        "iris.csv",
        "--metric",
        "accuracy",
        "--reward",
        "50",
        "--account",
        "test:1",
        "--training-blocks",
        "8",
    )
    said["commit"] = cli.ok("trainer", "commit", "1", "--model", "logistic", "--account", "test:2")
    said["early release"] = cli.ok("supplier", "release", "--account", "test:1")
    anvil.mine(10)
    said["release"] = cli.ok("supplier", "release", "--account", "test:1")
    said["reveal"] = cli.ok("trainer", "reveal", "--account", "test:2")
    said["second release"] = cli.ok("supplier", "release", "--account", "test:1")
    said["second reveal"] = cli.ok("trainer", "reveal", "--account", "test:2")
    return said


def test_a_task_through_the_command_line(task_life: dict[str, str]) -> None:
    assert "addresses saved" in task_life["deploy"]
    assert re.search(r"task 1 published", task_life["publish"])
    assert re.search(r"model 1 committed to task 1", task_life["commit"])
    assert "test set released" not in task_life["early release"]  # its window had not opened
    assert "test set released" in task_life["release"]
    assert "revealed" in task_life["reveal"]
    # A second release or reveal finds nothing left to do: restarts never act twice.
    assert task_life["second release"].strip() == "nothing to release now"
    assert task_life["second reveal"].strip() == "nothing to reveal now"


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("deploy", "--network", "ethereum:local:nope"), r"^error: cannot connect to network 'ethereum:local:nope'"),
        (("deploy", "--network", "http://127.0.0.1:9"), r"^error: cannot connect .*wekacoin node"),
        (
            ("supplier", "publish", "missing.csv", "--metric", "accuracy", "--reward", "1"),
            r"^error: .*missing.csv.* does not exist",
        ),
        (("supplier", "publish", "iris.csv", "--metric", "accurate", "--reward", "1"), r"^error: .*unknown metric"),
        (
            ("supplier", "publish", "iris.csv", "--metric", "accuracy", "--reward", "lots"),
            r"^error: .*not an amount of WKC",
        ),
        (
            ("supplier", "publish", "iris.csv", "--metric", "accuracy", "--reward", "50", "--account", "test:7"),
            r"^error: 0x[0-9a-fA-F]+ holds 0 WKC but needs 51 WKC for the escrow",
        ),
        (
            ("trainer", "commit", "999", "--model", "logistic", "--account", "test:2"),
            r"^error: task 999 does not exist",
        ),
        (
            ("trainer", "commit", "1", "--model", "logistic", "--account", "test:2"),
            r"^error: task 1 is released: it no longer accepts models",
        ),
        (("trainer", "commit", "1", "--model", "logistic", "--account", "test:99"), r"^error: account 'test:99'"),
        (("withdraw", "--account", "test:5"), r"^error: nothing is owed to 0x"),
        (("transfer", "test:3", "1", "--deployment", "nowhere.json"), r"^error: no deployment file nowhere.json"),
    ],
)
def test_user_mistakes_end_in_one_line(
    cli: Cli, task_life: dict[str, str], args: tuple[str, ...], pattern: str
) -> None:
    _one_line_error(cli.run(*args), pattern)


def test_committing_after_the_release_height(cli: Cli, anvil: Anvil, task_life: dict[str, str]) -> None:
    published = cli.ok(
        "supplier", "publish", "iris.csv", "--metric", "accuracy", "--reward", "5", "--account", "test:1"
    )
    task_id = re.search(r"task (\d+) published", published).group(1)
    anvil.mine(20)
    _one_line_error(
        cli.run("trainer", "commit", task_id, "--model", "tree", "--account", "test:2"),
        rf"^error: task {task_id} stopped accepting models at its release height",
    )
