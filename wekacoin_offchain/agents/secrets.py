"""An agent's own secrets: the salts and CIDs behind its commitments.

A commitment hides what it commits to, so the chain alone cannot tell an agent what to
release or reveal after a restart. Each secret is written to disk *before* the
transaction that commits to it, keyed by the commitment; whatever the chain then shows
(committed or not), a restarted agent finds the secret it needs.

Several commands share one book: `supplier publish` adds a secret while `supplier run`
is running. A write takes an exclusive `fcntl` lock on a lock file beside the book,
re-reads the book and adds its entry, so two writers never lose each other's secret; a
reader that misses a commitment reads the file again before it gives up.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.private_files import write_private


class SecretBook:
    """A JSON file of secrets keyed by commitment (hex), owner-readable only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries = self._read()

    def get(self, commitment: bytes) -> dict[str, Any] | None:
        if commitment.hex() not in self._entries:
            self._entries = self._read()  # another command may have written it since
        return self._entries.get(commitment.hex())

    def put(self, commitment: bytes, secret: dict[str, Any]) -> None:
        with self._locked():
            self._entries = self._read()
            self._entries[commitment.hex()] = secret
            write_private(self.path, json.dumps(self._entries, indent=1, sort_keys=True).encode())

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the book's write lock (the lock is on a file of its own: the book itself
        is replaced by each write, and a lock on a replaced file locks nothing)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        try:
            entries = json.loads(self.path.read_bytes())
        except (ValueError, OSError) as exc:
            raise UserError(f"{self.path} is unreadable or corrupt ({exc}): restore it from a backup") from None
        if not isinstance(entries, dict):
            raise UserError(f"{self.path} is not a secret book (a JSON object): restore it from a backup")
        return entries
