"""The agreement function: one consensus from the proposals on chain (docs/protocol.md §9.3).

Every committee member runs `compute_consensus` on the same inputs (the proposals the
chain accepted, the revealed models, the task's metric and SCORE_TOLERANCE) and gets the
same `ConsensusResult`, whose `result_hash()` it then signs. The function is pure and
does not depend on the order of the proposals: the chain's total order replaces the
paper's gossip, so one pass suffices.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi.abi import encode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from wekacoin_offchain.consensus.documents import CandidateRanking, RankingDocumentError
from wekacoin_offchain.ml.metrics import Metric, agree
from wekacoin_offchain.status import EvaluationStatus

RESULT_ABI_TYPES: tuple[str, ...] = (
    "uint256",  # round_id
    "uint256",  # attempt
    "uint256",  # task_id
    "bool",  # task_valid
    "(uint256,bool,int256)[]",  # ranking: (model_id, genuine, score) in consensus order
    "address[]",  # genuine_members, ascending
    "(uint256,uint256,bytes32)[]",  # storage: (object_id, size, merkle_root) per object of the task
)
"""The ABI types hashed into `result_hash` (docs/protocol.md §9.3)."""

_UINT256_MODULUS = 2**256


@dataclass(frozen=True)
class Proposal:
    """One member's proposal as the chain recorded it, with its fetched document.

    `document` is None when the content store could not give the bytes under the
    proposal's `ranking_cid`.
    """

    member: str  # the proposing Ethereum account
    ranking_hash: bytes  # bytes32 posted on chain
    document: bytes | None


@dataclass(frozen=True)
class ModelFacts:
    """What the chain records about one revealed model of the task."""

    model_id: int
    trainer: str
    commitment: bytes  # bytes32
    size: int  # model_size in bytes, as revealed

    @property
    def product_tiebreak(self) -> int:
        """The paper's product rule: `(uint256(trainer) * uint256(commitment)) % 2**256`."""
        return (int(self.trainer, 16) * int.from_bytes(self.commitment, "big")) % _UINT256_MODULUS


class DiscardReason(enum.Enum):
    """Why a proposal is not usable (it then counts for nothing and is not genuine)."""

    MISSING_DOCUMENT = "document could not be fetched"
    HASH_MISMATCH = "document does not hash to the posted ranking_hash"
    MALFORMED = "document is not a well-formed candidate ranking"
    WRONG_ROUND = "document names another round"
    WRONG_ATTEMPT = "document names another attempt"
    WRONG_TASK = "document names another task"
    WRONG_MODELS = "document does not list exactly the revealed models in id order"


@dataclass(frozen=True)
class DiscardedProposal:
    member: str
    reason: DiscardReason


@dataclass(frozen=True)
class RankedModel:
    """One entry of the consensus ranking; score is 0 when the model is not genuine."""

    model_id: int
    genuine: bool
    score: int


@dataclass(frozen=True)
class ObjectRoot:
    """What a committee found for one registered object of the task (docs/protocol.md §7.2):
    the size and chunk-tree root of the content under its CID, zero when it found none.
    The contract certifies the object when they match the registered ones."""

    object_id: int
    size: int
    merkle_root: bytes  # bytes32


@dataclass(frozen=True)
class ConsensusResult:
    round_id: int
    attempt: int
    task_id: int
    task_valid: bool
    ranking: tuple[RankedModel, ...]  # every revealed model once: genuine ones first, in order
    genuine_members: tuple[str, ...]  # checksummed, ascending by address value
    usable: tuple[str, ...]  # members whose proposals were usable, ascending
    discarded: tuple[DiscardedProposal, ...]  # unusable proposals, ascending by member
    storage: tuple[ObjectRoot, ...] = ()  # the task's objects in registration order

    def result_hash(self) -> bytes:
        """keccak256 of the ABI-encoded result: what every member signs and the contract checks."""
        return result_hash(
            self.round_id, self.attempt, self.task_id, self.task_valid, self.ranking, self.genuine_members, self.storage
        )


def result_hash(
    round_id: int,
    attempt: int,
    task_id: int,
    task_valid: bool,
    ranking: Sequence[RankedModel],
    genuine_members: Sequence[str],
    storage: Sequence[ObjectRoot] = (),
) -> bytes:
    """keccak256 of the ABI-encoded result (docs/protocol.md §9.3), from its hashed fields alone."""
    return keccak(
        encode(
            RESULT_ABI_TYPES,
            (
                round_id,
                attempt,
                task_id,
                task_valid,
                [(m.model_id, m.genuine, m.score) for m in ranking],
                list(genuine_members),
                [(o.object_id, o.size, o.merkle_root) for o in storage],
            ),
        )
    )


