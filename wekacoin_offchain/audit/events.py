"""The events an audit reads, as typed records, and the ordered log of a deployment.

Both sources of logs (ape's decoded logs of a live deployment, titanoboa's decoded logs
in the tests) hand `decode_event` the event's name, its position on chain and its
arguments by name; everything after that is the same typed data. Events the audit does
not read (ObjectRegistered, StorageClaimed, ...) are skipped by `decode_event`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from eth_utils.address import to_checksum_address

from wekacoin_offchain.consensus.agreement import ObjectRoot, RankedModel


@dataclass(frozen=True)
class ChainEvent:
    """Where an event sits on chain: the audit replays events in (block, log_index) order."""

    block: int
    log_index: int


@dataclass(frozen=True)
class TaskPublished(ChainEvent):
    task_id: int
    supplier: str
    metric: int
    reward: int
    hosting_fee: int
    baseline_score: int


@dataclass(frozen=True)
class ModelCommitted(ChainEvent):
    model_id: int
    task_id: int
    trainer: str
    commitment: bytes
    fee: int


@dataclass(frozen=True)
class ModelRevealed(ChainEvent):
    model_id: int
    task_id: int
    model_size: int


@dataclass(frozen=True)
class TaskSettled(ChainEvent):
    task_id: int
    task_valid: bool


@dataclass(frozen=True)
class TaskExpired(ChainEvent):
    task_id: int
    burned: int


@dataclass(frozen=True)
class TaskCancelled(ChainEvent):
    task_id: int


@dataclass(frozen=True)
class Credited(ChainEvent):
    account: str
    amount: int
    task_id: int  # 0 for a returned bond
    reason: int


@dataclass(frozen=True)
class Withdrawn(ChainEvent):
    account: str
    amount: int


@dataclass(frozen=True)
class Burned(ChainEvent):
    task_id: int
    amount: int


@dataclass(frozen=True)
class ValidatorRegistered(ChainEvent):
    validator: str
    bond: int


@dataclass(frozen=True)
class BondToppedUp(ChainEvent):
    validator: str
    amount: int


@dataclass(frozen=True)
class RoundOpened(ChainEvent):
    round_id: int
    task_id: int
    attempt: int
    seed_block: int  # the block whose hash the attempt's seed hashes (docs/protocol.md §13.1)


@dataclass(frozen=True)
class RoundRestarted(ChainEvent):
    round_id: int
    task_id: int
    attempt: int
    seed_block: int


@dataclass(frozen=True)
class SeedDrawn(ChainEvent):
    round_id: int
    attempt: int
    seed: bytes


@dataclass(frozen=True)
class RoundCancelled(ChainEvent):
    round_id: int
    task_id: int
    attempt: int
    seed: bytes
    round_hash: bytes


@dataclass(frozen=True)
class Proposed(ChainEvent):
    round_id: int
    member: str
    attempt: int
    vrf_output: bytes
    commitment: bytes  # keccak256(ranking_hash, ranking_cid, member, salt)
    committee_hash: bytes  # the running committee hash after this proposal


@dataclass(frozen=True)
class ProposalRevealed(ChainEvent):
    round_id: int
    member: str
    attempt: int
    ranking_hash: bytes
    ranking_cid: str  # where the candidate ranking document is stored


@dataclass(frozen=True)
class ObjectRegistered(ChainEvent):
    object_id: int
    registrant: str
    task_id: int
    deposit: int


@dataclass(frozen=True)
class ObjectJudged(ChainEvent):
    object_id: int
    task_id: int
    certified: bool


@dataclass(frozen=True)
class Voted(ChainEvent):
    round_id: int
    member: str
    attempt: int
    result_hash: bytes


@dataclass(frozen=True)
class RoundSettled(ChainEvent):
    """The Committee's record of a finalized round (ProofOfLearning logs RoundFinalized)."""

    round_id: int
    task_id: int
    attempt: int
    result_hash: bytes
    round_hash: bytes


