"""Round chain hashes, written out against the encodings of docs/protocol.md §13."""

from __future__ import annotations

from eth_abi.abi import encode
from eth_hash.auto import keccak

from wekacoin_offchain.consensus.round_chain import (
    ZERO_HASH,
    AcceptedProposal,
    committee_hash,
    round_hash,
    round_seed,
)

from .builders import address

A, B, C = keccak(b"a"), keccak(b"b"), keccak(b"c")


def test_seed_encoding() -> None:
    assert round_seed(A, B, C, 2) == keccak(A + B + C + (2).to_bytes(32, "big"))


def test_committee_hash_is_a_running_hash_in_acceptance_order() -> None:
    first = AcceptedProposal(address(2), A, B)
    second = AcceptedProposal(address(1), C, A)
    h1 = keccak(encode(["bytes32", "address", "bytes32", "bytes32"], [ZERO_HASH, address(2), A, B]))
    h2 = keccak(encode(["bytes32", "address", "bytes32", "bytes32"], [h1, address(1), C, A]))
    assert committee_hash([first, second]) == h2
    assert committee_hash([second, first]) != h2
    assert committee_hash([]) == ZERO_HASH


def test_round_hash_encoding() -> None:
    expected = keccak(A + (5).to_bytes(32, "big") + (9).to_bytes(32, "big") + B + C + ZERO_HASH)
    assert round_hash(A, 5, 9, B, C, ZERO_HASH) == expected
