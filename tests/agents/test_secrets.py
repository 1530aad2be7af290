"""The secret book: shared by concurrent commands, re-read on a miss, one line when corrupt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wekacoin_offchain.agents.secrets import SecretBook
from wekacoin_offchain.errors import UserError

WRITER = """
import sys
from pathlib import Path
from wekacoin_offchain.agents.secrets import SecretBook
book, writer = SecretBook(Path(sys.argv[1])), int(sys.argv[2])
for n in range(int(sys.argv[3])):
    book.put(bytes([writer, n]) * 16, {"writer": writer, "n": n})
"""


def test_two_processes_writing_at_once_lose_no_secret(tmp_path: Path) -> None:
    """Before issue 14 each writer rewrote the book from its own copy: the last one won."""
    path, count = tmp_path / "book.json", 40
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(writer), str(count)]) for writer in (1, 2)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    book = SecretBook(path)
    for writer in (1, 2):
        for n in range(count):
            assert book.get(bytes([writer, n]) * 16) == {"writer": writer, "n": n}


def test_a_secret_written_by_another_command_is_found(tmp_path: Path) -> None:
    """A running `supplier run` holds its book open; `supplier publish` adds a task later."""
    running = SecretBook(tmp_path / "book.json")
    SecretBook(tmp_path / "book.json").put(b"\x07" * 32, {"salt": "ab"})
    assert running.get(b"\x07" * 32) == {"salt": "ab"}


@pytest.mark.parametrize("content", [b'{"ab": {"salt"', b"[1, 2]", b"\xff\xfe"], ids=["truncated", "a list", "binary"])
def test_a_corrupt_book_is_one_line(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "book.json").write_bytes(content)
    with pytest.raises(UserError) as raised:
        SecretBook(tmp_path / "book.json")
    assert len(str(raised.value).splitlines()) == 1 and "restore it" in str(raised.value)
