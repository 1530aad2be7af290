"""The one interface every content store offers: the embedded block store and Kubo RPC."""

from __future__ import annotations

from collections.abc import Iterator
from os import PathLike
from typing import IO, Protocol, runtime_checkable

from wekacoin_offchain.storage.errors import MissingFileError

StrPath = str | PathLike[str]


def open_to_add(path: StrPath) -> IO[bytes]:
    """`path` opened for reading, or a `MissingFileError` that says why it cannot be."""
    try:
        return open(path, "rb")
    except IsADirectoryError:
        raise MissingFileError(f"{path} is a directory, not a file") from None
    except FileNotFoundError:
        raise MissingFileError(f"no such file: {path}") from None
    except OSError as exc:
        raise MissingFileError(f"cannot read {path}: {exc.strerror}") from None


@runtime_checkable
class ContentStore(Protocol):
    """Content addressed by CID strings, with the CIDs `ipfs add` gives.

    `cid_version=1` (the protocol's default) means `ipfs add --cid-version 1`: raw
    leaves, CIDv1 in base32; `cid_version=0` means plain `ipfs add`. Every CID a method
    returns is canonical (see `cids.ContentId.text`). User mistakes raise subclasses of
    `wekacoin_offchain.errors.UserError` (see `storage.errors`).
    """

    def add_bytes(self, data: bytes, cid_version: int = 1, only_hash: bool = False) -> str:
        """Store `data` as a UnixFS file and return its CID (only compute it if `only_hash`)."""
        ...

    def add_file(self, path: StrPath, cid_version: int = 1, only_hash: bool = False) -> str:
        """Like add_bytes, reading the file chunk by chunk: memory does not grow with it."""
        ...

    def cat(self, cid: str, max_size: int | None = None) -> bytes:
        """All the bytes of the file `cid` names, every block verified against its CID.

        With `max_size`, a file whose root block declares more bytes is refused
        (`ContentTooLargeError`) before anything beyond the root block is read. Callers
        fetching content named by others pass a cap (`wekacoin_offchain.limits`).
        """
        ...

    def open(self, cid: str, max_size: int | None = None) -> Iterator[bytes]:
        """The file's bytes as a stream of verified chunks, for content too large to hold
        at once; the root block and `max_size` are checked before this returns."""
        ...

    def pin(self, cid: str) -> str:
        """Keep the whole DAG under `cid` (it must be complete); return the canonical CID."""
        ...

    def has(self, cid: str) -> bool:
        """True when the store holds the root block of `cid` locally (no network fetch)."""
        ...
