"""Attack 3 of issue 10: retrying and previewing storage challenges.

The attack, retry: a validator claims objects it does not hold. When `propose`
challenged it on one, a failed answer dropped that claim and returned without
recording the attempt, so the validator called `propose` again, was challenged on its
next claim, and kept the weight of the dropped one for the attempt: one honest claim
was enough to sit with any number of fabricated ones. Preview: the validator read
`challenge()` first and simply did not propose when the challenge fell on a claim it
could not answer, so an unbacked claim was never tested. Both were free.

Now one storage answer per validator per attempt is recorded, pass or fail; a failed
answer drops the claim, burns `storage_slash_bps` of the bond and leaves the
validator out of the attempt; the challenged claim is drawn in proportion to size;
and a claim never proven by an answer stops counting after `unproven_claim_rounds`
rounds (docs/protocol.md §7.5).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest

from tests.fixtures.actors import Protocol, Validator, data_cid, object_bytes
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.crypto import chunk_proof

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")

SMALL, LARGE = object_bytes(770, 1), object_bytes(771, 3_000)


@dataclass
class Stage:
    protocol: Protocol
    honest: list[Validator]
    cheat: Validator  # claims both objects, holds a corrupted copy of the large one
    previewer: Validator  # claims the large object, holds nothing, never answers
    small_id: int
    large_id: int
    round_id: int


@pytest.fixture(scope="module")
def stage() -> Iterator[Stage]:
    """Storage weights in force: two certified objects, every claim made while round 1
    was the latest, round 2 open and its seed drawn."""
    with boa.env.anchor():
        holder = boa.env.generate_address()
        # 30 bytes per WKC: the 100 WKC bond backs 3,000 bytes, so kilobyte objects count
        # (storage mode needs the claimed storage to reach half of the bond caps).
        deployment = deploy_on_boa(holder, holder=holder, bytes_per_wkc=30, unproven_claim_rounds=1)
        protocol = Protocol(deployment=deployment, holder=holder)
        members = [protocol.new_member(label) for label in range(770, 775)]
        supplier, trainer = protocol.new_account(), protocol.new_account()
        _, (small_id, large_id) = protocol.certify(
            supplier, trainer, members, {data_cid(770): SMALL, data_cid(771): LARGE}, n=770
        )
        validators = [validator for validator, _ in members]
        honest, cheat, previewer = validators[:3], validators[3], validators[4]
        for validator in honest:
            protocol.claim(validator, large_id, LARGE)
        protocol.claim(cheat, small_id, SMALL)
        protocol.claim(cheat, large_id, bytes(len(LARGE)))  # not the certified content
        with boa.env.prank(previewer.address):
            protocol.pol.claim_storage(large_id)
        protocol.ready_task(supplier, [trainer], models=1, first_n=771)
        round_id = int(protocol.pol.open_round())
        assert protocol.committee.round(round_id).by_storage
        protocol.draw_seed(round_id)
        yield Stage(protocol, honest, cheat, previewer, small_id, large_id, round_id)


def test_a_failed_answer_is_recorded_slashed_and_cannot_be_retried(stage: Stage) -> None:
    protocol, cheat, round_id = stage.protocol, stage.cheat, stage.round_id
    object_id, _ = protocol.committee.challenge(round_id, cheat.address)
    assert object_id == stage.large_id, "drawn in proportion to size: 3,000 bytes against 1"
    bond = protocol.committee.validator(cheat.address).bond
    bonded, supply = protocol.pol.bonded(), protocol.token.totalSupply()

    assert not protocol.propose(cheat, round_id)  # answers from its corrupted copy
    assert protocol.committee.answer_of(round_id, 1, cheat.address) == 2  # FAILED
    penalty = bond * protocol.params.storage_slash_bps // 10_000
    assert protocol.committee.validator(cheat.address).bond == bond - penalty
    assert protocol.pol.bonded() == bonded - penalty
    assert protocol.token.totalSupply() == supply - penalty
    assert protocol.committee.claim_slot(cheat.address, stage.large_id) == 0  # dropped

    # No second answer in the attempt, not even on the claim it holds.
    proof = chunk_proof(SMALL, 0)
    with boa.reverts("rounds: storage already answered in this attempt"):
        protocol.propose(cheat, round_id, answer=(proof.chunk, list(proof.path)))
    assert protocol.committee.proposal(round_id, 1, cheat.address) == b"\0" * 32
    protocol.assert_money_invariant()


def test_a_claim_never_proven_stops_counting(stage: Stage) -> None:
    protocol, previewer, round_id = stage.protocol, stage.previewer, stage.round_id
    # The honest members answer (and so prove their claims); the previewer does not.
    for validator in stage.honest:
        assert protocol.propose(validator, round_id)
    cap = protocol.committee.weight_in_round(stage.honest[0].address, round_id)
    assert protocol.committee.weight_in_round(previewer.address, round_id) == cap
    assert protocol.committee.validator(previewer.address).unproven_until == round_id
    # From the next round on, its unproven claim no longer counts; the proven ones do.
    assert protocol.committee.weight_in_round(previewer.address, round_id + 1) == 0
    assert protocol.committee.weight_in_round(stage.honest[0].address, round_id + 1) == cap
