"""Attack 6 of issue 10: copying another member's ranking.

The attack: a lazy member evaluates nothing; it waits for an honest member's proposal
and proposes the same ranking hash and document CID. Before the fix proposals were
public during the propose window, so the copy was accepted, counted as genuine, and
paid a full validator share of the hosting fee, the forfeited fees and the issuance
for no work.

Now a member commits to keccak256(ranking hash, document CID, member, salt) in the
propose window and reveals after it (docs/protocol.md §9.2): while it could still
propose, the copier sees only a commitment that holds the honest member's address, so
a copied commitment can never be revealed by the copier; once reveals are public, the
propose window is closed. An unrevealed member is no member: it cannot vote, sign or
be genuine.
"""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.actors import RANKING_CID, Protocol, proposal_salt
from tests.fixtures.rounds import result_hash, sign_vote

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")


def test_a_copied_proposal_cannot_be_revealed_and_earns_nothing(protocol: Protocol) -> None:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(2)]
    protocol.ready_task(supplier, trainers, models=2)
    (honest, honest_key), (lazy, lazy_key) = protocol.new_member(720), protocol.new_member(721)
    protocol.mine(1)
    round_id = int(protocol.pol.open_round())
    protocol.draw_seed(round_id)

    ranking_hash = b"\x42" * 32
    assert protocol.propose(honest, round_id, ranking_hash=ranking_hash)
    # The lazy member copies the commitment it sees on chain.
    copied = bytes(protocol.committee.proposal(round_id, 1, honest.address))
    assert protocol.propose(lazy, round_id, commitment=copied)

    protocol.to_reveal_window(round_id)
    protocol.reveal_proposal(honest, round_id, ranking_hash=ranking_hash)
    # Everything the honest member revealed, replayed by the copier, does not open its copy.
    honest_salt = proposal_salt(honest.address, round_id, 1)
    with boa.env.prank(lazy.address), boa.reverts("rounds: reveal does not match the commitment"):
        protocol.pol.reveal_proposal(round_id, ranking_hash, RANKING_CID, honest_salt)
    assert protocol.committee.ranking_of(round_id, 1, lazy.address) == b"\0" * 32

    # Too late to propose the now public ranking under its own commitment.
    with boa.reverts("rounds: propose window closed"):
        protocol.propose(lazy, round_id, ranking_hash=ranking_hash)

    protocol.to_vote_window(round_id)
    with boa.env.prank(lazy.address), boa.reverts("rounds: not a member of this attempt"):
        protocol.pol.vote(round_id, b"\x01" * 32)
    # Nor can its signature count towards a result, whatever it signs.
    result = result_hash(round_id, 1, 1, True, [], [honest.address])
    chain_id = boa.env.evm.patch.chain_id
    signatures = [
        sign_vote(key, chain_id, protocol.pol.address, round_id, 1, result)
        for member, key in sorted([(honest, honest_key), (lazy, lazy_key)], key=lambda m: int(m[0].address, 16))
    ]
    with boa.reverts("rounds: signer is not a member of this attempt"):
        protocol.pol.finalize(round_id, True, [], [honest.address], signatures, [])