@dataclass(frozen=True)
class RoundFinalized(ChainEvent):
    round_id: int
    task_id: int
    attempt: int
    seed: bytes
    committee_hash: bytes
    result_hash: bytes
    round_hash: bytes
    task_valid: bool
    ranking: tuple[RankedModel, ...]
    genuine_members: tuple[str, ...]
    valid_validators: tuple[str, ...]
    storage: tuple[ObjectRoot, ...]


def _address(value: Any) -> str:
    return to_checksum_address(str(value))


def _bytes(value: Any) -> bytes:
    # ape gives HexBytes, boa gives bytes; both are bytes subclasses or hex strings.
    return bytes.fromhex(value.removeprefix("0x")) if isinstance(value, str) else bytes(value)


def _ranking(entries: Sequence[Any]) -> tuple[RankedModel, ...]:
    # Each entry is a (model_id, genuine, score) struct: a tuple (boa) or a struct with fields (ape).
    decoded = []
    for entry in entries:
        model_id, genuine, score = (entry.model_id, entry.genuine, entry.score) if hasattr(entry, "model_id") else entry
        decoded.append(RankedModel(model_id=int(model_id), genuine=bool(genuine), score=int(score)))
    return tuple(decoded)


def _storage(entries: Sequence[Any]) -> tuple[ObjectRoot, ...]:
    # Each entry is an (object_id, size, merkle_root) struct: a tuple (boa) or a struct (ape).
    decoded = []
    for entry in entries:
        object_id, size, root = (
            (entry.object_id, entry.size, entry.merkle_root) if hasattr(entry, "object_id") else entry
        )
        decoded.append(ObjectRoot(object_id=int(object_id), size=int(size), merkle_root=_bytes(root)))
    return tuple(decoded)


def _addresses(values: Sequence[Any]) -> tuple[str, ...]:
    return tuple(_address(value) for value in values)


_Converter = Callable[[Any], Any]
_FIELD_CONVERTERS: dict[str, _Converter] = {
    "supplier": _address,
    "trainer": _address,
    "account": _address,
    "member": _address,
    "registrant": _address,
    "certified": bool,
    "storage": _storage,
    "validator": _address,
    "commitment": _bytes,
    "seed": _bytes,
    "round_hash": _bytes,
    "committee_hash": _bytes,
    "result_hash": _bytes,
    "vrf_output": _bytes,
    "ranking_hash": _bytes,
    "ranking_cid": str,
    "task_valid": bool,
    "ranking": _ranking,
    "genuine_members": _addresses,
    "valid_validators": _addresses,
}

EVENT_TYPES: dict[str, type[ChainEvent]] = {
    event_type.__name__: event_type
    for event_type in (
        TaskPublished,
        ModelCommitted,
        ModelRevealed,
        TaskSettled,
        TaskExpired,
        TaskCancelled,
        Credited,
        Withdrawn,
        Burned,
        ValidatorRegistered,
        BondToppedUp,
        RoundOpened,
        RoundRestarted,
        SeedDrawn,
        RoundCancelled,
        Proposed,
        ProposalRevealed,
        ObjectRegistered,
        ObjectJudged,
        Voted,
        RoundSettled,
        RoundFinalized,
    )
}
"""Every event the audit reads, by its name in the contracts."""


def decode_event(name: str, block: int, log_index: int, arguments: Mapping[str, Any]) -> ChainEvent | None:
    """The typed event for a decoded log, or None for an event the audit does not read."""
    event_type = EVENT_TYPES.get(name)
    if event_type is None:
        return None
    values = {
        field.name: _FIELD_CONVERTERS.get(field.name, int)(arguments[field.name])
        for field in fields(event_type)
        if field.name not in ("block", "log_index")
    }
    return event_type(block=block, log_index=log_index, **values)


EventT = TypeVar("EventT", bound=ChainEvent)


class EventLog:
    """A deployment's events in chain order (block, then log index)."""

    def __init__(self, events: Iterable[ChainEvent]) -> None:
        self.events: tuple[ChainEvent, ...] = tuple(sorted(events, key=lambda event: (event.block, event.log_index)))

    def __iter__(self) -> Iterator[ChainEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def of_type(self, event_type: type[EventT]) -> list[EventT]:
        return [event for event in self.events if isinstance(event, event_type)]
