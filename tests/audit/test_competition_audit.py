"""A whole competition on ape's embedded chain (the main job: real models, evaluations,
a lying validator, votes and finalize), read back through ape and audited clean."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import ape
import pytest
from rich.console import Console

from wekacoin_offchain.audit.events import EventLog, ProposalRevealed, RoundFinalized
from wekacoin_offchain.audit.reader import fetch_documents, read_deployment
from wekacoin_offchain.audit.replay import audit
from wekacoin_offchain.demo import Competition
from wekacoin_offchain.ml import Evaluator
from wekacoin_offchain.storage import LocalBlockStore

pytestmark = [pytest.mark.slow, pytest.mark.ape]


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


def test_a_whole_competition_audits_clean(ape_chain: Any, tmp_path: Path) -> None:
    with Evaluator() as evaluator:
        cast = Competition(ape_chain, ape.accounts.test_accounts, Console(quiet=True), tmp_path, evaluator).run()
    reading = read_deployment(cast.deployment)
    (finalized,) = reading.log.of_type(RoundFinalized)
    assert finalized.task_valid and any(entry.genuine for entry in finalized.ranking)
    assert cast.liar.address not in finalized.genuine_members
    documents = fetch_documents(LocalBlockStore(tmp_path / "store"), reading.log)  # the agents' store
    report = audit(reading.log, reading.state, reading.params, documents)
    assert report.clean, (report.verdicts, report.global_checks)
    (verdict,) = report.verdicts
    assert (verdict.subject, verdict.outcome) == ("round 1", "finalized")
    # The agreement runs over the revealed proposals (docs/protocol.md §9.2).
    proposals = [event for event in reading.log.of_type(ProposalRevealed) if event.attempt == finalized.attempt]
    assert verdict.notes == (f"agreement re-run from the documents of {len(proposals)} proposal(s), 0 discarded",)

    # The liar among the genuine members: the payload's hashes no longer hold, and the
    # agreement over the documents says who really is genuine.
    members = tuple(sorted((*finalized.genuine_members, cast.liar.address), key=lambda a: int(a, 16)))
    forged = EventLog(replace(e, genuine_members=members) if e is finalized else e for e in reading.log)
    mismatches = audit(forged, reading.state, reading.params, documents).verdicts[0].mismatches
    assert any(m.startswith("agreement: genuine members: chain has ") for m in mismatches)
