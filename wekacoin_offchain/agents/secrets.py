"""An agent's own secrets: the salts and CIDs behind its commitments.

A commitment hides what it commits to, so the chain alone cannot tell an agent what to
release or reveal after a restart. Each secret is written to disk *before* the
transaction that commits to it, keyed by the commitment; whatever the chain then shows
(committed or not), a restarted agent finds the secret it needs.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class SecretBook:
    """A JSON file of secrets keyed by commitment (hex), owner-readable only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}

    def get(self, commitment: bytes) -> dict[str, Any] | None:
        return self._entries.get(commitment.hex())

    def put(self, commitment: bytes, secret: dict[str, Any]) -> None:
        self._entries[commitment.hex()] = secret
        self._write()

    def _write(self) -> None:
        # Write a new file and rename it over the old one: a kill mid-write leaves the old file whole.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets-")
        with os.fdopen(handle, "w") as out:
            json.dump(self._entries, out, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)
