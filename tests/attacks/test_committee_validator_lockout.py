"""Attack 5 of issue 10: locking the validator set.

The attack: fill the validator set with minimum bonds. Before the fix the set held at
most 128 validators and the 129th registration reverted with "too many validators":
128 registrations (12,800 WKC of bonds, all refundable after the exit delay) kept
every newcomer out for good, whatever it bonded.

Now the set holds `max_validators` active validators and a newcomer whose bond is
larger than the smallest evicts that validator, whose exit starts at once
(docs/protocol.md §7.1). Holding the set costs the adversary the largest bond any
newcomer is willing to post, for every seat, and it is outbid one seat at a time.
"""

from __future__ import annotations

import boa
import pytest

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.chain.params import WEI_PER_WKC

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")


def test_a_set_filled_with_minimum_bonds_lets_a_larger_bond_in() -> None:
    with boa.env.anchor():
        holder = boa.env.generate_address()
        # Three seats stand for 128: the rule is the same, the test 40 times faster.
        protocol = Protocol(deployment=deploy_on_boa(holder, holder=holder, max_validators=3), holder=holder)
        squatters = [protocol.register_validator(label, bond=protocol.params.min_bond) for label in range(710, 713)]

        with boa.reverts("validators: set full and bond not above the smallest"):
            protocol.register_validator(713, bond=protocol.params.min_bond)
        newcomer = protocol.register_validator(714, bond=protocol.params.min_bond + WEI_PER_WKC)

        active = set(protocol.committee.validator_ids())
        assert newcomer.address in active and len(active) == 3
        (evicted,) = [s for s in squatters if s.address not in active]
        assert protocol.committee.validator(evicted.address).status == 2  # EXITING
        assert protocol.committee.weight_in_round(evicted.address, 1) == 0
        assert protocol.committee.weight_in_round(newcomer.address, 1) > 0
        protocol.assert_money_invariant()
