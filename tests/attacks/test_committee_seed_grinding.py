"""Attack 4 of issue 10: grinding the round seed.

The attack: the seed of an attempt was keccak256(previous seed, previous round hash,
blockhash(block.number - 1), attempt), all known one block ahead, and anyone chooses
the block by calling `open_round` or `restart_round`. A coalition computes its VRF
outputs for the next block's seed every block and opens (or restarts) only when it
alone meets the quorum: with a third of the weight among 9 equal validators and
tau 3, one block in 27 on average, at the cost of waiting.

Now the seed is drawn from the hash of the block after the opening one (docs/protocol.md
§7.4): when the opener decides, that block does not exist, so no one can compute the
seed or any VRF output, and the attempt becomes proposable only once the block exists.
If nobody draws the seed within the 256 blocks the EVM keeps hashes for, the attempt
runs out and is restarted, with a fresh seed block.
"""

from __future__ import annotations

import boa
import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from tests.fixtures.actors import Protocol

# Every test starts from its module's deployment (tests/attacks/conftest.py).
pytestmark = pytest.mark.usefixtures("rollback")

BLOCKHASH_PROBE = """
@external
@view
def at(number: uint256) -> bytes32:
    return blockhash(number)
"""


def ready(protocol: Protocol) -> list:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(2)]
    protocol.ready_task(supplier, trainers, models=1)
    members = [protocol.new_member(label) for label in range(740, 743)]
    protocol.mine(1)
    return members


def test_the_opener_cannot_know_the_seed(protocol: Protocol) -> None:
    coalition, _ = ready(protocol)[0]
    probe = boa.loads(BLOCKHASH_PROBE)
    opened_at = boa.env.evm.patch.block_number
    round_id = int(protocol.pol.open_round())

    # In the opening block and the next, there is no seed: no VRF output, no proposal.
    for _ in range(2):
        with boa.reverts("rounds: seed not drawn yet"):
            protocol.committee.seed(round_id)
        with boa.reverts("rounds: seed not drawn yet"):
            protocol.committee.challenge(round_id, coalition.address)
        with boa.reverts("rounds: seed not drawn yet"):
            protocol.propose(coalition, round_id, vrf_proof=b"\x01" * 128, answer=(b"", []), commitment=b"\x01" * 32)
        protocol.mine(1)

    # The seed hashes the block after the opening one. (titanoboa's py-evm knows only
    # the latest block's hash and returns zero for older ones; on a real node every
    # hash differs, which is what the rule relies on.)
    seed = protocol.committee.seed(round_id)
    assert seed == keccak(
        encode(["bytes32", "bytes32", "bytes32", "uint256"], [b"\0" * 32, b"\0" * 32, probe.at(opened_at + 1), 1])
    )
    assert protocol.propose(coalition, round_id)


def test_an_undrawn_seed_expires_and_the_round_restarts_with_a_new_one(protocol: Protocol) -> None:
    ready(protocol)
    round_id = int(protocol.pol.open_round())
    opened_at = protocol.committee.round(round_id).opened_at
    protocol.mine_to(opened_at + 1 + 256 + 1)
    with boa.reverts("rounds: seed block too old, restart the round"):
        protocol.committee.seed(round_id)
    protocol.pol.restart_round(round_id)
    round_ = protocol.committee.round(round_id)
    assert (round_.attempt, round_.opened_at) == (2, boa.env.evm.patch.block_number)
    with boa.reverts("rounds: seed not drawn yet"):
        protocol.committee.seed(round_id)
    assert protocol.draw_seed(round_id) != b"\0" * 32
