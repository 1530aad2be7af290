"""The Kubo RPC client without a daemon: API addresses and an absent daemon."""

from __future__ import annotations

import pytest

from wekacoin_offchain.storage import KuboRpcStore, StorageError, StoreUnavailableError
from wekacoin_offchain.storage.kubo import api_base_url


@pytest.mark.parametrize(
    ("api", "url"),
    [
        ("/ip4/127.0.0.1/tcp/5001", "http://127.0.0.1:5001"),
        ("/ip4/127.0.0.1/tcp/5001/http", "http://127.0.0.1:5001"),
        ("/dns4/ipfs.example/tcp/443/https", "https://ipfs.example:443"),
        ("/ip6/::1/tcp/5001", "http://[::1]:5001"),
        ("http://localhost:5001/", "http://localhost:5001"),
    ],
)
def test_api_addresses(api: str, url: str) -> None:
    assert api_base_url(api) == url


@pytest.mark.parametrize("api", ["", "localhost:5001", "/ip4/127.0.0.1/udp/5001", "/ip4/127.0.0.1/tcp/x"])
def test_bad_api_addresses(api: str) -> None:
    with pytest.raises(StorageError, match="not an IPFS API address"):
        KuboRpcStore(api)


def test_no_daemon_is_a_clear_error() -> None:
    with (
        KuboRpcStore("/ip4/127.0.0.1/tcp/1") as store,
        pytest.raises(StoreUnavailableError, match="no IPFS API answers"),
    ):
        store.add_bytes(b"x")
