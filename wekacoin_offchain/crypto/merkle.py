"""The proof-of-storage chunk tree, twin of ``contracts/modules/chunk_merkle.vy``.

Layout (docs/sortition.md gives the reasons):

* an object of ``size`` bytes is cut into ``CHUNK_SIZE`` chunks; the last one may be
  short; the empty object is one empty chunk, so every object has ``num_chunks >= 1``;
* ``leaf = keccak256(0x00 || chunk)``, ``node = keccak256(0x01 || left || right)``: the
  tags keep a leaf from ever passing for a node;
* the leaves are padded on the right to a power of two ``2**depth`` with the zero word,
  which no leaf hash equals, so every path has exactly ``depth`` siblings and the bits of
  the chunk index say, level by level, on which side the sibling sits (index-bound);
* ``depth <= MAX_DEPTH`` (32): objects of at most ``CHUNK_SIZE * 2**32`` bytes (4 TiB);
* the object root binds the size: ``root = keccak256(0x02 || uint256(size) || tree_root)``,
  so a registration that overstates the size fails every challenge, not only those
  that land past the real end.

Roots are computed in one streaming pass with memory proportional to the depth, so a
validator can commit to and answer challenges on files larger than its memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from eth_abi import encode
from eth_hash.auto import keccak
from eth_utils import is_address, to_canonical_address

from wekacoin_offchain.errors import UserError

CHUNK_SIZE = 1024
MAX_DEPTH = 32
MAX_CHUNKS = 2**MAX_DEPTH
MAX_OBJECT_SIZE = CHUNK_SIZE * MAX_CHUNKS
LEAF_TAG = b"\x00"
NODE_TAG = b"\x01"
ROOT_TAG = b"\x02"
PADDING_LEAF = bytes(32)

Source = bytes | str | os.PathLike[str]
"""Object bytes in memory, or the path of a file to stream (``str`` is always a path)."""


class ChunkProof(NamedTuple):
    """A chunk and the sibling hashes from its leaf up to the root (``depth`` of them)."""

    chunk: bytes
    path: tuple[bytes, ...]


@dataclass(frozen=True)
class ObjectCommitment:
    """What a stored object is registered with on chain: its chunk-tree root and byte size."""

    root: bytes
    size: int


def leaf_hash(chunk: bytes) -> bytes:
    return keccak(LEAF_TAG + chunk)


def node_hash(left: bytes, right: bytes) -> bytes:
    return keccak(NODE_TAG + left + right)


def object_root(tree_root: bytes, size: int) -> bytes:
    """The registered root: the chunk tree's root bound to the object's byte size."""
    return keccak(ROOT_TAG + size.to_bytes(32, "big") + tree_root)


def _zero_subtrees() -> tuple[bytes, ...]:
    """Roots of all-padding subtrees, by height: ``Z[0]`` is the padding leaf."""
    roots = [PADDING_LEAF]
    for _ in range(MAX_DEPTH):
        roots.append(node_hash(roots[-1], roots[-1]))
    return tuple(roots)


ZERO_SUBTREES = _zero_subtrees()


def num_chunks(size: int) -> int:
    """Number of chunks of an object of ``size`` bytes (the empty object has one, empty)."""
    if not 0 <= size <= MAX_OBJECT_SIZE:
        raise UserError(f"object size must be in [0, {MAX_OBJECT_SIZE}], got {size}")
    return max(1, -(-size // CHUNK_SIZE))


def tree_depth(chunk_count: int) -> int:
    """Levels above the leaves: the least ``d`` with ``2**d >= chunk_count``."""
    return (chunk_count - 1).bit_length()


def chunk_length(size: int, index: int) -> int:
    """Exact byte length of chunk ``index``: ``CHUNK_SIZE`` except for the last chunk."""
    return min(CHUNK_SIZE, size - index * CHUNK_SIZE)


def _chunks(source: Source) -> Iterator[bytes]:
    """The object's chunks in order; the empty object yields one empty chunk."""
    if isinstance(source, bytes):
        for start in range(0, max(len(source), 1), CHUNK_SIZE):
            yield source[start : start + CHUNK_SIZE]
        return
    path = Path(source)
    try:
        with path.open("rb") as stream:
            chunk = stream.read(CHUNK_SIZE)
            yield chunk
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from error


