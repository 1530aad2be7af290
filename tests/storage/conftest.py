"""Fixtures for the content store: an embedded store (the real IPFS daemons and their
client, `ipfs_daemon`, `ipfs_nodes` and `kubo_store`, come from tests/fixtures/ipfs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wekacoin_offchain.storage import LocalBlockStore


@pytest.fixture
def local_store(tmp_path: Path) -> LocalBlockStore:
    return LocalBlockStore(tmp_path / "store")
