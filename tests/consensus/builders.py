"""Small builders shared by the consensus tests: members, models and proposals."""

from __future__ import annotations

from collections.abc import Sequence

from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from wekacoin_offchain.consensus import (
    CandidateRanking,
    ModelFacts,
    Proposal,
    RankingEntry,
)
from wekacoin_offchain.status import EvaluationStatus

VALID = EvaluationStatus.VALID
INVALID = EvaluationStatus.INVALID
UNEVALUATED = EvaluationStatus.UNEVALUATED

ROUND, ATTEMPT, TASK = 7, 1, 3


def address(n: int) -> str:
    """A distinct account for each small integer, ascending with n."""
    return to_checksum_address(n.to_bytes(20, "big"))


def model(model_id: int, size: int = 1000, trainer: int = 0x100, commitment: int = 1) -> ModelFacts:
    return ModelFacts(model_id, address(trainer + model_id), commitment.to_bytes(32, "big"), size)


def ranking(
    verdicts: Sequence[tuple[int, EvaluationStatus, int]],
    task_valid: bool = True,
    round_id: int = ROUND,
    attempt: int = ATTEMPT,
    task_id: int = TASK,
) -> CandidateRanking:
    entries = tuple(RankingEntry(m, s, score if s == VALID else 0) for m, s, score in verdicts)
    return CandidateRanking(round_id, attempt, task_id, task_valid, entries)


def proposal(member: str, document: CandidateRanking) -> Proposal:
    data = document.encode()
    return Proposal(member, keccak(data), data)
