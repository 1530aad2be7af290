"""The two commitments of the protocol, byte for byte as the contract checks them.

- test set (docs/protocol.md §4.2): keccak256(abi_encode(test_cid, salt))
- model (§5.2): keccak256(abi_encode(model_cid, trainer, salt)); binding the
  trainer's address stops anyone from copying another trainer's commitment.
"""

from __future__ import annotations

import secrets

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from wekacoin_offchain.errors import UserError

SALT_BYTES = 32


def new_salt() -> bytes:
    """A fresh 32-byte salt from the operating system's CSPRNG."""
    return secrets.token_bytes(SALT_BYTES)


def test_commitment(test_cid: str, salt: bytes) -> bytes:
    """The commitment a supplier publishes to its hidden test set."""
    return keccak(encode(["string", "bytes32"], [_non_empty(test_cid, "test"), _salt32(salt)]))


def model_commitment(model_cid: str, trainer: str, salt: bytes) -> bytes:
    """The commitment a trainer publishes to its model before the release height."""
    return keccak(
        encode(
            ["string", "address", "bytes32"],
            [_non_empty(model_cid, "model"), to_checksum_address(trainer), _salt32(salt)],
        )
    )


def proposal_commitment(ranking_hash: bytes, ranking_cid: str, member: str, salt: bytes) -> bytes:
    """The commitment a committee member proposes before revealing its ranking
    (docs/protocol.md §9.2): it names the member, so nobody else can reveal a copy."""
    if len(ranking_hash) != 32:
        raise UserError(f"a ranking hash is 32 bytes, got {len(ranking_hash)}")
    return keccak(
        encode(
            ["bytes32", "string", "address", "bytes32"],
            [ranking_hash, _non_empty(ranking_cid, "ranking"), to_checksum_address(member), _salt32(salt)],
        )
    )


# pytest would otherwise collect `test_commitment` from modules that import it.
test_commitment.__test__ = False  # type: ignore[attr-defined]


def _salt32(salt: bytes) -> bytes:
    if len(salt) != SALT_BYTES:
        raise UserError(f"salt must be {SALT_BYTES} bytes, got {len(salt)}")
    return salt


def _non_empty(cid: str, what: str) -> str:
    if not cid:
        raise UserError(f"{what} CID is empty")
    return cid
