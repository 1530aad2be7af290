"""Fixtures for the content store: an embedded store, and a real IPFS daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wekacoin_offchain.storage import KuboRpcStore, LocalBlockStore, StoreUnavailableError
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon, find_project_root


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
