"""How long `wekacoin audit`'s replay takes as a deployment's history grows.

Run: .venv/bin/python benchmarks/bench_audit.py  (about 15 seconds)

The history is synthetic but consistent: each round publishes a task, commits and
reveals its models, opens, takes one proposal per member, finalizes with every model
genuine and every member a valid validator, and pays out exactly as
`consensus.payouts.settle_round` says, with every hash made by the round-chain twins. So
the replay does all its work (seeds, committee hashes, result and round hashes, payouts,
the money sums) and finds it clean. Reading the events from a node is not timed: that
is the node's speed, not the audit's.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.audit.events import (
    ChainEvent,
    Credited,
    EventLog,
    ModelCommitted,
    ModelRevealed,
    ProposalRevealed,
    Proposed,
    RoundFinalized,
    RoundOpened,
    RoundSettled,
    SeedDrawn,
    TaskPublished,
    TaskSettled,
)
from wekacoin_offchain.audit.replay import AuditParameters, ChainState, audit
from wekacoin_offchain.consensus.agreement import ConsensusResult, RankedModel
from wekacoin_offchain.consensus.payouts import ModelStake, TaskEscrow, settle_round
from wekacoin_offchain.consensus.round_chain import ZERO_HASH, AcceptedProposal, committee_hash, round_hash, round_seed

WKC = 10**18
PARAMS = AuditParameters(refund_bps=2_500, round_issuance=10 * WKC, score_tolerance=1)


def account(label: str) -> str:
    return to_checksum_address(keccak(label.encode())[:20])


@dataclass
class Positions:
    """(block, log index) of a block's events, one after the other."""

    block: int
    log_index: int = -1

    def next(self) -> tuple[int, int]:
        self.log_index += 1
        return self.block, self.log_index


def synthetic_history(rounds: int, models: int, members: int) -> tuple[EventLog, ChainState]:
    events: list[ChainEvent] = []
    supplier, trainers = account("supplier"), [account(f"trainer-{n}") for n in range(models)]
    committee = sorted((account(f"member-{n}") for n in range(members)), key=lambda a: int(a, 16))
    owed: dict[str, int] = defaultdict(int)
    blockhashes: dict[int, bytes] = {}
    seed, chain_hash, round_hashes = ZERO_HASH, ZERO_HASH, {}
    block, model_id = 1, 0
    for task_id in range(1, rounds + 1):
        block += 10
        at = Positions(block).next

        events.append(TaskPublished(*at(), task_id, supplier, 0, 50 * WKC, 5 * WKC, 500_000))
        stakes, ranking = [], []
        for n, trainer in enumerate(trainers):
            model_id += 1
            events.append(ModelCommitted(*at(), model_id, task_id, trainer, keccak(b"%d" % model_id), WKC))
            events.append(ModelRevealed(*at(), model_id, task_id, 1_000 + n))
            stakes.append(ModelStake(model_id, trainer, WKC, True))
            ranking.append(RankedModel(model_id, True, 900_000 - n))
        blockhashes[block + 1] = keccak(b"block %d" % (block + 1))
        seed = round_seed(seed, chain_hash, blockhashes[block + 1], 1)
        events.append(RoundOpened(*at(), task_id, task_id, 1, block + 1))
        events.append(SeedDrawn(*at(), task_id, 1, seed))
        accepted = []
        for member in committee:
            accepted.append(
                AcceptedProposal(member, keccak(b"vrf" + member.encode()), keccak(b"commitment" + member.encode()))
            )
            proposal = accepted[-1]
            events.append(
                Proposed(
                    *at(),
                    task_id,
                    member,
                    1,
                    proposal.vrf_output,
                    proposal.commitment,
                    committee_hash(accepted),
                )
            )
            events.append(ProposalRevealed(*at(), task_id, member, 1, keccak(b"ranking" + member.encode()), "bafy"))
        genuine = tuple(committee)
        result = ConsensusResult(task_id, 1, task_id, True, tuple(ranking), genuine, (), ()).result_hash()
        chain_hash = round_hash(chain_hash, task_id, task_id, seed, committee_hash(accepted), result)
        round_hashes[task_id] = chain_hash
        settlement = settle_round(
            task=TaskEscrow(supplier, 50 * WKC, 5 * WKC, 500_000, 0),
            models=stakes,
            task_valid=True,
            ranking=ranking,
            valid_validators=genuine,
            refund_bps=PARAMS.refund_bps,
            round_issuance=PARAMS.round_issuance,
        )
        for credit in settlement.credits:
            events.append(Credited(*at(), credit.account, credit.amount, task_id, int(credit.reason)))
            owed[credit.account] += credit.amount
        events.append(RoundSettled(*at(), task_id, task_id, 1, result, chain_hash))
        events.append(TaskSettled(*at(), task_id, True))
        events.append(
            RoundFinalized(
                *at(),
                task_id,
                task_id,
                1,
                seed,
                committee_hash(accepted),
                result,
                chain_hash,
                True,
                tuple(ranking),
                genuine,
                genuine,
                (),
            )
        )
    credited = sum(owed.values())
    state = ChainState(credited, 0, credited, 0, round_hashes, dict(owed), blockhashes)
    return EventLog(events), state


def main() -> None:
    table = Table(title="audit replay (synthetic history, events already read)")
    for column in ("rounds", "models/task", "members", "events", "replay s", "ms per round"):
        table.add_column(column, justify="right")
    for rounds, models, members in ((10, 10, 10), (100, 10, 10), (1_000, 10, 10), (100, 100, 10), (100, 10, 64)):
        log, state = synthetic_history(rounds, models, members)
        started = time.perf_counter()
        report = audit(log, state, PARAMS)
        elapsed = time.perf_counter() - started
        if not report.clean:
            raise RuntimeError(f"the synthetic history does not audit clean: {report}")
        table.add_row(
            str(rounds), str(models), str(members), str(len(log)), f"{elapsed:.2f}", f"{1_000 * elapsed / rounds:.1f}"
        )
    Console().print(table)


if __name__ == "__main__":
    main()
