"""Opening a round and sitting on its committee: the task rule, the seed, the weight
snapshot, VRF sortition, proposal commitments and reveals, and conflicts of interest
(docs/protocol.md §7, §9.1, §9.2 and §13.1). These rounds weigh by bonds (no storage is certified);
tests/contracts/test_storage_weights.py covers storage weights and challenges."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from tests.fixtures.actors import RANKING_CID, Protocol, Validator, proposal_commitment, proposal_salt
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.crypto import expected_committee_size_bps, is_selected, quorum, vrf_prove

BLOCKHASH_PROBE = """
@external
@view
def at(number: uint256) -> bytes32:
    return blockhash(number)
"""


@dataclass
class Scene:
    supplier: str
    trainers: list[str]
    task_id: int
    validators: list[Validator]


def build_scene(protocol: Protocol, validator_labels: range) -> Scene:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(2)]
    task_id, _ = protocol.ready_task(supplier, trainers, models=2)
    validators = [protocol.register_validator(label) for label in validator_labels]
    return Scene(supplier, trainers, task_id, validators)


@pytest.fixture(scope="module")
def scene(protocol: Protocol) -> Iterator[Scene]:
    """A task ready for a round and three validators with the minimum bond."""
    with boa.env.anchor():
        yield build_scene(protocol, range(3))


def open_round(protocol: Protocol) -> int:
    """Open a round and mine until its seed is drawn."""
    round_id = int(protocol.pol.open_round())
    protocol.draw_seed(round_id)
    return round_id


def test_open_round_needs_a_task_past_its_reveal_window(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    with boa.reverts("rounds: no task is ready"):
        protocol.pol.open_round()
    task_id = protocol.publish(supplier)
    protocol.commit(trainers[0], task_id, 1)
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    protocol.mine(protocol.params.reveal_window - 1)
    with boa.reverts("rounds: no task is ready"):
        protocol.pol.open_round()
    protocol.mine(1)
    round_id = open_round(protocol)
    assert protocol.committee.round(round_id).task_id == task_id


def test_open_round_picks_the_most_commitments_then_the_lowest_id(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    tasks = [protocol.publish(supplier) for _ in range(3)]
    for position, (task_id, models) in enumerate(zip(tasks, (1, 2, 2), strict=True)):
        for n in range(models):
            protocol.commit(trainers[n], task_id, 10 * position + n)
    protocol.mine_to(protocol.task(tasks[0]).release_height)
    for task_id in tasks:
        protocol.release(supplier, task_id)
    protocol.mine(protocol.params.reveal_window)
    assert protocol.committee.round(open_round(protocol)).task_id == tasks[1]


def test_round_opening_fixes_seed_weights_and_quorum(protocol: Protocol, scene: Scene) -> None:
    probe = boa.loads(BLOCKHASH_PROBE)
    opened_at = boa.env.evm.patch.block_number
    round_id = int(protocol.pol.open_round())
    # The seed is the hash of the block after the opening one: unknown when opening.
    with boa.reverts("rounds: seed not drawn yet"):
        protocol.committee.seed(round_id)
    protocol.mine(1)
    with boa.reverts("rounds: seed not drawn yet"):
        protocol.committee.seed(round_id)
    protocol.mine(1)
    round_ = protocol.committee.round(round_id)
    expected_seed = keccak(
        encode(["bytes32", "bytes32", "bytes32", "uint256"], [b"\0" * 32, b"\0" * 32, probe.at(opened_at + 1), 1])
    )
    assert (round_id, round_.attempt, round_.opened_at, round_.seed) == (1, 1, opened_at, b"\0" * 32)
    assert protocol.committee.seed(round_id) == expected_seed
    cap = protocol.params.min_bond * protocol.params.bytes_per_wkc // WEI_PER_WKC
    assert not round_.by_storage, "no storage is certified: weights come from bonds"
    assert round_.total_weight == 3 * cap
    weights = [cap] * 3
    assert round_.expected_size_bps == expected_committee_size_bps(weights, protocol.params.committee_size) == 30_000
    assert round_.quorum == quorum(30_000, protocol.params.quorum_bps) == 3
    assert protocol.committee.active_round() == round_id
    with boa.reverts("rounds: a round is active"):
        protocol.pol.open_round()


def test_the_snapshot_ignores_top_ups_and_exits_after_opening(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    cap = protocol.params.min_bond * protocol.params.bytes_per_wkc // WEI_PER_WKC
    first, second = scene.validators[0], scene.validators[1]
    with boa.env.prank(first.address):
        protocol.pol.top_up_bond(protocol.params.min_bond)
    with boa.env.prank(second.address):
        protocol.pol.request_exit()
    assert protocol.committee.weight_in_round(first.address, round_id) == cap
    assert protocol.committee.weight_in_round(second.address, round_id) == cap
    assert protocol.committee.total_weight_in_round(round_id) == 3 * cap
    assert protocol.committee.weight_in_round(first.address, round_id + 1) == 2 * cap
    assert protocol.committee.weight_in_round(second.address, round_id + 1) == 0
    assert protocol.committee.total_weight_in_round(round_id + 1) == 3 * cap
    assert protocol.committee.round(round_id).total_weight == 3 * cap
    # The exiting validator still sits in the round it was weighed in.
    assert protocol.propose(second, round_id)


def test_a_member_commits_once_and_extends_the_committee_hash(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator = scene.validators[0]
    chunk, path = protocol.storage_answer(validator, round_id)
    assert (chunk, path) == (b"", []), "no claim: nothing to answer for in a round weighed by bonds"
    proof = protocol.vrf_proof(validator, round_id)
    assert protocol.committee.is_member(round_id, validator.address, proof, chunk, path)
    assert protocol.propose(validator, round_id, ranking_hash=b"\x22" * 32)
    commitment = proposal_commitment(
        b"\x22" * 32, RANKING_CID, validator.address, proposal_salt(validator.address, 1, 1)
    )
    vrf_output = keccak(proof)
    expected = keccak(
        encode(["bytes32", "address", "bytes32", "bytes32"], [b"\0" * 32, validator.address, vrf_output, commitment])
    )
    assert protocol.committee.round(round_id).committee_hash == expected
    assert protocol.committee.proposal(round_id, 1, validator.address) == commitment
    assert protocol.committee.round(round_id).seed == protocol.committee.seed(round_id), "drawn by the first proposal"
    with boa.reverts("rounds: already proposed"):
        protocol.propose(validator, round_id)


def test_a_proposal_is_revealed_after_the_propose_window(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    member, outsider = scene.validators[0], scene.validators[1]
    assert protocol.propose(member, round_id, ranking_hash=b"\x22" * 32)
    with boa.reverts("rounds: reveal window not open yet"):
        protocol.reveal_proposal(member, round_id, ranking_hash=b"\x22" * 32)
    protocol.to_reveal_window(round_id)
    with boa.reverts("rounds: not a member of this attempt"):
        protocol.reveal_proposal(outsider, round_id, ranking_hash=b"\x22" * 32)
    with boa.reverts("rounds: reveal does not match the commitment"):
        protocol.reveal_proposal(member, round_id, ranking_hash=b"\x23" * 32)
    with boa.reverts("rounds: empty ranking hash"), boa.env.prank(member.address):
        protocol.pol.reveal_proposal(round_id, b"\0" * 32, RANKING_CID, b"\0" * 32)
    with boa.reverts("cid: empty CID"), boa.env.prank(member.address):
        protocol.pol.reveal_proposal(round_id, b"\x22" * 32, "", b"\0" * 32)
    protocol.reveal_proposal(member, round_id, ranking_hash=b"\x22" * 32)
    assert protocol.committee.ranking_of(round_id, 1, member.address) == b"\x22" * 32
    with boa.reverts("rounds: already revealed"):
        protocol.reveal_proposal(member, round_id, ranking_hash=b"\x22" * 32)
    protocol.to_vote_window(round_id)
    with boa.reverts("rounds: reveal window closed"):
        protocol.reveal_proposal(member, round_id, ranking_hash=b"\x22" * 32)


def test_propose_revert_reasons(protocol: Protocol, scene: Scene) -> None:
    validator = scene.validators[0]
    with boa.reverts("rounds: round not active"):
        protocol.propose(validator, 1, vrf_proof=b"\x01" * 128, answer=(b"", []), commitment=b"\x01" * 32)
    round_id = int(protocol.pol.open_round())
    with boa.reverts("rounds: seed not drawn yet"):
        protocol.propose(validator, round_id, vrf_proof=b"\x01" * 128, answer=(b"", []), commitment=b"\x01" * 32)
    protocol.draw_seed(round_id)
    with boa.reverts("rounds: empty commitment"):
        protocol.propose(validator, round_id, commitment=b"\0" * 32)
    outsider = Validator(protocol.new_account(), validator.key)
    with boa.reverts("rounds: not a validator"):
        protocol.propose(outsider, round_id, vrf_proof=protocol.vrf_proof(validator, round_id), answer=(b"", []))
    protocol.mine(protocol.params.propose_window)
    with boa.reverts("rounds: propose window closed"):
        protocol.propose(validator, round_id)


def test_forged_and_replayed_vrf_proofs_are_refused(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator, other = scene.validators[0], scene.validators[1]
    seed = protocol.committee.seed(round_id)
    chain_id = boa.env.evm.patch.chain_id
    answer = protocol.storage_answer(validator, round_id)
    forgeries = {
        "another attempt": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id, 2, seed).proof,
        "another round": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id + 1, 1, seed).proof,
        "another seed": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id, 1, b"\x01" * 32).proof,
        "another contract": vrf_prove(validator.key, chain_id, protocol.committee.address, round_id, 1, seed).proof,
        "another key": protocol.vrf_proof(other, round_id),
    }
    for proof in forgeries.values():
        with boa.reverts("bls: invalid VRF proof"):
            protocol.propose(validator, round_id, vrf_proof=proof, answer=answer)


def test_the_supplier_and_trainers_of_the_task_never_sit(protocol: Protocol, scene: Scene) -> None:
    supplier_validator = protocol.register_validator(20, account=scene.supplier)
    trainer_validator = protocol.register_validator(21, account=scene.trainers[1])
    protocol.mine(1)
    round_id = open_round(protocol)
    with boa.reverts("rounds: the task's supplier may not sit"):
        protocol.propose(supplier_validator, round_id)
    with boa.reverts("rounds: a trainer of the task may not sit"):
        protocol.propose(trainer_validator, round_id)


def test_a_validator_not_drawn_is_refused() -> None:
    # tau = 1 and four equal weights: each validator sits with probability 1/4.
    with boa.env.anchor():
        holder = boa.env.generate_address()
        protocol = Protocol(deployment=deploy_on_boa(holder, holder=holder, committee_size=1), holder=holder)
        scene = build_scene(protocol, range(30, 34))
        round_id = open_round(protocol)
        round_ = protocol.committee.round(round_id)
        cap = protocol.params.min_bond * protocol.params.bytes_per_wkc // WEI_PER_WKC
        drawn = {
            validator.address: is_selected(keccak(protocol.vrf_proof(validator, round_id)), cap, round_.total_weight, 1)
            for validator in scene.validators
        }
        assert not all(drawn.values()), "this seed draws everyone; pick other labels"
        for validator in scene.validators:
            if drawn[validator.address]:
                assert protocol.propose(validator, round_id)
            else:
                with boa.reverts("rounds: not selected"):
                    protocol.propose(validator, round_id)


def test_a_member_keeps_its_bond_until_the_exit_delay_after_its_vote_window(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator = scene.validators[0]
    assert protocol.propose(validator, round_id)
    vote_window_end = protocol.committee.round(round_id).opened_at + protocol.attempt_blocks
    assert protocol.committee.validator(validator.address).bonded_until == vote_window_end
    with boa.env.prank(validator.address):
        protocol.pol.request_exit()
        # Evidence of an equivocation can arrive until `exit_delay` after the vote window.
        protocol.mine_to(vote_window_end + protocol.params.exit_delay - 1)
        with boa.reverts("validators: exit delay not over"):
            protocol.pol.withdraw_bond()
        protocol.mine(1)
        protocol.pol.withdraw_bond()
    protocol.assert_money_invariant()
