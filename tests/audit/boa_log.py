"""An `EventLog` of a titanoboa run: the adapter between boa's decoded logs and the audit.

boa keeps no chain of receipts to query afterwards, so the recorder sits on
`boa.env.execute_code` while a scenario runs and keeps the logs of every transaction
that succeeded, in order, with the block it ran in. It also reads, right when an
attempt's seed is drawn (SeedDrawn) or a round is cancelled, the hash of the attempt's
seed block as the contract read it: boa patches block numbers, so `blockhash(n)` is only
meaningful at the height the contract asked it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boa
from boa.contracts.base_evm_contract import RawLogEntry

from wekacoin_offchain.audit.events import (
    ChainEvent,
    EventLog,
    RoundCancelled,
    RoundOpened,
    RoundRestarted,
    SeedDrawn,
    decode_event,
)

_BLOCKHASH_READER = """
# pragma version ~=0.4.3
@external
@view
def parent_hash(number: uint256) -> bytes32:
    return blockhash(number)
"""


@dataclass
class BoaRecording:
    events: list[ChainEvent] = field(default_factory=list)
    blockhashes: dict[int, bytes] = field(default_factory=dict)

    def log(self) -> EventLog:
        return EventLog(self.events)


@contextmanager
def recording(*contracts: Any) -> Iterator[BoaRecording]:
    """Record the audited events `contracts` log during the `with` block."""
    by_address = {contract.address.canonical_address: contract for contract in contracts}
    reader = boa.loads(_BLOCKHASH_READER)
    record = BoaRecording()
    seed_block_of: dict[int, int] = {}
    env = boa.env
    execute = env.execute_code

    def execute_and_record(*args: Any, **kwargs: Any) -> Any:
        computation = execute(*args, **kwargs)
        if computation.is_error or not kwargs.get("is_modifying", True) or kwargs.get("simulate", False):
            return computation
        block = env.evm.patch.block_number
        for entry in sorted(computation.get_raw_log_entries()):
            raw = RawLogEntry(*entry)
            contract = by_address.get(raw.address)
            if contract is None:
                continue
            decoded = contract.decode_log(raw)
            event = decode_event(type(decoded).__name__, block, len(record.events), decoded._asdict())
            if event is None:
                continue
            record.events.append(event)
            if isinstance(event, RoundOpened | RoundRestarted):
                seed_block_of[event.round_id] = event.seed_block
            elif isinstance(event, SeedDrawn | RoundCancelled):
                seed_block = seed_block_of[event.round_id]
                if block <= seed_block + 256:  # the contract read the hash (§13.1)
                    record.blockhashes[seed_block] = bytes(reader.parent_hash(seed_block))
        return computation

    env.execute_code = execute_and_record  # type: ignore[method-assign]
    try:
        yield record
    finally:
        del env.execute_code  # the instance attribute goes, the class's method shows again
