"""Fixtures for the content store: golden CIDs, deterministic inputs, a real IPFS daemon."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from wekacoin_offchain.storage import KuboRpcStore, LocalBlockStore, StoreUnavailableError
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon, find_project_root

GOLDEN_FILE = Path(__file__).with_name("ipfs-cids.json")
"""A copy of shared/vectors/ipfs-cids.json: CIDs kubo 0.22 and js-ipfs 0.18.1 gave."""


@dataclass(frozen=True)
class GoldenCase:
    size: int
    cidv0: str
    cidv1: str

    def cid(self, version: int) -> str:
        return self.cidv0 if version == 0 else self.cidv1


def golden_seed() -> bytes:
    seed: str = json.loads(GOLDEN_FILE.read_text())["seed"]
    return seed.encode()


def golden_cases() -> list[GoldenCase]:
    return [GoldenCase(**case) for case in json.loads(GOLDEN_FILE.read_text())["cases"]]


def golden_input(size: int, seed: bytes | None = None) -> bytes:
    """The first `size` bytes of sha256(seed || i as 8-byte big-endian), i = 0, 1, ..."""
    prefix = golden_seed() if seed is None else seed
    blocks = (size + 31) // 32
    stream = b"".join(hashlib.sha256(prefix + i.to_bytes(8, "big")).digest() for i in range(blocks))
    return stream[:size]


@pytest.fixture
def local_store(tmp_path: Path) -> LocalBlockStore:
    return LocalBlockStore(tmp_path / "store")


@pytest.fixture(scope="session")
def ipfs_daemon() -> Iterator[JsIpfsDaemon]:
    """A real js-ipfs daemon on 127.0.0.1 for the whole session (tests marked `ipfs`).

    Fails, never skips, when js-ipfs is not installed: the README's test command runs
    `npm ci` first, so a missing node_modules is a broken set-up, not an optional test.
    """
    try:
        project_root = find_project_root(Path(__file__).resolve().parent)
    except StoreUnavailableError as exc:
        pytest.fail(f"{exc}", pytrace=False)
    with JsIpfsDaemon(project_root) as daemon:
        yield daemon


@pytest.fixture
def kubo_store(ipfs_daemon: JsIpfsDaemon) -> Iterator[KuboRpcStore]:
    # Short timeouts: on a daemon with no peers a missing CID is only ever a timeout.
    with KuboRpcStore(ipfs_daemon.api, fetch_timeout=1.0, has_timeout=0.5) as store:
        yield store
