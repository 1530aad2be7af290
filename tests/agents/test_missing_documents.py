"""A ranking document not fetchable yet is waited for, not discarded for the attempt.

Before issue 14 a member computed the consensus at its first step of the vote window
and cached it for the attempt: a document its store could not give yet (a slow IPFS
node) made that proposal discarded, its honest author not genuine and unpaid, and two
members who fetched at different moments voted for different results. Now a member
waits for missing documents until `DOCUMENT_WAIT_MARGIN_BLOCKS` before the vote
window's end, and a consensus computed without one is not cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ape
import pytest
from rich.console import Console

from wekacoin_offchain.agents.validator import DOCUMENT_WAIT_MARGIN_BLOCKS
from wekacoin_offchain.chain import actions
from wekacoin_offchain.demo import Competition
from wekacoin_offchain.ml import Evaluator
from wekacoin_offchain.storage import parse_cid

pytestmark = [pytest.mark.slow, pytest.mark.ape]


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


def test_members_wait_for_a_late_document_and_its_author_is_genuine(ape_chain: Any, tmp_path: Path) -> None:
    with Evaluator() as evaluator:
        competition = Competition(ape_chain, ape.accounts.test_accounts, Console(quiet=True), tmp_path, evaluator)
        cast = competition.assemble()
        task_id, _ = competition.publish_and_train(cast)
        deployment = cast.deployment
        committee, parameters = deployment.committee, deployment.parameters
        competition.mine_to(deployment.task(task_id).released_at + parameters.reveal_window)
        while int(committee.active_round()) == 0:
            competition.step_all(cast.validators)
        view = deployment.round(int(committee.active_round()))
        propose_end = view.opened_at + parameters.propose_window
        reveal_end = propose_end + parameters.proposal_reveal_window
        vote_end = reveal_end + parameters.vote_window
        while actions.next_block(ape_chain) < reveal_end - 1:
            if not competition.step_all(cast.validators):
                ape_chain.mine(1)
        honest = {v.address for v in cast.validators if v is not cast.liar}
        proposals = [
            e
            for e in committee.ProposalRevealed.range(view.opened_at, int(ape_chain.blocks.height) + 1)
            if str(e.member) in honest
        ]
        assert proposals, "no honest proposal revealed"
        late = proposals[0]
        block = cast.supplier.store._block_path(parse_cid(late.ranking_cid))
        hidden = block.with_suffix(".hidden")
        block.rename(hidden)  # the document is not fetchable yet

        competition.mine_to(reveal_end)
        while actions.next_block(ape_chain) < vote_end - DOCUMENT_WAIT_MARGIN_BLOCKS - 1:
            assert not competition.step_all(cast.validators)  # nobody votes on a partial result
            ape_chain.mine(1)
        assert not list(committee.Voted.range(reveal_end, int(ape_chain.blocks.height) + 1))

        hidden.rename(block)  # it arrives before the vote window nears its end
        competition.play_round(cast, task_id)

    (finalized,) = deployment.pol.RoundFinalized.range(0, int(ape_chain.blocks.height) + 1)
    assert str(late.member) in {str(v) for v in finalized.valid_validators}
