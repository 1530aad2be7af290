"""`wekacoin validator`, the `run` loops and `wekacoin status`, as a user runs them on anvil.

What status shows after a task is published, a model committed and a validator
registered; a loop stopped with SIGTERM exiting cleanly; and the mistakes a user makes
with the new commands, each one line on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
from typing import cast

import pytest
from eth_utils.address import to_checksum_address
from sklearn.datasets import load_iris

from tests.cli.conftest import WEKACOIN, Anvil, Cli

pytestmark = pytest.mark.slow

SUPPLIER, TRAINER, VALIDATOR, UNFUNDED = 1, 2, 3, 4


@pytest.fixture(scope="module")
def cli(anvil: Anvil, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """A deployment with a published task, one committed model and one validator."""
    workdir = tmp_path_factory.mktemp("roles")
    out = io.StringIO()
    load_iris(as_frame=True).frame.to_csv(out, index=False)
    (workdir / "iris.csv").write_text(out.getvalue())
    user = Cli(workdir, anvil.url)
    user.ok("deploy")
    for n in (SUPPLIER, TRAINER, VALIDATOR):
        user.ok("transfer", f"test:{n}", "500")
    user.ok(
        "supplier",
        "publish",
        "iris.csv",
        "--metric",
        "accuracy",
        "--reward",
        "50",
        "--training-blocks",
        "30",
        "--account",
        f"test:{SUPPLIER}",
    )
    user.ok("trainer", "commit", "1", "--model", "tree", "--account", f"test:{TRAINER}")
    return user


def _one_line_error(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]


def _addresses(anvil: Anvil) -> list[str]:
    """The test accounts' addresses: anvil's, from the same mnemonic as ape's."""
    return [to_checksum_address(str(a)) for a in cast(list[str], anvil.rpc("eth_accounts"))]


def test_validator_register_once(cli: Cli) -> None:
    assert (
        cli.ok("validator", "register", "--bond", "200", "--account", f"test:{VALIDATOR}").strip()
        == "registered with a bond of 200 WKC"
    )
    assert "is registered already" in cli.ok("validator", "register", "--bond", "200", "--account", f"test:{VALIDATOR}")


def test_status_shows_tasks_models_rounds_and_what_is_owed(cli: Cli, anvil: Anvil) -> None:
    address = _addresses(anvil)
    cli.ok("validator", "register", "--bond", "200", "--account", f"test:{VALIDATOR}")
    result = subprocess.run(
        [str(WEKACOIN), "status", "--account", f"test:{UNFUNDED}"],
        check=False,
        cwd=cli.workdir,
        env={**os.environ, "WEKACOIN_NETWORK": cli.network, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = {
        tuple(cell.strip() for cell in line.strip("│ ").split("│"))
        for line in result.stdout.splitlines()
        if line.startswith("│")
    }
    assert any(row[:4] == ("1", "open", "accuracy", "50 WKC") for row in rows), result.stdout  # a task
    assert any(row[:4] == ("1", "1", address[TRAINER], "no") for row in rows), result.stdout  # its model, unrevealed
    owed_roles = {row[0]: row[1] for row in rows if len(row) == 3}
    assert owed_roles == {
        address[SUPPLIER]: "supplier",
        address[TRAINER]: "trainer",
        address[VALIDATOR]: "validator",
        address[UNFUNDED]: "asked for",
    }
    for title in ("tasks (chain height", "models", "rounds", "owed by the contract"):
        assert title in result.stdout


def test_a_run_loop_stops_cleanly_on_sigterm(cli: Cli) -> None:
    log = cli.workdir / "validator.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(WEKACOIN), "validator", "run", "--bond", "200", "--poll", "0.2", "--account", f"test:{VALIDATOR}"],
            cwd=cli.workdir,
            env={**os.environ, "WEKACOIN_NETWORK": cli.network},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "watching the chain" not in log.read_text():
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert log.read_text().strip().endswith("validator: stopped")


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("status", "--network", "ethereum:local:nope"), r"^error: cannot connect to network 'ethereum:local:nope'"),
        (("status", "--deployment", "nowhere.json"), r"^error: no deployment file nowhere.json"),
        (("status", "--account", "alice"), r"^error: account 'alice': give an address \(0x…\) or test:N"),
        (
            ("validator", "register", "--bond", "200", "--account", f"test:{UNFUNDED}"),
            r"^error: 0x[0-9a-fA-F]{40} holds 0 WKC, less than the bond of 200 WKC",
        ),
        (
            ("validator", "register", "--bond", "1", "--account", f"test:{UNFUNDED}"),
            r"^error: a bond of 1 WKC is below the minimum 100 WKC",
        ),
        (
            ("validator", "run", "--account", f"test:{UNFUNDED}"),
            r"^error: 0x[0-9a-fA-F]{40} holds 0 WKC, less than the bond of 100 WKC",
        ),
        (
            ("validator", "run", "--until-settled", "99", "--account", f"test:{VALIDATOR}"),
            r"^error: task 99 does not exist",
        ),
        (("validator", "run", "--poll", "0"), r"^error: .*--poll"),
        (
            ("supplier", "run", "--until-settled", "99", "--account", f"test:{SUPPLIER}"),
            r"^error: task 99 does not exist",
        ),
        (("trainer", "run", "--until-settled", "0", "--account", f"test:{TRAINER}"), r"^error: task 0 does not exist"),
        (
            ("trainer", "commit", "1", "--model", "tree", "--model-file", "iris.csv", "--train-score", "0.9"),
            r"^error: give either --model KIND",
        ),
        (("trainer", "commit", "1", "--model-file", "iris.csv"), r"^error: --train-score goes with --model-file"),
        (
            ("trainer", "commit", "1", "--model-file", "iris.csv", "--train-score", "high"),
            r"^error: not a score: 'high'",
        ),
    ],
)
def test_user_mistakes_end_in_one_line(cli: Cli, args: tuple[str, ...], pattern: str) -> None:
    _one_line_error(cli.run(*args), pattern)


def test_a_registered_validator_without_its_key_stops_with_one_line(cli: Cli, anvil: Anvil) -> None:
    """Before issue 14 a lost key file was replaced by a new key the chain does not know:
    the validator ran on, every VRF proof refused, its bond idle."""
    cli.ok("validator", "register", "--bond", "200", "--account", f"test:{VALIDATOR}")
    key = cli.workdir / "wekacoin-data" / "agents" / f"validator-{_addresses(anvil)[VALIDATOR]}" / "validator-key.json"
    kept = key.read_bytes()
    run = ("validator", "run", "--poll", "0.2", "--account", f"test:{VALIDATOR}")
    try:
        key.unlink()
        _one_line_error(cli.run(*run), r"is registered with a BLS key whose seed is not in .*validator-key.json")
        assert not key.exists(), "no new key was made"
        key.write_text('{"bls_seed": "' + "11" * 32 + '"}')
        _one_line_error(cli.run(*run), r"is not the one .* registered")
        key.write_text('{"bls_seed": "12')  # truncated
        _one_line_error(cli.run(*run), r"is not a validator key file")
    finally:
        key.write_bytes(kept)
