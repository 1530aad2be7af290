"""Reading a UnixFS file block by block, every block verified: shared by both backends.

A backend supplies `get_block(cid)`, the block's bytes as it holds or receives them, not
trusted. This module checks each one against its CID before using a byte of it, reads the
file size the root block declares and refuses the file before anything else is fetched
when it is above the caller's `max_size`, then walks the DAG (iteratively, so no depth
exhausts the stack) and streams the bytes, refusing a DAG that holds more or fewer bytes
than its root declared, or that makes the reader fetch far more block bytes than the file
holds. So a few hundred KB of blocks naming a terabyte (a "DAG bomb") cost one block read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from wekacoin_offchain.storage.cids import DAG_PB, RAW, ContentId, cid_from_bytes, parse_cid
from wekacoin_offchain.storage.dagpb import DecodeError, PbLink, UnixFsType, decode_pb_node, decode_unixfs
from wekacoin_offchain.storage.errors import (
    ContentTooLargeError,
    CorruptBlockError,
    StorageError,
    UnsupportedContentError,
)

MAX_BLOCK_SIZE = 2 << 20
"""The largest block a reader accepts: bitswap's limit; `ipfs add` makes at most 256 KiB + a header."""

_FILE_TYPES = (UnixFsType.FILE, UnixFsType.RAW)
_BLOCK_SLACK = 1 << 20
"""Block bytes a reader may fetch beyond the file's own (headers, links): an honest DAG
of 256 KiB chunks adds under 0.1 %; more means blocks of links that lead nowhere."""

BlockGetter = Callable[[ContentId], bytes]


def readable_cid(cid: str | ContentId) -> ContentId:
    """`cid` parsed, if it names something these readers verify: dag-pb or raw, sha2-256."""
    content_id = cid if isinstance(cid, ContentId) else parse_cid(cid)
    if content_id.codec not in (DAG_PB, RAW):
        raise UnsupportedContentError(f"{content_id} has codec {content_id.codec}; this store reads dag-pb and raw")
    if not content_id.is_sha2_256:
        raise UnsupportedContentError(f"{content_id} is not hashed with sha2-256, the only hash this store verifies")
    return content_id


def hashes_to(data: bytes, cid: ContentId) -> bool:
    return hashlib.sha256(data).digest() == cid.multihash[2:]


def verified_block(cid: ContentId, data: bytes, source: str) -> bytes:
    """`data` if it is the block `cid` names; else a CorruptBlockError naming `source`."""
    if len(data) > MAX_BLOCK_SIZE:
        raise CorruptBlockError(f"block {cid} from {source} is {len(data)} bytes, above the {MAX_BLOCK_SIZE} limit")
    if not hashes_to(data, cid):
        raise CorruptBlockError(f"block {cid} from {source} does not hash to its CID")
    return data


def read_file(cid: str | ContentId, get_block: BlockGetter, max_size: int | None = None) -> Iterator[bytes]:
    """The file's bytes as a stream of verified pieces.

    The root block is fetched and checked, and its declared size compared with
    `max_size`, before this returns: a CID that is absent, not a file, or too large
    fails here, before any further fetch. A block missing or damaged further down fails
    the iteration when it is reached, after the bytes before it.
    """
    root = readable_cid(cid)
    block = get_block(root)
    size, node = _declared(root, block)
    if max_size is not None and size > max_size:
        raise ContentTooLargeError(f"{root} is a file of {size} bytes, above the {max_size} bytes allowed here")
    return _walk(root, block, node, size, get_block)


def _declared(cid: ContentId, block: bytes) -> tuple[int, _FileNode | None]:
    """The file size a block declares, and its decoded node (None for a raw leaf)."""
    if cid.codec == RAW:
        return len(block), None
    node = _file_node(cid, block)
    return node.size, node


class _FileNode:
    __slots__ = ("data", "links", "size")

    def __init__(self, data: bytes, links: tuple[PbLink, ...], size: int) -> None:
        self.data, self.links, self.size = data, links, size


def _file_node(cid: ContentId, block: bytes) -> _FileNode:
    try:
        node = decode_pb_node(block)
        if node.data is None:
            raise DecodeError("a PBNode without Data")
        unixfs = decode_unixfs(node.data)
    except DecodeError as exc:
        raise UnsupportedContentError(f"{cid} is not a UnixFS file ({exc})") from None
    if unixfs.type not in _FILE_TYPES:
        raise UnsupportedContentError(f"{cid} is a UnixFS {unixfs.type.name.lower()}, not a file")
    size = unixfs.filesize if unixfs.filesize is not None else len(unixfs.data) + sum(unixfs.blocksizes)
    return _FileNode(unixfs.data, node.links, size)


def _walk(
    root: ContentId, root_block: bytes, root_node: _FileNode | None, size: int, get_block: BlockGetter
) -> Iterator[bytes]:
    budget = size + size // 16 + _BLOCK_SLACK  # block bytes this file may make the reader fetch
    fetched = len(root_block)
    produced = 0
    # Depth first, children in link order: a stack of pending link lists, no recursion.
    pending: list[Iterator[PbLink]] = []

    def emit(data: bytes) -> bytes:
        nonlocal produced
        produced += len(data)
        if produced > size:
            raise CorruptBlockError(f"{root} holds more than the {size} bytes its root block declares")
        return data

    if root_node is None:
        yield emit(root_block)
    else:
        if root_node.data:
            yield emit(root_node.data)
        pending.append(iter(root_node.links))
    while pending:
        link = next(pending[-1], None)
        if link is None:
            pending.pop()
            continue
        try:
            child = readable_cid(cid_from_bytes(link.cid))
        except StorageError as exc:
            raise UnsupportedContentError(f"{root} links to a block this store cannot read: {exc}") from None
        block = get_block(child)
        fetched += len(block)
        if fetched > budget:
            raise CorruptBlockError(f"{root} makes a reader fetch over {budget} block bytes for a {size}-byte file")
        if child.codec == RAW:
            yield emit(block)
            continue
        node = _file_node(child, block)
        if node.data:
            yield emit(node.data)
        pending.append(iter(node.links))
    if produced != size:
        raise CorruptBlockError(f"{root} holds {produced} bytes, its root block declares {size}")
