"""`wekacoin store`: the words and output of `ipfs add`, `ipfs cat`, `ipfs pin add`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from wekacoin_offchain.commands.store import store
from wekacoin_offchain.storage import (
    ContentNotFoundError,
    InvalidCidError,
    MissingFileError,
    StoreUnavailableError,
)
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon

from .golden import golden_cases, golden_input

GOLDEN = next(case for case in golden_cases() if case.size == 262145)  # two chunks


@pytest.fixture
def input_file(tmp_path: Path) -> Path:
    path = tmp_path / "train.csv"
    path.write_bytes(golden_input(GOLDEN.size))
    return path


def run(store_dir: Path, *arguments: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(store, ["--store-dir", str(store_dir), *arguments])
    return result.exit_code, result.output, result.exception


def test_add_prints_like_ipfs_add(tmp_path: Path, input_file: Path) -> None:
    code, output, _ = run(tmp_path / "s", "add", str(input_file))
    assert (code, output) == (0, f"added {GOLDEN.cidv1} train.csv\n")
    code, output, _ = run(tmp_path / "s", "add", "--cid-version", "0", "--quiet", str(input_file))
    assert (code, output) == (0, f"{GOLDEN.cidv0}\n")


def test_only_hash_then_get_fails_and_add_then_get_works(tmp_path: Path, input_file: Path) -> None:
    code, output, _ = run(tmp_path / "s", "add", "-n", "-q", str(input_file))
    assert (code, output) == (0, f"{GOLDEN.cidv1}\n")
    _, _, error = run(tmp_path / "s", "get", GOLDEN.cidv1)
    assert isinstance(error, ContentNotFoundError)

    run(tmp_path / "s", "add", str(input_file))
    result = CliRunner().invoke(store, ["--store-dir", str(tmp_path / "s"), "get", GOLDEN.cidv1])
    assert result.exit_code == 0 and result.stdout_bytes == input_file.read_bytes()
    target = tmp_path / "copy.csv"
    assert run(tmp_path / "s", "get", GOLDEN.cidv1, "-o", str(target))[0] == 0
    assert target.read_bytes() == input_file.read_bytes()


def test_pin_prints_like_ipfs_pin_add(tmp_path: Path, input_file: Path) -> None:
    run(tmp_path / "s", "add", "--cid-version", "0", str(input_file))
    assert run(tmp_path / "s", "pin", GOLDEN.cidv0)[:2] == (
        0,
        f"pinned {GOLDEN.cidv0} recursively\n",
    )


def test_store_dir_defaults_to_the_environment(tmp_path: Path, input_file: Path) -> None:
    environment = {"WEKACOIN_STORE": str(tmp_path / "from-env"), "WEKACOIN_IPFS_API": ""}
    result = CliRunner(env=environment).invoke(store, ["add", str(input_file)])
    assert result.exit_code == 0
    assert (tmp_path / "from-env" / "blocks").is_dir()


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["get", "not-a-cid"], InvalidCidError),
        (["pin", GOLDEN.cidv1], ContentNotFoundError),
        (["add", "/no/such/file"], MissingFileError),
    ],
)
def test_user_mistakes_raise_user_errors(tmp_path: Path, arguments: list[str], error: type) -> None:
    code, _, raised = run(tmp_path / "s", *arguments)
    assert code != 0 and isinstance(raised, error)


def test_both_backends_at_once_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        store,
        ["--store-dir", str(tmp_path), "--api", "/ip4/127.0.0.1/tcp/5001", "get", GOLDEN.cidv1],
    )
    assert result.exit_code == 2 and "give one" in result.output


def wekacoin(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The installed console script, as a user runs it."""
    executable = Path(sys.executable).with_name("wekacoin")
    return subprocess.run([str(executable), *arguments], cwd=cwd, capture_output=True, timeout=60)


def test_the_real_command_round_trips_and_reports_mistakes_on_one_line(tmp_path: Path, input_file: Path) -> None:
    added = wekacoin("store", "add", "-q", str(input_file), cwd=tmp_path)
    assert (added.returncode, added.stdout.decode()) == (0, f"{GOLDEN.cidv1}\n")
    assert (tmp_path / "wekacoin-data" / "store" / "blocks").is_dir()  # the default store
    got = wekacoin("store", "get", GOLDEN.cidv1, cwd=tmp_path)
    assert got.returncode == 0 and got.stdout == input_file.read_bytes()

    for arguments in (
        ["store", "get", "nope"],
        ["store", "add", "missing.bin"],
        ["store", "pin", GOLDEN.cidv0],
    ):
        failed = wekacoin(*arguments, cwd=tmp_path)
        assert failed.returncode == 2, arguments
        assert failed.stderr.decode().count("\n") == 1 and failed.stderr.startswith(b"error: "), failed.stderr
        assert failed.stdout == b""


def test_an_absent_daemon_is_one_line(tmp_path: Path) -> None:
    _, _, raised = run(tmp_path, "get", GOLDEN.cidv1)
    assert isinstance(raised, ContentNotFoundError)
    result = CliRunner().invoke(store, ["--api", "/ip4/127.0.0.1/tcp/1", "get", GOLDEN.cidv1])
    assert isinstance(result.exception, StoreUnavailableError)


@pytest.mark.ipfs
def test_api_option_uses_the_daemon(ipfs_daemon: JsIpfsDaemon, input_file: Path, tmp_path: Path) -> None:
    def daemon_run(*arguments: str) -> tuple[int, str]:
        result = CliRunner().invoke(store, ["--api", ipfs_daemon.api, *arguments])
        return result.exit_code, result.output

    assert daemon_run("add", "--cid-version", "0", str(input_file)) == (
        0,
        f"added {GOLDEN.cidv0} train.csv\n",
    )
    assert daemon_run("pin", GOLDEN.cidv0) == (0, f"pinned {GOLDEN.cidv0} recursively\n")
    target = tmp_path / "out.csv"
    assert daemon_run("get", GOLDEN.cidv0, "-o", str(target))[0] == 0
    assert target.read_bytes() == input_file.read_bytes()
