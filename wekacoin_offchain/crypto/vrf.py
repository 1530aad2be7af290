"""The sortition VRF: a BLS signature over the round's input, hashed with keccak256.

BLS signatures are unique (one valid signature per key and message, and one accepted
encoding per point), so ``output = keccak256(signature)`` is a verifiable random function
(docs/protocol.md §7.8). The signed message binds the chain, the contract, the round, the
attempt and the seed, so a proof never transfers to another round, attempt or deployment.
"""

from __future__ import annotations

from typing import NamedTuple

from eth_abi import encode
from eth_hash.auto import keccak
from eth_utils import is_address, to_canonical_address

from wekacoin_offchain.crypto.bls import SIGNATURE_DST, SecretKey, sign, verify
from wekacoin_offchain.errors import UserError

UINT256_LIMIT = 2**256


class VrfProof(NamedTuple):
    """A VRF evaluation: the 128-byte BLS signature and its 32-byte output."""

    proof: bytes
    output: bytes


def vrf_message(chain_id: int, contract_address: str | bytes, round_id: int, attempt: int, seed: bytes) -> bytes:
    """``abi.encode(uint256 chain_id, address contract, uint256 round_id, uint256 attempt, bytes32 seed)``."""
    for name, value in (("chain_id", chain_id), ("round_id", round_id), ("attempt", attempt)):
        if not 0 <= value < UINT256_LIMIT:
            raise UserError(f"{name} must be a uint256, got {value}")
    if not is_address(contract_address):
        raise UserError(f"not an address: {contract_address!r}")
    if len(seed) != 32:
        raise UserError(f"the round seed must be 32 bytes, got {len(seed)}")
    return encode(
        ["uint256", "address", "uint256", "uint256", "bytes32"],
        [chain_id, to_canonical_address(contract_address), round_id, attempt, seed],
    )


def vrf_output(proof: bytes) -> bytes:
    """``keccak256`` of the 128-byte proof: the value sortition compares against its threshold."""
    return keccak(proof)


def vrf_prove(
    secret_key: SecretKey, chain_id: int, contract_address: str | bytes, round_id: int, attempt: int, seed: bytes
) -> VrfProof:
    """Evaluate the VRF for one round attempt."""
    proof = sign(secret_key, vrf_message(chain_id, contract_address, round_id, attempt, seed), SIGNATURE_DST)
    return VrfProof(proof, vrf_output(proof))


def vrf_verify(
    public_key: bytes,
    chain_id: int,
    contract_address: str | bytes,
    round_id: int,
    attempt: int,
    seed: bytes,
    proof: bytes,
) -> bytes | None:
    """The VRF output if ``proof`` is the key's signature over this round attempt, else ``None``."""
    message = vrf_message(chain_id, contract_address, round_id, attempt, seed)
    if not verify(public_key, message, proof, SIGNATURE_DST):
        return None
    return vrf_output(proof)
