"""CIDs as WekaCoin uses them: parse, validate, and print in one canonical form.

docs/protocol.md §1.4: a CID string is CIDv1 in base32 by default, CIDv0 is accepted.
Canonical text is what `ipfs add` prints: CIDv0 in base58btc (`Qm...`), CIDv1 in
lower-case base32 (`b...`). Decoding is py-cid's (already installed with eth-ape); this
module only adds one error type, a value type with the canonical text, and the
conversions the block store needs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cid as pycid

from wekacoin_offchain.storage.errors import InvalidCidError, StorageError

DAG_PB = "dag-pb"
RAW = "raw"
SHA2_256_PREFIX = bytes([0x12, 0x20])
"""Multihash header of a 32-byte sha2-256 digest: the only hash `ipfs add` uses by default."""

_MAX_CID_TEXT = 512
"""Longer text is refused before decoding: no real CID is near this, and it bounds the work."""


@dataclass(frozen=True, slots=True)
class ContentId:
    """A decoded CID: version, content codec and multihash (all that identifies content)."""

    version: int
    codec: str
    multihash: bytes

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The canonical string: base58btc for CIDv0, lower-case base32 for CIDv1."""
        if self.version == 0:
            return str(pycid.CIDv0(self.multihash))
        encoded: bytes = pycid.CIDv1(self.codec, self.multihash).encode("base32")
        return encoded.decode("ascii")

    @property
    def is_sha2_256(self) -> bool:
        return self.multihash[:2] == SHA2_256_PREFIX and len(self.multihash) == 34

    def to_bytes(self) -> bytes:
        """The binary CID, as a dag-pb link holds it."""
        if self.version == 0:
            return self.multihash
        return bytes(pycid.CIDv1(self.codec, self.multihash).buffer)

    def to_v1(self) -> ContentId:
        """The same content as CIDv1 (lossless: a CIDv0 is always dag-pb, sha2-256)."""
        return ContentId(1, self.codec, self.multihash)


def parse_cid(text: str) -> ContentId:
    """Decode `text` as a CID (v0 or v1, any multibase py-cid knows); raise InvalidCidError.

    Pure: the chain layer calls it before sending a transaction that names a CID.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidCidError("empty CID")
    stripped = text.strip()
    if len(stripped) > _MAX_CID_TEXT:
        raise InvalidCidError(f"not a CID: {len(stripped)} characters is longer than any CID")
    try:
        decoded = pycid.make_cid(stripped)
    except (ValueError, TypeError, KeyError):
        raise InvalidCidError(f"not a CID: {_shorten(stripped)!r} (expected e.g. bafy... or Qm...)") from None
    return ContentId(int(decoded.version), str(decoded.codec), bytes(decoded.multihash))


def is_cid(text: str) -> bool:
    """True when `text` decodes as a CID (see parse_cid)."""
    try:
        parse_cid(text)
    except InvalidCidError:
        return False
    return True


def cid_from_bytes(binary: bytes) -> ContentId:
    """Decode a binary CID, as a dag-pb link holds it."""
    if binary[:2] == SHA2_256_PREFIX and len(binary) == 34:
        # A CIDv0 is a bare multihash; py-cid's from_bytes mistakes it for base58 text.
        return ContentId(0, DAG_PB, bytes(binary))
    try:
        decoded = pycid.from_bytes(binary)
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidCidError(f"not a binary CID: {binary[:40].hex()} ({exc})") from None
    return ContentId(int(decoded.version), str(decoded.codec), bytes(decoded.multihash))


def canonical_cid(text: str) -> str:
    """`text` re-encoded in canonical form, e.g. a base58btc CIDv1 (`zb2...`) as `bafk...`."""
    return parse_cid(text).text


def checked_cid_version(cid_version: int) -> int:
    """0 or 1, the versions `ipfs add` makes; anything else is the caller's mistake."""
    if cid_version not in (0, 1):
        raise StorageError(f"CID version must be 0 or 1, not {cid_version}")
    return cid_version


def sha256_cid(block: bytes, codec: str, version: int) -> ContentId:
    """The CID of one block under sha2-256 (version 0 implies dag-pb)."""
    return ContentId(version, codec, SHA2_256_PREFIX + hashlib.sha256(block).digest())


def _shorten(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."
