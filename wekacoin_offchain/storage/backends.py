"""Choosing a content store: the embedded block store by default, or an IPFS daemon."""

from __future__ import annotations

import os
from pathlib import Path

from wekacoin_offchain.storage.base import ContentStore, StrPath
from wekacoin_offchain.storage.kubo import KuboRpcStore
from wekacoin_offchain.storage.local import LocalBlockStore

STORE_DIR_ENV = "WEKACOIN_STORE"
IPFS_API_ENV = "WEKACOIN_IPFS_API"
DEFAULT_STORE_DIR = Path("wekacoin-data") / "store"


def default_store_dir() -> Path:
    """`$WEKACOIN_STORE`, else `./wekacoin-data/store`."""
    return Path(os.environ.get(STORE_DIR_ENV) or DEFAULT_STORE_DIR)


def open_content_store(store_dir: StrPath | None = None, api: str | None = None) -> ContentStore:
    """A KuboRpcStore when `api` (a multiaddr or URL) is given, else a LocalBlockStore.

    Neither given: `$WEKACOIN_IPFS_API` if set, else the embedded store in
    `default_store_dir()`.
    """
    if store_dir is not None and api is not None:
        raise ValueError("give a store directory or an API address, not both")
    if store_dir is not None:
        return LocalBlockStore(store_dir)
    api = api or os.environ.get(IPFS_API_ENV) or None
    if api is not None:
        return KuboRpcStore(api)
    return LocalBlockStore(default_store_dir())