def compute_consensus(
    *,
    round_id: int,
    attempt: int,
    task_id: int,
    metric: Metric,
    tolerance: int,
    models: Sequence[ModelFacts],
    proposals: Sequence[Proposal],
) -> ConsensusResult:
    """The consensus of one attempt of one round from the proposals the chain accepted.

    `models` are the task's revealed models (any order); `proposals` one per member (any
    order). `tolerance` is SCORE_TOLERANCE.
    """
    members = [_address_value(p.member) for p in proposals]
    if len(set(members)) != len(members):
        raise ValueError("the chain accepts one proposal per member; got a member twice")
    if tolerance < 0:
        raise ValueError("tolerance must be non-negative")
    revealed = sorted(models, key=lambda m: m.model_id)
    revealed_ids = [m.model_id for m in revealed]
    if len(set(revealed_ids)) != len(revealed_ids):
        raise ValueError("a model id appears twice among the revealed models")

    usable: dict[str, CandidateRanking] = {}
    discarded: list[DiscardedProposal] = []
    for proposal in _by_member(proposals):
        member = to_checksum_address(proposal.member)
        checked = _check_usable(proposal, round_id, attempt, task_id, revealed_ids)
        if isinstance(checked, DiscardReason):
            discarded.append(DiscardedProposal(member, checked))
        else:
            usable[member] = checked

    quorum = len(usable) // 2 + 1  # k: a strict majority of the usable proposals
    task_valid = sum(doc.task_valid for doc in usable.values()) >= quorum

    consensus_scores: dict[int, int] = {}  # model id -> consensus score, genuine models only
    if task_valid:
        for position, model_id in enumerate(revealed_ids):
            reported = [
                doc.entries[position].score
                for doc in usable.values()
                if doc.entries[position].status == EvaluationStatus.VALID
            ]
            score = _consensus_score(reported, tolerance, quorum)
            if score is not None:
                consensus_scores[model_id] = score

    genuine_members = tuple(
        member for member, doc in usable.items() if _is_genuine(doc, task_valid, consensus_scores, tolerance)
    )
    return ConsensusResult(
        round_id=round_id,
        attempt=attempt,
        task_id=task_id,
        task_valid=task_valid,
        ranking=consensus_ranking(revealed, consensus_scores, metric),
        genuine_members=genuine_members,
        usable=tuple(usable),
        discarded=tuple(discarded),
    )


def _address_value(address: str) -> int:
    return int(to_checksum_address(address), 16)


def _by_member(proposals: Sequence[Proposal]) -> list[Proposal]:
    # Ascending by address value, as the contract compares addresses: this fixes the order
    # of every output list and makes the result independent of the input order.
    return sorted(proposals, key=lambda p: _address_value(p.member))


def _check_usable(
    proposal: Proposal, round_id: int, attempt: int, task_id: int, revealed_ids: list[int]
) -> CandidateRanking | DiscardReason:
    """The decoded document of a usable proposal, or why the proposal is discarded."""
    if proposal.document is None:
        return DiscardReason.MISSING_DOCUMENT
    if keccak(proposal.document) != proposal.ranking_hash:
        return DiscardReason.HASH_MISMATCH
    try:
        document = CandidateRanking.decode(proposal.document)
    except RankingDocumentError:
        return DiscardReason.MALFORMED
    if document.round_id != round_id:
        return DiscardReason.WRONG_ROUND
    if document.attempt != attempt:
        return DiscardReason.WRONG_ATTEMPT
    if document.task_id != task_id:
        return DiscardReason.WRONG_TASK
    if [entry.model_id for entry in document.entries] != revealed_ids:
        return DiscardReason.WRONG_MODELS
    return document


def _consensus_score(reported: list[int], tolerance: int, quorum: int) -> int | None:
    """The score at least `quorum` VALID reports agree on, or None.

    For each reported score v, c(v) counts the reports within `tolerance` of v. The
    candidate is the v with the largest c(v), the smallest such v on a tie (CHOICE of docs/protocol.md §9.3, so
    that the result does not depend on the order of the reports); it is the consensus
    score when c(v) >= quorum.
    """
    if not reported:
        return None
    ordered = sorted(reported)

    def support(v: int) -> int:
        return bisect_right(ordered, v + tolerance) - bisect_left(ordered, v - tolerance)

    # min over (-support, v): the largest support, then the smallest score.
    best_support, candidate = min((-support(v), v) for v in set(ordered))
    return candidate if -best_support >= quorum else None


def _is_genuine(
    document: CandidateRanking,
    task_valid: bool,
    consensus_scores: dict[int, int],
    tolerance: int,
) -> bool:
    if document.task_valid != task_valid:
        return False
    if not task_valid:
        return True  # model entries are not compared when the task is invalid
    for entry in document.entries:
        if entry.status == EvaluationStatus.UNEVALUATED:
            continue  # a member that ran out of time is not penalised
        consensus = consensus_scores.get(entry.model_id)
        if consensus is None:
            # No consensus score: the members disagree on the model (a model whose output
            # is random scores differently on each), so no report on it is held against
            # anyone; otherwise a colluder reporting INVALID was the only genuine member.
            continue
        if entry.status != EvaluationStatus.VALID or not agree(entry.score, consensus, tolerance):
            return False
    return True


def consensus_ranking(
    revealed: list[ModelFacts], consensus_scores: dict[int, int], metric: Metric
) -> tuple[RankedModel, ...]:
    """Genuine models best first (score, smaller size, product rule, id), then the rest by id."""
    direction = -1 if metric.higher_is_better else 1
    genuine = sorted(
        (m for m in revealed if m.model_id in consensus_scores),
        key=lambda m: (
            direction * consensus_scores[m.model_id],
            m.size,
            m.product_tiebreak,
            m.model_id,
        ),
    )
    not_genuine = [m for m in revealed if m.model_id not in consensus_scores]  # already by id
    return tuple(RankedModel(m.model_id, True, consensus_scores[m.model_id]) for m in genuine) + tuple(
        RankedModel(m.model_id, False, 0) for m in not_genuine
    )
