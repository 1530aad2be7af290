"""Typed views of the contracts' structs, read through their public getters.

`pol.task(i)`, `pol.model(i)`, `committee.round(i)`, `committee.validator(a)` and
`pol.stored_object(i)` return ape structs whose fields are untyped; every reader of the
chain (agents, commands, the audit) goes through these frozen dataclasses instead, so a
field is named, converted to a Python type and its state is an enum from `states`.
Field names and order follow contracts/modules/tasks.vy, models.vy, rounds.vy,
validator_set.vy and objects.vy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wekacoin_offchain.chain.states import RoundState, TaskState, ValidatorStatus

# The certified state of a stored object (contracts/modules/objects.vy).
OBJECT_CERTIFIED = 2


@dataclass(frozen=True)
class TaskView:
    task_id: int
    supplier: str
    train_cid: str
    test_commitment: bytes
    metric: int
    release_height: int
    reward: int
    hosting_fee: int
    baseline_cid: str
    baseline_score: int
    published_at: int
    state: TaskState
    test_cid: str  # empty until the release
    released_at: int  # 0 until the release
    model_count: int
    revealed_count: int

    @classmethod
    def from_chain(cls, pol: Any, task_id: int) -> TaskView:
        raw = pol.task(task_id)
        return cls(
            task_id=task_id,
            supplier=str(raw.supplier),
            train_cid=str(raw.train_cid),
            test_commitment=bytes(raw.test_commitment),
            metric=int(raw.metric),
            release_height=int(raw.release_height),
            reward=int(raw.reward),
            hosting_fee=int(raw.hosting_fee),
            baseline_cid=str(raw.baseline_cid),
            baseline_score=int(raw.baseline_score),
            published_at=int(raw.published_at),
            state=TaskState(int(raw.state)),
            test_cid=str(raw.test_cid),
            released_at=int(raw.released_at),
            model_count=int(raw.model_count),
            revealed_count=int(raw.revealed_count),
        )


@dataclass(frozen=True)
class ModelView:
    model_id: int
    task_id: int
    trainer: str
    commitment: bytes
    train_score: int
    fee: int
    committed_at: int
    model_cid: str  # empty until the reveal
    model_size: int  # 0 until the reveal
    revealed_at: int  # 0 until the reveal

    @property
    def revealed(self) -> bool:
        return self.revealed_at != 0

    @classmethod
    def from_chain(cls, pol: Any, model_id: int) -> ModelView:
        raw = pol.model(model_id)
        return cls(
            model_id=model_id,
            task_id=int(raw.task_id),
            trainer=str(raw.trainer),
            commitment=bytes(raw.commitment),
            train_score=int(raw.train_score),
            fee=int(raw.fee),
            committed_at=int(raw.committed_at),
            model_cid=str(raw.model_cid),
            model_size=int(raw.model_size),
            revealed_at=int(raw.revealed_at),
        )


@dataclass(frozen=True)
class RoundView:
    round_id: int
    task_id: int
    supplier: str
    attempt: int
    seed: bytes
    opened_at: int
    total_weight: int
    expected_size_bps: int
    quorum: int
    state: RoundState
    committee_hash: bytes
    proposals: int

    @classmethod
    def from_chain(cls, committee: Any, round_id: int) -> RoundView:
        raw = committee.round(round_id)
        return cls(
            round_id=round_id,
            task_id=int(raw.task_id),
            supplier=str(raw.supplier),
            attempt=int(raw.attempt),
            seed=bytes(raw.seed),
            opened_at=int(raw.opened_at),
            total_weight=int(raw.total_weight),
            expected_size_bps=int(raw.expected_size_bps),
            quorum=int(raw.quorum),
            state=RoundState(int(raw.state)),
            committee_hash=bytes(raw.committee_hash),
            proposals=int(raw.proposals),
        )


@dataclass(frozen=True)
class ValidatorView:
    address: str
    status: ValidatorStatus
    bond: int
    registered_at: int
    exit_requested_at: int
    claimed_size: int  # the sizes of the live claims
    claim_slots: int  # slots used, dropped claims included

    @classmethod
    def from_chain(cls, committee: Any, address: str) -> ValidatorView:
        raw = committee.validator(address)
        return cls(
            address=str(address),
            status=ValidatorStatus(int(raw.status)),
            bond=int(raw.bond),
            registered_at=int(raw.registered_at),
            exit_requested_at=int(raw.exit_requested_at),
            claimed_size=int(raw.claimed_size),
            claim_slots=int(raw.claim_slots),
        )


@dataclass(frozen=True)
class StoredObjectView:
    object_id: int
    cid_hash: bytes
    size: int
    merkle_root: bytes
    registrant: str
    task_id: int
    state: int  # 1 pending, 2 certified, 3 rejected, 4 lapsed (docs/protocol.md §7.2)
    deposit: int

    @property
    def certified(self) -> bool:
        return self.state == OBJECT_CERTIFIED

    @classmethod
    def from_chain(cls, pol: Any, object_id: int) -> StoredObjectView:
        raw = pol.stored_object(object_id)
        return cls(
            object_id=object_id,
            cid_hash=bytes(raw.cid_hash),
            size=int(raw.size),
            merkle_root=bytes(raw.merkle_root),
            registrant=str(raw.registrant),
            task_id=int(raw.task_id),
            state=int(raw.state),
            deposit=int(raw.deposit),
        )
