"""Attack 1 of issue 10: fabricated storage.

The attack: a supplier registers its own task's training-set CID as a 4 TiB object
whose root is the all-zero chunk tree (32 hashes to compute), claims it from its
validator account with the minimum bond, and answers every challenge with a zero
chunk and the zero path. Before the fix the registrant chose size and root freely
and claims counted at once: that validator held more than 99.9 % of the weight, the
quorum was 1, and it proposed, voted and finalized alone (its own trainer's model won
the reward; it took the hosting fee, the forfeited fees and the issuance) while
`wekacoin audit` reported the round clean. Cost: one minimum bond, refundable.

Now an object counts only once the committee that evaluates its task has fetched the
content and recomputed its size and root in its quorum-signed result (docs/protocol.md
§7.2): a made-up root is rejected, the registrant's deposit is burned, and nobody can
claim the object. Until storage is certified, weights come from bonds alone.
"""

from __future__ import annotations

import boa
import pytest
from eth_hash.auto import keccak

from tests.fixtures.actors import Protocol, data_cid, object_bytes
from wekacoin_offchain.chain.params import WEI_PER_WKC

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")

FOUR_TIB = 1_024 * 2**32


def test_a_made_up_root_is_rejected_burns_the_deposit_and_weighs_nothing(protocol: Protocol) -> None:
    members = [protocol.new_member(label) for label in range(750, 753)]
    attacker = protocol.new_account(amount=1_000 * WEI_PER_WKC)
    attacker_validator = protocol.register_validator(755)
    trainer = protocol.new_account()
    content = {data_cid(750): object_bytes(750, 2_000), data_cid(751): object_bytes(751, 1_500)}
    supply = protocol.token.totalSupply()

    _, (fabricated, honest) = protocol.certify(
        attacker, trainer, members, content, n=750, roots={data_cid(750): (FOUR_TIB, keccak(b"all-zero tree"))}
    )

    assert protocol.pol.stored_object(fabricated).state == 3  # REJECTED
    assert protocol.pol.stored_object(honest).state == 2  # CERTIFIED
    deposit = protocol.params.object_deposit
    # The deposit on the made-up object is burned. (The round has no valid validator,
    # so it mints nothing and burns the one model's forfeited fee as well.)
    assert protocol.token.totalSupply() == supply - deposit - protocol.params.participation_fee
    with boa.env.prank(attacker_validator.address), boa.reverts("objects: object not certified"):
        protocol.pol.claim_storage(fabricated)
    # The attacker's validator weighs what its bond backs, like everyone else's.
    next_round = protocol.committee.round_count() + 1
    cap = protocol.params.min_bond * protocol.params.bytes_per_wkc // WEI_PER_WKC
    assert protocol.committee.weight_in_round(attacker_validator.address, next_round) == cap
    assert protocol.committee.total_weight_in_round(next_round) == 4 * cap
    protocol.assert_money_invariant()
