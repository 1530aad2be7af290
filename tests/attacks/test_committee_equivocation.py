"""Attack 8 of issue 10: equivocation.

The attack: a member signs votes for two different results of one attempt (say one
result with its coalition and another with the honest members), so that whichever
reaches the quorum it counts among the voters and is paid. Before the fix nothing was
ever slashed: signing both cost nothing, and the member could request its exit and
take its bond back `exit_delay` blocks later.

Now anyone who shows the two signatures (or the member's on-chain vote and a signature
on another result) to `Committee.report_equivocation` burns the member's whole bond,
`reporter_share_bps` of it credited to the reporter, and expels it (docs/protocol.md
§9.6). The bond cannot leave first: the exit delay runs from the end of the last vote
window the member could sign in.
"""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.actors import Protocol, Validator
from tests.fixtures.rounds import sign_vote

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")

RESULT_A, RESULT_B = b"\x0a" * 32, b"\x0b" * 32


def sat_members(protocol: Protocol) -> tuple[int, list[tuple[Validator, bytes]]]:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(2)]
    protocol.ready_task(supplier, trainers, models=1)
    members = [protocol.new_member(label) for label in range(730, 733)]
    protocol.mine(1)
    round_id = int(protocol.pol.open_round())
    protocol.sit([(validator, bytes([i + 1]) * 32) for i, (validator, _) in enumerate(members)], round_id)
    return round_id, members


def vote_signature(protocol: Protocol, key: bytes, round_id: int, result: bytes, attempt: int = 1) -> bytes:
    return sign_vote(key, boa.env.evm.patch.chain_id, protocol.pol.address, round_id, attempt, result)


def test_two_votes_on_different_results_burn_the_bond(protocol: Protocol) -> None:
    round_id, members = sat_members(protocol)
    (cheat, key), reporter = members[0], protocol.new_account()
    # The cheat requests its exit at once: the bond must still be there for the evidence.
    with boa.env.prank(cheat.address):
        protocol.pol.request_exit()
        protocol.pol.vote(round_id, RESULT_A)
    protocol.mine(protocol.params.vote_window + protocol.params.exit_delay - 1)
    with boa.env.prank(cheat.address), boa.reverts("validators: exit delay not over"):
        protocol.pol.withdraw_bond()

    bond = protocol.committee.validator(cheat.address).bond
    supply, bonded = protocol.token.totalSupply(), protocol.pol.bonded()
    # The on-chain vote for A and a signature on B, shown by anyone.
    with boa.env.prank(reporter):
        protocol.committee.report_equivocation(
            round_id, 1, RESULT_A, b"", RESULT_B, vote_signature(protocol, key, round_id, RESULT_B)
        )
    share = bond * protocol.params.reporter_share_bps // 10_000
    assert protocol.committee.validator(cheat.address).bond == 0
    assert protocol.committee.validator(cheat.address).status == 3  # EXITED: expelled
    assert protocol.pol.owed(reporter) == share
    assert protocol.pol.bonded() == bonded - bond
    assert protocol.token.totalSupply() == supply - (bond - share)
    with boa.env.prank(cheat.address), boa.reverts("validators: no exit requested"):
        protocol.pol.withdraw_bond()
    with boa.reverts("slashing: nothing left to slash"):
        protocol.committee.report_equivocation(
            round_id, 1, RESULT_A, b"", RESULT_B, vote_signature(protocol, key, round_id, RESULT_B)
        )
    protocol.assert_money_invariant()


def test_two_signatures_slash_and_false_evidence_is_refused(protocol: Protocol) -> None:
    round_id, members = sat_members(protocol)
    (cheat, key), (other, other_key) = members[0], members[1]
    signed_a = vote_signature(protocol, key, round_id, RESULT_A)
    signed_b = vote_signature(protocol, key, round_id, RESULT_B)
    with boa.reverts("slashing: the results are the same"):
        protocol.committee.report_equivocation(round_id, 1, RESULT_A, signed_a, RESULT_A, signed_a)
    with boa.reverts("slashing: signatures by different accounts"):
        protocol.committee.report_equivocation(
            round_id, 1, RESULT_A, signed_a, RESULT_B, vote_signature(protocol, other_key, round_id, RESULT_B)
        )
    with boa.reverts("slashing: no on-chain vote for the first result"):
        protocol.committee.report_equivocation(round_id, 1, RESULT_A, b"", RESULT_B, signed_b)
    with boa.reverts("slashing: signer is not a member of this attempt"):
        protocol.committee.report_equivocation(
            round_id,
            2,
            RESULT_A,
            vote_signature(protocol, key, round_id, RESULT_A, attempt=2),
            RESULT_B,
            vote_signature(protocol, key, round_id, RESULT_B, attempt=2),
        )
    with boa.reverts("ecdsa: invalid signature"):
        protocol.committee.report_equivocation(round_id, 1, RESULT_A, signed_a, RESULT_B, bytes(64) + bytes([27]))
    with boa.reverts("slashing: a signature is 65 bytes"):
        protocol.committee.report_equivocation(round_id, 1, RESULT_A, signed_a, RESULT_B, signed_b[:64])
    with boa.reverts("pol: caller is not the Committee"):
        protocol.pol.settle_slash(other.address, 1)

    protocol.committee.report_equivocation(round_id, 1, RESULT_A, signed_a, RESULT_B, signed_b)
    assert protocol.committee.validator(cheat.address).bond == 0
    assert cheat.address not in protocol.committee.validator_ids()
    protocol.assert_money_invariant()
