"""The candidate ranking document one committee member proposes (docs/protocol.md §9.2).

The document is the ABI encoding of

    (uint256 round_id, uint256 attempt, uint256 task_id, bool task_valid,
     (uint256 model_id, uint8 status, int256 score)[] entries)

with one entry per revealed model of the task, in ascending model-id order, and score 0
unless the status is VALID. Its keccak256 is the `ranking_hash` the member posts on chain;
the bytes themselves go to the content store as they are, under `ranking_cid`.

Decoding is strict: the only bytes accepted are the canonical encoding of a well-formed
document, so that one document has exactly one byte form and one hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError, EncodingError
from eth_hash.auto import keccak

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.status import EvaluationStatus

RANKING_ABI_TYPES: tuple[str, ...] = (
    "uint256",  # round_id
    "uint256",  # attempt
    "uint256",  # task_id
    "bool",  # task_valid
    "(uint256,uint8,int256)[]",  # entries: (model_id, status, score)
)
"""The ABI types of a candidate ranking document (docs/protocol.md §9.2)."""


_PROPOSABLE_STATUSES = frozenset(EvaluationStatus)  # VALID, INVALID, UNEVALUATED; never 0


class RankingDocumentError(UserError):
    """A candidate ranking document that is not well formed, or not the one announced."""


class MalformedRankingError(RankingDocumentError):
    """Bytes that are not the canonical encoding of a well-formed candidate ranking."""


class RankingHashMismatchError(RankingDocumentError):
    """Fetched bytes that do not hash to the `ranking_hash` posted on chain."""


@dataclass(frozen=True)
class RankingEntry:
    """One member's verdict on one revealed model."""

    model_id: int
    status: EvaluationStatus
    score: int  # 6 decimals; 0 unless status is VALID

    def __post_init__(self) -> None:
        # Reject at construction what the document format forbids, so that an entry in
        # memory is always one a well-formed document can hold.
        if self.status not in _PROPOSABLE_STATUSES:
            raise MalformedRankingError(
                f"model {self.model_id}: status {int(self.status)} is not one of 1 VALID, 2 INVALID, 3 UNEVALUATED"
            )
        if self.status != EvaluationStatus.VALID and self.score != 0:
            raise MalformedRankingError(
                f"model {self.model_id}: a {EvaluationStatus(self.status).name} entry must "
                f"have score 0, not {self.score}"
            )


@dataclass(frozen=True)
class CandidateRanking:
    """A committee member's candidate ranking for one attempt of one round."""

    round_id: int
    attempt: int
    task_id: int
    task_valid: bool
    entries: tuple[RankingEntry, ...]

    def __post_init__(self) -> None:
        model_ids = [entry.model_id for entry in self.entries]
        if any(a >= b for a, b in pairwise(model_ids)):
            raise MalformedRankingError("ranking entries must be in strictly ascending model-id order")

    def encode(self) -> bytes:
        """The canonical document bytes (eth_abi encoding of RANKING_ABI_TYPES)."""
        try:
            return encode(
                RANKING_ABI_TYPES,
                (
                    self.round_id,
                    self.attempt,
                    self.task_id,
                    self.task_valid,
                    [(e.model_id, int(e.status), e.score) for e in self.entries],
                ),
            )
        except EncodingError as error:  # a value outside its ABI type's range
            raise MalformedRankingError(f"cannot encode candidate ranking: {error}") from None

    @property
    def ranking_hash(self) -> bytes:
        """keccak256 of the document bytes: what the member posts on chain."""
        return keccak(self.encode())

    @classmethod
    def decode(cls, data: bytes) -> CandidateRanking:
        """Parse document bytes; raise MalformedRankingError unless they are canonical."""
        try:
            round_id, attempt, task_id, task_valid, raw_entries = decode(RANKING_ABI_TYPES, data, strict=True)
        except (DecodingError, ValueError, OverflowError) as error:
            raise MalformedRankingError(f"not a candidate ranking encoding: {error}") from None
        try:
            entries = tuple(
                RankingEntry(model_id, EvaluationStatus(status), score) for model_id, status, score in raw_entries
            )
        except ValueError:  # EvaluationStatus(0) or a code above 3
            bad = next(s for _, s, _ in raw_entries if s not in _PROPOSABLE_STATUSES)
            raise MalformedRankingError(f"unknown model status {bad}") from None
        document = cls(round_id, attempt, task_id, task_valid, entries)
        # eth_abi accepts trailing bytes and non-standard offsets; re-encoding pins the one
        # byte form, so a document has a single ranking_hash.
        if document.encode() != bytes(data):
            raise MalformedRankingError("candidate ranking bytes are not the canonical encoding")
        return document
