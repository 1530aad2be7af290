"""Private files (secret books, BLS keys, hidden test sets) are 0600 from their first byte.

Each test runs under umask 0, where a plain `open(..., "w")` would give 0666: the mode
must come from how the file is created, not from the umask or a chmod after writing.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wekacoin_offchain.agents.secrets import SecretBook
from wekacoin_offchain.agents.validator import _key_seed
from wekacoin_offchain.private_files import write_private


@pytest.fixture
def creations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Under umask 0, the mode of every temporary file right at its creation, before a
    byte is written; a chmod anywhere fails the test (it would mean a wider mode before)."""
    modes: list[int] = []
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle, name = real_mkstemp(*args, **kwargs)
        modes.append(stat.S_IMODE(os.fstat(handle).st_mode))
        return handle, name

    def no_chmod(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a private file was chmod-ed after its creation")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "chmod", no_chmod)
    previous = os.umask(0)
    try:
        yield modes
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_private_is_owner_only_from_creation(tmp_path: Path, creations: list[int]) -> None:
    target = tmp_path / "deep" / "secret.json"
    write_private(target, b"first")
    write_private(target, b"second")  # a replacement is created the same way
    assert target.read_bytes() == b"second" and mode(target) == 0o600
    assert creations == [0o600, 0o600]
    assert [p.name for p in target.parent.iterdir()] == ["secret.json"]  # no temporary left


def test_write_private_replaces_a_world_readable_file(tmp_path: Path, creations: list[int]) -> None:
    target = tmp_path / "test.csv"
    target.write_bytes(b"old")
    assert mode(target) == 0o666  # umask 0
    write_private(target, b"new")
    assert mode(target) == 0o600 and target.read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, creations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "secrets.json"
    write_private(target, b"old")

    def fail(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        write_private(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["secrets.json"]


def test_the_secret_book_and_the_validator_key_are_private(tmp_path: Path, creations: list[int]) -> None:
    book = SecretBook(tmp_path / "trainer" / "trainer-secrets.json")
    book.put(b"\x01" * 32, {"salt": "00" * 32})
    key = tmp_path / "validator" / "validator-key.json"
    seed = _key_seed(key)
    assert mode(book.path) == 0o600 and mode(key) == 0o600
    assert creations == [0o600, 0o600]
    assert _key_seed(key) == seed == bytes.fromhex(json.loads(key.read_text())["bls_seed"])
    assert SecretBook(book.path).get(b"\x01" * 32) == {"salt": "00" * 32}
