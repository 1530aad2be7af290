"""What can go wrong with content a user names: each is one clear line for the CLI."""

from __future__ import annotations

from wekacoin_offchain.errors import UserError


class StorageError(UserError):
    """Base of every content-store error a user can act on."""


class InvalidCidError(StorageError):
    """The text is not a CID."""


class ContentNotFoundError(StorageError):
    """The CID is well formed but its content (or one of its blocks) is not in the store."""


class CorruptBlockError(StorageError):
    """A stored block no longer hashes to its CID: it is reported, never returned."""


class UnsupportedContentError(StorageError):
    """The CID names something this store cannot read as a file (a directory, another codec)."""


class MissingFileError(StorageError):
    """A local file to add does not exist or cannot be read."""


class StoreUnavailableError(StorageError):
    """The IPFS daemon named by the user cannot be reached, or js-ipfs is not installed."""


class ContentTooLargeError(StorageError):
    """The file a CID names is larger than the caller allows: refused before it is read."""
