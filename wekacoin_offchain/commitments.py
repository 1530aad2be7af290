"""The two commitments of the protocol, byte for byte as the contract checks them.

- test set (PROTOCOL.md section 4): keccak256(abi_encode(test_cid, salt))
- model (section 5): keccak256(abi_encode(model_cid, trainer, salt)); binding the
  trainer's address stops anyone from copying another trainer's commitment.
"""

from __future__ import annotations

import secrets

from eth_abi import encode
from eth_utils import keccak, to_checksum_address


def new_salt() -> bytes:
    """A fresh 32-byte salt from the operating system's CSPRNG."""
    return secrets.token_bytes(32)


def test_commitment(test_cid: str, salt: bytes) -> bytes:
    """The commitment a supplier publishes to its hidden test set."""
    return keccak(encode(["string", "bytes32"], [test_cid, _salt32(salt)]))


def model_commitment(model_cid: str, trainer: str, salt: bytes) -> bytes:
    """The commitment a trainer publishes to its model before the release height."""
    return keccak(encode(["string", "address", "bytes32"], [model_cid, to_checksum_address(trainer), _salt32(salt)]))


# pytest would otherwise collect `test_commitment` from modules that import it.
test_commitment.__test__ = False  # type: ignore[attr-defined]


def _salt32(salt: bytes) -> bytes:
    if len(salt) != 32:
        raise ValueError(f"a salt is 32 bytes, got {len(salt)}")
    return salt
