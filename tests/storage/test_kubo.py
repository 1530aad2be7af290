"""The Kubo RPC backend against a real IPFS daemon (js-ipfs, started by the fixture)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from wekacoin_offchain.storage import (
    CHUNK_SIZE,
    MAX_LINKS,
    ContentId,
    ContentNotFoundError,
    ContentStore,
    InvalidCidError,
    KuboRpcStore,
    LocalBlockStore,
    MissingFileError,
)
from wekacoin_offchain.storage.cids import SHA2_256_PREFIX
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon
from wekacoin_offchain.storage.kubo import api_base_url
from wekacoin_offchain.storage.layout import build_file_dag, split_bytes

from .golden import GoldenCase, golden_cases, golden_input

pytestmark = pytest.mark.ipfs


def absent_cid() -> str:
    """A CID of random bytes: no test adds it, so the daemon does not hold it."""
    return ContentId(1, "raw", SHA2_256_PREFIX + hashlib.sha256(os.urandom(32)).digest()).text


def test_daemon_is_real_and_on_loopback(ipfs_daemon: JsIpfsDaemon) -> None:
    assert ipfs_daemon.api.startswith("/ip4/127.0.0.1/tcp/")
    version = httpx.post(f"{api_base_url(ipfs_daemon.api)}/api/v0/version", trust_env=False).json()
    assert version["Version"] == "0.18.1"


def test_it_is_a_content_store(kubo_store: KuboRpcStore) -> None:
    assert isinstance(kubo_store, ContentStore)


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize(
    "case",
    [case for case in golden_cases() if case.size <= 1 << 20],
    ids=lambda case: f"{case.size}B",
)
def test_golden_cids(case: GoldenCase, version: int, kubo_store: KuboRpcStore) -> None:
    data = golden_input(case.size)
    assert kubo_store.add_bytes(data, cid_version=version) == case.cid(version)
    assert kubo_store.cat(case.cid(version)) == data


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 2 * CHUNK_SIZE + 3), st.sampled_from([0, 1]), st.binary(min_size=1, max_size=8))
def test_daemon_and_embedded_store_agree(
    kubo_store: KuboRpcStore,
    tmp_path_factory: pytest.TempPathFactory,
    size: int,
    version: int,
    seed: bytes,
) -> None:
    data = golden_input(size, seed)
    local = LocalBlockStore(tmp_path_factory.mktemp("store"))
    cid = local.add_bytes(data, cid_version=version)
    assert kubo_store.add_bytes(data, cid_version=version, only_hash=True) == cid
    # What one stores, the other serves: the daemon hands back the embedded store's bytes.
    assert kubo_store.add_bytes(local.cat(cid), cid_version=version) == cid
    assert kubo_store.cat(cid) == data


@pytest.mark.parametrize("version", [0, 1])
def test_deep_layout_agrees_with_the_daemon(version: int, ipfs_daemon: JsIpfsDaemon) -> None:
    """Three levels of the balanced DAG, reached cheaply with 8-byte chunks (same algorithm)."""
    data = golden_input(MAX_LINKS * MAX_LINKS * 8 + 3)
    params = {
        "cid-version": str(version),
        "raw-leaves": str(version == 1).lower(),
        "chunker": "size-8",
        "only-hash": "true",
    }
    if version == 1:
        params["cid-base"] = "base32"
    answer = httpx.post(
        f"{api_base_url(ipfs_daemon.api)}/api/v0/add",
        params=params,
        files={"file": ("f", data)},
        timeout=60,
        trust_env=False,
    )
    *_, root = build_file_dag(split_bytes(data, 8), version)
    assert answer.json()["Hash"] == root.cid.text


def test_add_file_streams_and_pins(kubo_store: KuboRpcStore, tmp_path: Path) -> None:
    path = tmp_path / "model.onnx"
    data = golden_input(3 * CHUNK_SIZE + 1, b"file")
    path.write_bytes(data)
    cid = kubo_store.add_file(path)
    assert cid == LocalBlockStore(tmp_path / "store").add_file(path, only_hash=True)
    assert kubo_store.has(cid)
    assert kubo_store.pin(cid) == cid
    assert b"".join(kubo_store.open(cid)) == data


def test_only_hash_stores_nothing(kubo_store: KuboRpcStore) -> None:
    cid = kubo_store.add_bytes(b"only hashed, never stored", only_hash=True)
    assert not kubo_store.has(cid)


def test_user_mistakes(kubo_store: KuboRpcStore) -> None:
    absent = absent_cid()
    assert not kubo_store.has(absent)
    with pytest.raises(ContentNotFoundError):
        kubo_store.cat(absent)
    with pytest.raises(ContentNotFoundError):
        kubo_store.open(absent)
    with pytest.raises(InvalidCidError):
        kubo_store.cat("not-a-cid")
    with pytest.raises(MissingFileError):
        kubo_store.add_file("/no/such/file")
