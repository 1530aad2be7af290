"""The balanced DAG layout: golden CIDs, and aleph-cid (kubo's algorithm in Rust) on other sizes."""

from __future__ import annotations

import os

import aleph_cid
import pytest
from hypothesis import given, settings, strategies as st

from wekacoin_offchain.storage.dagpb import decode_pb_node
from wekacoin_offchain.storage.layout import CHUNK_SIZE, MAX_LINKS, build_file_dag, split_bytes

from .golden import GoldenCase, golden_cases, golden_input


def root_cid(data: bytes, version: int, chunk_size: int = CHUNK_SIZE) -> str:
    *_, root = build_file_dag(split_bytes(data, chunk_size), version)
    return root.cid.text


def aleph_root_cid(data: bytes, version: int) -> str:
    hasher = aleph_cid.CidHasher.for_ipfs() if version == 0 else aleph_cid.CidHasher.for_ipfs_v1_raw_leaves()
    hasher.update(data)
    return hasher.finalize()


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: f"{case.size}B")
def test_golden_cids(case: GoldenCase, version: int) -> None:
    assert root_cid(golden_input(case.size), version) == case.cid(version)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 3 * CHUNK_SIZE + 7), st.sampled_from([0, 1]), st.binary(min_size=1, max_size=8))
def test_agrees_with_aleph_cid(size: int, version: int, seed: bytes) -> None:
    data = golden_input(size, seed)
    assert root_cid(data, version) == aleph_root_cid(data, version)


@pytest.mark.parametrize("version", [0, 1])
def test_second_level_starts_after_174_chunks(version: int) -> None:
    """One chunk past a full node: the root has two children, the full node and a leaf."""
    data = os.urandom(MAX_LINKS * CHUNK_SIZE + 5)
    *_, root = build_file_dag(split_bytes(data, CHUNK_SIZE), version)
    assert [len(decode_pb_node(root.data).links)] == [2]
    assert root.cid.text == aleph_root_cid(data, version)


def test_blocks_come_children_first() -> None:
    blocks = list(build_file_dag(split_bytes(os.urandom(3 * 1000), 1000), 1))
    assert len(blocks) == 4
    assert [len(decode_pb_node(block.data).links) for block in blocks[-1:]] == [3]
    linked = {link.cid for link in decode_pb_node(blocks[-1].data).links}
    assert linked == {block.cid.to_bytes() for block in blocks[:-1]}


def test_one_chunk_is_one_block_and_nothing_is_one_empty_block() -> None:
    assert len(list(build_file_dag(split_bytes(b"x" * CHUNK_SIZE), 1))) == 1
    (empty,) = build_file_dag(split_bytes(b""), 0)
    assert empty.data == bytes.fromhex("0a0408021800")
