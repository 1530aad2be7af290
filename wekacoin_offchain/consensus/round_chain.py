"""The hashes that chain rounds together (docs/protocol.md §13).

Twins of the contract's computations, so that anyone can recompute a round's block
metadata from its events: the round seed, the committee hash over the accepted
proposals, and `round_hash[i]`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eth_abi.abi import encode
from eth_hash.auto import keccak

ZERO_HASH = bytes(32)
"""seed_0, round_hash[0], and the committee hash of no proposal."""


def round_seed(previous_seed: bytes, previous_round_hash: bytes, seed_blockhash: bytes, attempt: int) -> bytes:
    """seed_i = keccak256(abi_encode(seed_{i-1}, round_hash[i-1], blockhash(opened_at + 1),
    attempt)); seed_0 and round_hash[0] are ZERO_HASH (docs/protocol.md §13.1)."""
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256"],
            [previous_seed, previous_round_hash, seed_blockhash, attempt],
        )
    )


@dataclass(frozen=True)
class AcceptedProposal:
    """What the committee hash records of one proposal the chain accepted."""

    member: str
    vrf_output: bytes  # bytes32
    commitment: bytes  # bytes32: the proposal's commitment (docs/protocol.md §9.2)


def committee_hash(proposals: Iterable[AcceptedProposal]) -> bytes:
    """The running hash over proposals in the order the chain accepted them.

    h_0 = 0x00..00; h_j = keccak256(abi_encode(h_{j-1}, member, vrf_output, commitment)).
    """
    running = ZERO_HASH
    for proposal in proposals:
        running = keccak(
            encode(
                ["bytes32", "address", "bytes32", "bytes32"],
                [running, proposal.member, proposal.vrf_output, proposal.commitment],
            )
        )
    return running


def round_hash(
    previous_round_hash: bytes,
    round_id: int,
    task_id: int,
    seed: bytes,
    committee: bytes,
    result_hash: bytes,
) -> bytes:
    """round_hash[i] = keccak256(abi_encode(round_hash[i-1], i, task_id, seed,
    committee_hash, result_hash)); `committee` is the attempt's committee_hash."""
    return keccak(
        encode(
            ["bytes32", "uint256", "uint256", "bytes32", "bytes32", "bytes32"],
            [previous_round_hash, round_id, task_id, seed, committee, result_hash],
        )
    )
