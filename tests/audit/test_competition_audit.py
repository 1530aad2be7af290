"""A whole competition on ape's embedded chain (the main job: real models, evaluations,
a lying validator, votes and finalize), read back through ape and audited clean."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ape
import pytest
from rich.console import Console

from wekacoin_offchain.agents.competition import Competition
from wekacoin_offchain.audit.events import RoundFinalized
from wekacoin_offchain.audit.reader import read_deployment
from wekacoin_offchain.audit.replay import audit
from wekacoin_offchain.ml import Evaluator

pytestmark = [pytest.mark.slow, pytest.mark.ape]


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


def test_a_whole_competition_audits_clean(ape_chain: Any, tmp_path: Path) -> None:
    first_block = int(ape_chain.blocks.height) + 1
    with Evaluator() as evaluator:
        cast = Competition(ape_chain, ape.accounts.test_accounts, Console(quiet=True), tmp_path, evaluator).run()
    reading = read_deployment(ape_chain, cast.deployment.pol, first_block)
    (finalized,) = reading.log.of_type(RoundFinalized)
    assert finalized.task_valid and any(entry.genuine for entry in finalized.ranking)
    assert cast.liar.address not in finalized.genuine_members
    report = audit(reading.log, reading.state, reading.params)
    assert report.clean, (report.verdicts, report.global_checks)
    assert [(verdict.subject, verdict.outcome) for verdict in report.verdicts] == [("round 1", "finalized")]
