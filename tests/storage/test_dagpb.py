"""The hand-written dag-pb and UnixFS encoding: exact bytes, and decoding what it wrote."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from wekacoin_offchain.storage.dagpb import (
    DecodeError,
    PbLink,
    UnixFsType,
    decode_pb_node,
    decode_unixfs,
    encode_file_leaf,
    encode_pb_node,
    encode_unixfs_file,
    encode_varint,
)


def test_empty_file_node_is_the_bytes_kubo_writes() -> None:
    # PBNode{Data: UnixFS{Type: File, filesize: 0}}: the block behind QmbFMke1...
    assert encode_pb_node((), encode_unixfs_file(b"", 0)) == bytes.fromhex("0a0408021800")


def test_links_come_before_data_and_an_empty_name_is_written() -> None:
    link = PbLink(cid=b"\x12\x20" + bytes(32), tsize=300)
    encoded = encode_pb_node([link], encode_unixfs_file(b"", 5, [5]))
    assert encoded[0] == 0x12  # field 2 (Links) first, as the dag-pb spec requires
    assert b"\x12\x00\x18\xac\x02" in encoded  # Name "" then Tsize 300


@given(
    st.lists(st.tuples(st.binary(min_size=1, max_size=40), st.integers(0, 2**40)), max_size=5),
    st.binary(max_size=300),
    st.lists(st.integers(0, 2**40), max_size=5),
)
def test_nodes_decode_to_what_was_encoded(links: list[tuple[bytes, int]], data: bytes, blocksizes: list[int]) -> None:
    filesize = len(data) + sum(blocksizes)
    node = decode_pb_node(
        encode_pb_node(
            [PbLink(cid, size) for cid, size in links],
            encode_unixfs_file(data, filesize, blocksizes),
        )
    )
    assert [(link.cid, link.tsize, link.name) for link in node.links] == [(c, s, "") for c, s in links]
    assert node.data is not None
    unixfs = decode_unixfs(node.data)
    assert (unixfs.type, unixfs.data, unixfs.filesize, unixfs.blocksizes) == (
        UnixFsType.FILE,
        data,
        filesize,
        tuple(blocksizes),
    )


@pytest.mark.parametrize(
    "garbage",
    [b"\x0a\x05ab", b"\xff", b"\x0b", encode_varint(3 << 3 | 2) + b"\x00"],
)
def test_garbage_does_not_decode(garbage: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_pb_node(garbage)


@given(st.binary(max_size=2000))
def test_a_leaf_is_a_pb_node_around_unixfs_file_data(chunk: bytes) -> None:
    assert encode_file_leaf(chunk) == encode_pb_node((), encode_unixfs_file(chunk, len(chunk)))


def test_packed_blocksizes_decode_too() -> None:
    packed = bytes.fromhex("0802") + bytes.fromhex("1803") + bytes.fromhex("2203010101")
    assert decode_unixfs(packed).blocksizes == (1, 1, 1)
