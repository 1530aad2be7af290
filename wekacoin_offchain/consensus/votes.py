"""Votes on a consensus result (EIP-712) and the arguments of the contract's `finalize`.

A vote is the member's EIP-712 signature of `Vote(uint256 round_id,uint256 attempt,bytes32
result_hash)` under the domain `{name: "WekaCoin Proof-of-Learning", version: "1", chainId,
verifyingContract}` (docs/protocol.md §9.4). eth-account builds and signs the typed data; the
contract's `ecrecover` accepts only 65-byte `r || s || v` signatures with v in {27, 28}
and low s, so `recover_voter` accepts exactly those too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_hash.auto import keccak
from eth_keys.constants import SECPK1_N
from eth_keys.exceptions import BadSignature
from eth_utils.address import to_checksum_address
from eth_utils.exceptions import ValidationError

from wekacoin_offchain.consensus.agreement import ConsensusResult, RankedModel
from wekacoin_offchain.errors import UserError

DOMAIN_NAME = "WekaCoin Proof-of-Learning"
DOMAIN_VERSION = "1"
VOTE_TYPE = "Vote(uint256 round_id,uint256 attempt,bytes32 result_hash)"

_VOTE_TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Vote": [
        {"name": "round_id", "type": "uint256"},
        {"name": "attempt", "type": "uint256"},
        {"name": "result_hash", "type": "bytes32"},
    ],
}


class InvalidVoteSignature(UserError):
    """A vote signature the contract would reject (shape, v, high s, or unrecoverable)."""


def vote_typed_data(chain_id: int, contract: str, round_id: int, attempt: int, result_hash: bytes) -> dict[str, Any]:
    """The full EIP-712 message (types, domain, primary type, message) of one vote."""
    if len(result_hash) != 32:
        raise ValueError("result_hash must be 32 bytes")
    return {
        "types": _VOTE_TYPES,
        "primaryType": "Vote",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": to_checksum_address(contract),
        },
        "message": {"round_id": round_id, "attempt": attempt, "result_hash": result_hash},
    }


def vote_message(chain_id: int, contract: str, round_id: int, attempt: int, result_hash: bytes) -> SignableMessage:
    """The vote as eth-account's signable EIP-712 message."""
    return encode_typed_data(full_message=vote_typed_data(chain_id, contract, round_id, attempt, result_hash))


def vote_digest(chain_id: int, contract: str, round_id: int, attempt: int, result_hash: bytes) -> bytes:
    """keccak256(0x1901 || domainSeparator || hashStruct(vote)): the hash `ecrecover` checks."""
    message = vote_message(chain_id, contract, round_id, attempt, result_hash)
    return keccak(b"\x19" + message.version + message.header + message.body)


def sign_vote(
    private_key: bytes | str,
    chain_id: int,
    contract: str,
    round_id: int,
    attempt: int,
    result_hash: bytes,
) -> bytes:
    """The member's 65-byte vote signature `r || s || v` (v in {27, 28}, low s)."""
    signed = Account.sign_message(vote_message(chain_id, contract, round_id, attempt, result_hash), private_key)
    return bytes(signed.signature)


def recover_voter(
    signature: bytes,
    chain_id: int,
    contract: str,
    round_id: int,
    attempt: int,
    result_hash: bytes,
) -> str:
    """The checksummed account that signed this vote.

    Raises InvalidVoteSignature for any signature the contract would refuse.
    """
    if len(signature) != 65:
        raise InvalidVoteSignature(f"a vote signature is 65 bytes, got {len(signature)}")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v not in (27, 28):
        raise InvalidVoteSignature(f"vote signature v must be 27 or 28, got {v}")
    if not 0 < s <= SECPK1_N // 2:
        # A high-s signature is the malleated twin of a low-s one: refusing it gives every
        # vote a single byte form, as the contract requires.
        raise InvalidVoteSignature("vote signature s is not in the lower half of the curve order")
    try:
        signer = Account.recover_message(
            vote_message(chain_id, contract, round_id, attempt, result_hash), signature=signature
        )
    except (BadSignature, ValidationError) as error:  # r out of range, or not a curve point
        raise InvalidVoteSignature(f"vote signature does not recover: {error}") from None
    return to_checksum_address(signer)


@dataclass(frozen=True)
class FinalizePayload:
    """The arguments of `ProofOfLearning.finalize`, in the order `as_args` gives them."""

    round_id: int
    task_valid: bool
    ranking: tuple[tuple[int, bool, int], ...]  # (model_id, genuine, score), consensus order
    genuine_members: tuple[str, ...]  # ascending by address
    signatures: tuple[bytes, ...]  # ascending by signer address

    def as_args(self) -> tuple[Any, ...]:
        return (
            self.round_id,
            self.task_valid,
            list(self.ranking),
            list(self.genuine_members),
            list(self.signatures),
        )


def finalize_payload(result: ConsensusResult, signatures: Mapping[str, bytes]) -> FinalizePayload:
    """The `finalize` arguments for a consensus result and the votes collected for it.

    `signatures` maps each signer to its vote signature (as checked by `recover_voter`).
    CHOICE (docs/protocol.md §9.5): signatures are passed in ascending signer order, so the contract can reject
    a repeated signer by requiring each recovered address to exceed the previous one.
    """
    ordered = sorted(signatures.items(), key=lambda item: int(to_checksum_address(item[0]), 16))
    return FinalizePayload(
        round_id=result.round_id,
        task_valid=result.task_valid,
        ranking=tuple(_ranking_tuple(entry) for entry in result.ranking),
        genuine_members=result.genuine_members,
        signatures=tuple(signature for _, signature in ordered),
    )


def _ranking_tuple(entry: RankedModel) -> tuple[int, bool, int]:
    return (entry.model_id, entry.genuine, entry.score)