class _StreamingTree:
    """Folds leaves into a tree left to right, keeping one pending subtree per level.

    If ``watched`` is an index, it also records the chunk at that index and every sibling
    on its path, so a proof costs one pass over the object and ``O(depth)`` memory.
    """

    def __init__(self, watched: int | None = None) -> None:
        self._pending: list[bytes | None] = []
        self._count = 0
        self._size = 0
        self._watched = watched
        self.watched_chunk: bytes | None = None
        self._siblings: dict[int, bytes] = {}

    def _observe(self, level: int, position: int, node: bytes) -> None:
        if self._watched is not None and position == (self._watched >> level) ^ 1:
            self._siblings[level] = node

    def add(self, chunk: bytes) -> None:
        if self._count == self._watched:
            self.watched_chunk = chunk
        node, level, position = leaf_hash(chunk), 0, self._count
        self._observe(level, position, node)
        while level < len(self._pending) and (left := self._pending[level]) is not None:
            self._pending[level] = None
            node, level, position = node_hash(left, node), level + 1, position >> 1
            self._observe(level, position, node)
        if level == len(self._pending):
            self._pending.append(node)
        else:
            self._pending[level] = node
        self._count += 1
        self._size += len(chunk)

    def finish(self) -> tuple[ObjectCommitment, tuple[bytes, ...]]:
        """The commitment, and the watched chunk's path (empty if nothing was watched)."""
        if self._count > MAX_CHUNKS:
            raise UserError(f"object larger than {MAX_OBJECT_SIZE} bytes")
        depth = tree_depth(self._count)
        last = self._count - 1
        # ``carry`` is the subtree holding the last leaf, padded on its right; None while
        # everything right of the pending full subtrees is padding.
        carry: bytes | None = None
        for level in range(depth):
            if carry is not None:
                self._observe(level, last >> level, carry)
            left = self._pending[level] if level < len(self._pending) else None
            if left is not None:
                carry = node_hash(left, carry if carry is not None else ZERO_SUBTREES[level])
            elif carry is not None:
                carry = node_hash(carry, ZERO_SUBTREES[level])
        tree_root = carry if carry is not None else self._pending[depth]
        assert tree_root is not None  # a power-of-two count leaves its root pending at ``depth``
        path = tuple(self._siblings.get(level, ZERO_SUBTREES[level]) for level in range(depth))
        commitment = ObjectCommitment(object_root(tree_root, self._size), self._size)
        return commitment, path if self._watched is not None else ()


def object_commitment(source: Source) -> ObjectCommitment:
    """Root and size of an object, streaming it once."""
    tree = _StreamingTree()
    for chunk in _chunks(source):
        tree.add(chunk)
    return tree.finish()[0]


def merkle_root(source: Source) -> bytes:
    """The 32-byte size-bound chunk-tree root of an object (bytes in memory or a file path)."""
    return object_commitment(source).root


def chunk_proof(source: Source, index: int) -> ChunkProof:
    """Chunk ``index`` of the object and its Merkle path, from one streaming pass."""
    tree = _StreamingTree(watched=index)
    for chunk in _chunks(source):
        tree.add(chunk)
    commitment, path = tree.finish()
    if not 0 <= index < num_chunks(commitment.size):
        raise UserError(f"chunk index {index} out of range for {num_chunks(commitment.size)} chunks")
    assert tree.watched_chunk is not None
    return ChunkProof(tree.watched_chunk, path)


def verify_chunk(root: bytes, size: int, index: int, chunk: bytes, path: Sequence[bytes]) -> bool:
    """Whether ``chunk`` is chunk ``index`` of the object committed to by ``(root, size)``.

    Same rule as the contract's ``_verify_chunk``: the index must exist, the chunk must
    have exactly its expected length, and the path exactly ``depth`` 32-byte siblings.
    """
    if not 0 <= size <= MAX_OBJECT_SIZE:
        return False
    count = num_chunks(size)
    if not 0 <= index < count or len(chunk) != chunk_length(size, index):
        return False
    if len(path) != tree_depth(count) or any(len(sibling) != 32 for sibling in path):
        return False
    node = leaf_hash(chunk)
    for level, sibling in enumerate(path):
        node = node_hash(sibling, node) if (index >> level) & 1 else node_hash(node, sibling)
    return object_root(node, size) == root


def challenge_index(seed: bytes, validator_address: str | bytes, object_id: int, chunk_count: int) -> int:
    """Chunk a validator must show: ``uint256(keccak256(abi.encode(seed, validator, object_id))) % chunk_count``.

    The modulo bias is below ``2**32 / 2**256`` and is ignored.
    """
    if len(seed) != 32:
        raise UserError(f"the round seed must be 32 bytes, got {len(seed)}")
    if not is_address(validator_address):
        raise UserError(f"not an address: {validator_address!r}")
    if not 0 <= object_id < 2**256:
        raise UserError(f"object_id must be a uint256, got {object_id}")
    if not 1 <= chunk_count <= MAX_CHUNKS:
        raise UserError(f"chunk count must be in [1, {MAX_CHUNKS}], got {chunk_count}")
    digest = keccak(
        encode(["bytes32", "address", "uint256"], [seed, to_canonical_address(validator_address), object_id])
    )
    return int.from_bytes(digest, "big") % chunk_count
