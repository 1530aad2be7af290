"""Attack 7 of issue 10: proof-of-possession squatting.

The attack: a validator's `register_validator(key, proof, bond)` sits in the mempool; an
adversary copies the key and the proof into its own registration and gets it mined
first. Before the fix the proof signed the key alone, so it verified for any sender:
the adversary owned the key (each key registers once, ever), the victim's registration
reverted with "key already registered", and its key was burned for good, at the cost
of one minimum bond, refundable.

Now the proof signs the key followed by the registering account (docs/protocol.md
§7.1): the copied proof does not verify for the adversary's account.
"""

from __future__ import annotations

import boa
import pytest
from eth_hash.auto import keccak

from tests.fixtures.actors import Protocol, validator_key
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.crypto import prove_possession, public_key_bytes

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")


def test_a_copied_proof_of_possession_registers_nothing(protocol: Protocol) -> None:
    victim = protocol.new_account(amount=1_000 * WEI_PER_WKC)
    adversary = protocol.new_account(amount=1_000 * WEI_PER_WKC)
    key = validator_key(700)
    pubkey, proof = public_key_bytes(key), prove_possession(key, victim)
    bond = protocol.params.min_bond

    # The adversary front-runs the victim's transaction with the same key and proof.
    with boa.env.prank(adversary), boa.reverts("validators: invalid proof of possession"):
        protocol.pol.register_validator(pubkey, proof, bond)
    assert protocol.committee.validator(adversary).status == 0
    assert not protocol.committee.key_used(keccak(pubkey)), "the key is still the victim's to register"

    with boa.env.prank(victim):
        protocol.pol.register_validator(pubkey, proof, bond)
    assert protocol.committee.vrf_pubkey(victim) == pubkey
    protocol.assert_money_invariant()
