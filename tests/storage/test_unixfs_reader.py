"""The verified UnixFS reader both backends share: sizes, lying roots, deep DAGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from wekacoin_offchain.storage import (
    ContentTooLargeError,
    CorruptBlockError,
    LocalBlockStore,
)
from wekacoin_offchain.storage.cids import DAG_PB, RAW, ContentId, sha256_cid
from wekacoin_offchain.storage.dagpb import PbLink, encode_pb_node, encode_unixfs_file

from .golden import golden_input


def _node(store: LocalBlockStore, links: list[ContentId], declared: int, data: bytes = b"") -> ContentId:
    encoded = encode_pb_node([PbLink(cid.to_bytes(), 0) for cid in links], encode_unixfs_file(data, declared))
    cid = sha256_cid(encoded, DAG_PB, 1)
    store.put_block(cid.text, encoded)
    return cid


def _leaf(store: LocalBlockStore, data: bytes) -> ContentId:
    cid = sha256_cid(data, RAW, 1)
    store.put_block(cid.text, data)
    return cid


def test_max_size_allows_the_exact_size(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path)
    data = golden_input(600_000)
    cid = store.add_bytes(data)
    assert store.cat(cid, max_size=len(data)) == data
    with pytest.raises(ContentTooLargeError, match="600000 bytes"):
        store.cat(cid, max_size=len(data) - 1)


def test_a_raw_root_is_its_own_size(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path)
    cid = store.add_bytes(b"twelve bytes")
    assert store.cat(cid, max_size=12) == b"twelve bytes"
    with pytest.raises(ContentTooLargeError):
        store.cat(cid, max_size=11)


@pytest.mark.parametrize("declared", [5, 100])
def test_a_root_that_lies_about_its_size_is_corrupt(tmp_path: Path, declared: int) -> None:
    """Declaring less than the blocks hold cannot slip past max_size; declaring more is caught at the end."""
    store = LocalBlockStore(tmp_path)
    leaves = [_leaf(store, b"0123456789"), _leaf(store, b"abcdefghij")]
    root = _node(store, leaves, declared)
    with pytest.raises(CorruptBlockError, match="declares"):
        store.cat(root.text, max_size=declared)


def test_a_deep_dag_needs_no_recursion(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path)
    cid = _leaf(store, b"x")
    for _ in range(3_000):  # deeper than Python's recursion limit
        cid = _node(store, [cid], 1)
    assert store.cat(cid.text, max_size=1) == b"x"


def test_links_that_lead_nowhere_exhaust_the_fetch_budget(tmp_path: Path) -> None:
    """Empty nodes linked many times: almost no bytes, ever more blocks to fetch."""
    store = LocalBlockStore(tmp_path)
    empty = _node(store, [], 0)
    wide = _node(store, [empty] * 20_000, 0)  # one block of about 800 KB of links
    root = _node(store, [wide] * 10, 1, data=b"x")
    with pytest.raises(CorruptBlockError, match="block bytes"):
        store.cat(root.text, max_size=1)


def test_put_block_refuses_bytes_that_do_not_hash_to_the_cid(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path)
    cid = sha256_cid(b"right", RAW, 1)
    with pytest.raises(CorruptBlockError):
        store.put_block(cid.text, b"wrong")
    assert not store.has(cid.text)
