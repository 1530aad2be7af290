"""An agent's own secrets: the salts and CIDs behind its commitments.

A commitment hides what it commits to, so the chain alone cannot tell an agent what to
release or reveal after a restart. Each secret is written to disk *before* the
transaction that commits to it, keyed by the commitment; whatever the chain then shows
(committed or not), a restarted agent finds the secret it needs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wekacoin_offchain.private_files import write_private


class SecretBook:
    """A JSON file of secrets keyed by commitment (hex), owner-readable only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}

    def get(self, commitment: bytes) -> dict[str, Any] | None:
        return self._entries.get(commitment.hex())

    def put(self, commitment: bytes, secret: dict[str, Any]) -> None:
        self._entries[commitment.hex()] = secret
        write_private(self.path, json.dumps(self._entries, indent=1, sort_keys=True).encode())
