"""Reading a live deployment through ape: its event log and the few views the audit needs.

Everything is read at one block height (the head when the read starts), so the events
and the views describe the same chain state even while new blocks arrive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wekacoin_offchain.audit.events import (
    EVENT_TYPES,
    Credited,
    EventLog,
    ProposalRevealed,
    RoundCancelled,
    RoundFinalized,
    RoundOpened,
    RoundRestarted,
    Withdrawn,
    decode_event,
)
from wekacoin_offchain.audit.replay import AuditParameters, ChainState
from wekacoin_offchain.chain.deployment import Deployment
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.rankings_io import fetch_document_bytes
from wekacoin_offchain.storage import ContentStore


@dataclass(frozen=True)
class DeploymentReading:
    """What an audit of a deployment needs, read at `height`."""

    log: EventLog
    state: ChainState
    params: AuditParameters
    height: int


def read_deployment(deployment: Deployment, from_block: int | None = None) -> DeploymentReading:
    """Read the events of the deployment's ProofOfLearning and Committee from
    `from_block` (by default the deployment's first block, so that the money sums start
    from zero), and the views."""
    chain, pol = deployment.chain, deployment.pol
    start = deployment.first_block if from_block is None else from_block
    height = deployment.height
    if start > height:
        raise UserError(f"the deployment block {start} is above the chain's head {height}")
    log = EventLog(_events(chain, (pol, deployment.committee), start, height))
    state = _state(chain, pol, deployment.token, log, height)
    params = AuditParameters(
        refund_bps=deployment.parameters.refund_bps,
        round_issuance=deployment.parameters.round_issuance,
        score_tolerance=deployment.parameters.score_tolerance,
    )
    return DeploymentReading(log, state, params, height)


def _events(chain: Any, contracts: tuple[Any, ...], from_block: int, height: int) -> list[Any]:
    from ape.types.events import LogFilter

    abis = [abi for contract in contracts for abi in contract.contract_type.events if abi.name in EVENT_TYPES]
    # One filter for every audited event of both contracts: a single eth_getLogs range scan.
    log_filter = LogFilter(
        addresses=[contract.address for contract in contracts], events=abis, start_block=from_block, stop_block=height
    )
    log_filter = log_filter.model_copy(update={"topic_filter": [list(log_filter.selectors)]})
    events = []
    for contract_log in chain.provider.get_contract_logs(log_filter):
        event = decode_event(
            contract_log.event_name,
            int(contract_log.block_number),
            int(contract_log.log_index),
            contract_log.event_arguments,
        )
        if event is not None:
            events.append(event)
    return events


def _state(chain: Any, pol: Any, token: Any, log: EventLog, height: int) -> ChainState:
    round_ids = {
        event.round_id
        for event in log
        if isinstance(event, RoundOpened | RoundRestarted | RoundFinalized | RoundCancelled)
    }
    accounts = {event.account for event in log if isinstance(event, Credited | Withdrawn)}
    seed_blocks = {
        event.seed_block
        for event in log
        if isinstance(event, RoundOpened | RoundRestarted) and event.seed_block <= height
    }
    return ChainState(
        pol_balance=int(token.balanceOf(pol.address, block_id=height)),
        escrowed=int(pol.escrowed(block_id=height)),
        credited=int(pol.credited(block_id=height)),
        bonded=int(pol.bonded(block_id=height)),
        round_hashes={round_id: bytes(pol.round_hash(round_id, block_id=height)) for round_id in sorted(round_ids)},
        owed={account: int(pol.owed(account, block_id=height)) for account in sorted(accounts)},
        blockhashes={number: bytes(chain.blocks[number].hash) for number in sorted(seed_blocks)},
    )


def fetch_documents(store: ContentStore, log: EventLog) -> dict[str, bytes | None]:
    """Every proposal's ranking document from `store`, by CID (None when the store has none)."""
    cids = sorted({event.ranking_cid for event in log if isinstance(event, ProposalRevealed)})
    return {cid: fetch_document_bytes(store, cid) for cid in cids}
