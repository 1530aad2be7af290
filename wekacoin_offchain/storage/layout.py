"""How `ipfs add` turns a byte stream into blocks: fixed-size chunks, balanced DAG.

A port of go-unixfs's `importer/balanced` layout (the one kubo and js-ipfs use by
default), so that the root CID is exactly the one `ipfs add` prints:

- the stream is cut into chunks of 256 KiB (the last one shorter);
- each chunk is a leaf: a dag-pb node holding UnixFS File data (CIDv0), or a raw
  block (CIDv1, `--raw-leaves`, which `--cid-version 1` implies);
- leaves are gathered under nodes of at most 174 links; when a tree of depth d is full
  it becomes the first child of a new root of depth d + 1, which is filled the same
  way; a file of one chunk is that single leaf; an empty file is one empty leaf.

Blocks come out in post-order (every child before its parent, the root last), one at
a time, so a caller can write them as they come and memory stays constant.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from wekacoin_offchain.storage.cids import DAG_PB, RAW, ContentId, sha256_cid
from wekacoin_offchain.storage.dagpb import (
    PbLink,
    encode_file_leaf,
    encode_pb_node,
    encode_unixfs_file,
)

CHUNK_SIZE = 256 * 1024
"""kubo's and js-ipfs's default chunker: `size-262144`."""

MAX_LINKS = 174
"""go-unixfs's DefaultLinksPerBlock: the most children a balanced-layout node has."""


@dataclass(frozen=True, slots=True)
class Block:
    cid: ContentId
    data: bytes


@dataclass(frozen=True, slots=True)
class _Child:
    """What a parent needs of a finished sub-DAG."""

    cid: ContentId
    file_size: int  # bytes of file content below it
    dag_size: int  # bytes of every block below it, itself included (a link's Tsize)


def read_chunks(stream: IO[bytes], chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Full chunks of `chunk_size` bytes (the last may be shorter), like the size chunker."""
    while True:
        chunk = stream.read(chunk_size)
        # A short read before the end (a pipe) must not cut a chunk short: CIDs depend on it.
        while chunk and len(chunk) < chunk_size:
            more = stream.read(chunk_size - len(chunk))
            if not more:
                break
            chunk += more
        if not chunk:
            return
        yield chunk


def split_bytes(data: bytes, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), chunk_size):
        yield bytes(view[start : start + chunk_size])


def build_file_dag(chunks: Iterable[bytes], cid_version: int, max_links: int = MAX_LINKS) -> Iterator[Block]:
    """Every block of the file made of `chunks`, children first; the last is the root."""
    if cid_version not in (0, 1):
        raise ValueError(f"CID version must be 0 or 1, not {cid_version}")
    if max_links < 2:
        raise ValueError("a balanced DAG needs at least two links per node")
    builder = _BalancedBuilder(iter(chunks), cid_version, max_links)
    yield from builder.build()


_ChildGenerator = Generator[Block, None, _Child]
"""Yields the blocks of a sub-DAG, then returns what its parent links to."""


class _BalancedBuilder:
    """go-unixfs balanced.Layout, with a one-chunk lookahead for its `Done()`."""

    def __init__(self, chunks: Iterator[bytes], cid_version: int, max_links: int) -> None:
        self._chunks = chunks
        self._next: bytes | None = next(chunks, None)
        self._raw_leaves = cid_version == 1
        self._cid_version = cid_version
        self._max_links = max_links

    def _done(self) -> bool:
        return self._next is None

    def _take_chunk(self) -> bytes:
        chunk = self._next
        assert chunk is not None
        self._next = next(self._chunks, None)
        return chunk

    def build(self) -> Iterator[Block]:
        if self._done():
            yield from self._leaf(b"")
            return
        root = yield from self._leaf(self._take_chunk())
        depth = 1
        while not self._done():
            # A full tree of `depth - 1` becomes the first child of a deeper root.
            root = yield from self._fill(depth, first_child=root)
            depth += 1

    def _leaf(self, chunk: bytes) -> _ChildGenerator:
        if self._raw_leaves:
            block = Block(sha256_cid(chunk, RAW, 1), chunk)
        else:
            encoded = encode_file_leaf(chunk)
            block = Block(sha256_cid(encoded, DAG_PB, 0), encoded)
        yield block
        return _Child(block.cid, len(chunk), len(block.data))

    def _fill(self, depth: int, first_child: _Child | None = None) -> _ChildGenerator:
        """A node of `depth` filled with up to max_links children from the stream."""
        children: list[_Child] = [] if first_child is None else [first_child]
        while len(children) < self._max_links and not self._done():
            if depth == 1:
                child = yield from self._leaf(self._take_chunk())
            else:
                child = yield from self._fill(depth - 1)
            children.append(child)
        file_size = sum(child.file_size for child in children)
        encoded = encode_pb_node(
            [PbLink(child.cid.to_bytes(), child.dag_size) for child in children],
            encode_unixfs_file(b"", file_size, [child.file_size for child in children]),
        )
        block = Block(sha256_cid(encoded, DAG_PB, self._cid_version), encoded)
        yield block
        return _Child(block.cid, file_size, len(encoded) + sum(c.dag_size for c in children))
