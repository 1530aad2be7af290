"""Opening a round and sitting on its committee: the task rule, the seed, the weight
snapshot, VRF sortition, storage challenges and conflicts of interest
(docs/protocol.md §7, §9.1, §9.2 and §13.1)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boa
import pytest
from eth_abi import encode
from eth_hash.auto import keccak

from tests.fixtures.actors import TRAIN_CID, Protocol, Validator, object_bytes
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.crypto import chunk_proof, expected_committee_size_bps, is_selected, quorum, vrf_prove

BLOCKHASH_PROBE = """
@external
@view
def at(number: uint256) -> bytes32:
    return blockhash(number)
"""

TRAIN_DATA = object_bytes(1, 3_000)


@dataclass
class Scene:
    supplier: str
    trainers: list[str]
    task_id: int
    object_id: int
    validators: list[Validator]


def build_scene(protocol: Protocol, validator_labels: range) -> Scene:
    supplier = protocol.new_account()
    trainers = [protocol.new_account() for _ in range(2)]
    task_id, _ = protocol.ready_task(supplier, trainers, models=2)
    object_id = protocol.register_object(supplier, TRAIN_CID, TRAIN_DATA)
    validators = [protocol.register_validator(label) for label in validator_labels]
    for validator in validators:
        protocol.claim(validator, object_id, TRAIN_DATA)
    return Scene(supplier, trainers, task_id, object_id, validators)


@pytest.fixture(scope="module")
def scene(protocol: Protocol) -> Iterator[Scene]:
    """A task ready for a round and three validators storing its training set."""
    with boa.env.anchor():
        yield build_scene(protocol, range(3))


def open_round(protocol: Protocol) -> int:
    return int(protocol.pol.open_round())


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
    round_id = open_round(protocol)
    round_ = protocol.committee.round(round_id)
    expected_seed = keccak(
        encode(["bytes32", "bytes32", "bytes32", "uint256"], [b"\0" * 32, b"\0" * 32, probe.at(opened_at - 1), 1])
    )
    assert (round_id, round_.attempt, round_.opened_at, round_.seed) == (1, 1, opened_at, expected_seed)
    assert round_.total_weight == 3 * len(TRAIN_DATA)
    weights = [len(TRAIN_DATA)] * 3
    assert round_.expected_size_bps == expected_committee_size_bps(weights, protocol.params.committee_size) == 30_000
    assert round_.quorum == quorum(30_000, protocol.params.quorum_bps) == 3
    assert protocol.committee.active_round() == round_id
    with boa.reverts("rounds: a round is active"):
        protocol.pol.open_round()


def test_the_snapshot_ignores_claims_and_exits_after_opening(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    baseline_object = protocol.register_object(
        scene.supplier, "bafkreigl4xh567bbdcu4hv4o6hlij45pucesae2srbsetidkmui4733uu4", object_bytes(2, 5_000)
    )
    first, second = scene.validators[0], scene.validators[1]
    protocol.claim(first, baseline_object, object_bytes(2, 5_000))
    with boa.env.prank(second.address):
        protocol.pol.request_exit()
    assert protocol.committee.weight_in_round(first.address, round_id) == 3_000
    assert protocol.committee.weight_in_round(second.address, round_id) == 3_000
    assert protocol.committee.total_weight_in_round(round_id) == 9_000
    assert protocol.committee.weight_in_round(first.address, round_id + 1) == 8_000
    assert protocol.committee.weight_in_round(second.address, round_id + 1) == 0
    assert protocol.committee.total_weight_in_round(round_id + 1) == 11_000
    assert protocol.committee.round(round_id).total_weight == 9_000
    # The exiting validator still sits in the round it was weighed in.
    assert protocol.propose(second, round_id)


def test_a_member_proposes_once_and_extends_the_committee_hash(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator = scene.validators[0]
    chunk, path = protocol.storage_answer(validator, round_id)
    proof = protocol.vrf_proof(validator, round_id)
    assert protocol.committee.is_member(round_id, validator.address, proof, chunk, path)
    assert protocol.propose(validator, round_id, ranking_hash=b"\x22" * 32)
    vrf_output = keccak(proof)
    expected = keccak(
        encode(["bytes32", "address", "bytes32", "bytes32"], [b"\0" * 32, validator.address, vrf_output, b"\x22" * 32])
    )
    assert protocol.committee.round(round_id).committee_hash == expected
    assert protocol.committee.proposal(round_id, 1, validator.address) == b"\x22" * 32
    with boa.reverts("rounds: already proposed"):
        protocol.propose(validator, round_id)


def test_propose_revert_reasons(protocol: Protocol, scene: Scene) -> None:
    validator = scene.validators[0]
    with boa.reverts("rounds: round not active"):
        protocol.propose(validator, 1, vrf_proof=b"\x01" * 128, answer=(b"", []))
    round_id = open_round(protocol)
    with boa.reverts("rounds: empty ranking hash"):
        protocol.propose(validator, round_id, ranking_hash=b"\0" * 32)
    with boa.reverts("cid: empty CID"):
        protocol.propose(validator, round_id, ranking_cid="")
    outsider = Validator(protocol.new_account(), validator.key)
    with boa.reverts("rounds: not a validator"):
        protocol.propose(outsider, round_id, vrf_proof=protocol.vrf_proof(validator, round_id), answer=(b"", []))
    protocol.mine(protocol.params.propose_window)
    with boa.reverts("rounds: propose window closed"):
        protocol.propose(validator, round_id)


def test_forged_and_replayed_vrf_proofs_are_refused(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator, other = scene.validators[0], scene.validators[1]
    round_ = protocol.committee.round(round_id)
    chain_id = boa.env.evm.patch.chain_id
    answer = protocol.storage_answer(validator, round_id)
    forgeries = {
        "another attempt": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id, 2, round_.seed).proof,
        "another round": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id + 1, 1, round_.seed).proof,
        "another seed": vrf_prove(validator.key, chain_id, protocol.pol.address, round_id, 1, b"\x01" * 32).proof,
        "another contract": vrf_prove(
            validator.key, chain_id, protocol.committee.address, round_id, 1, round_.seed
        ).proof,
        "another key": protocol.vrf_proof(other, round_id),
    }
    for proof in forgeries.values():
        with boa.reverts("bls: invalid VRF proof"):
            protocol.propose(validator, round_id, vrf_proof=proof, answer=answer)


def test_a_failed_storage_answer_drops_the_claim_and_persists(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator = scene.validators[0]
    object_id, index = protocol.committee.challenge(round_id, validator.address)
    assert object_id == scene.object_id
    wrong = chunk_proof(TRAIN_DATA, (index + 1) % 3)  # a valid path, for another chunk
    assert not protocol.committee.is_member(
        round_id, validator.address, protocol.vrf_proof(validator, round_id), wrong.chunk, list(wrong.path)
    )
    assert not protocol.propose(validator, round_id, answer=(wrong.chunk, list(wrong.path)))
    assert protocol.committee.claim_slot(validator.address, object_id) == 0
    assert protocol.committee.claim(validator.address, 0).object_id == 0
    assert protocol.committee.proposal(round_id, 1, validator.address) == b"\0" * 32
    assert protocol.committee.weight_in_round(validator.address, round_id) == 3_000
    assert protocol.committee.weight_in_round(validator.address, round_id + 1) == 0
    # No live claim is left: the next answer cannot succeed either.
    assert protocol.committee.challenge(round_id, validator.address) == (0, 0)
    assert not protocol.propose(validator, round_id, answer=(b"", []))


def test_the_supplier_and_trainers_of_the_task_never_sit(protocol: Protocol, scene: Scene) -> None:
    supplier_validator = protocol.register_validator(20, account=scene.supplier)
    trainer_validator = protocol.register_validator(21, account=scene.trainers[1])
    for validator in (supplier_validator, trainer_validator):
        protocol.claim(validator, scene.object_id, TRAIN_DATA)
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
        drawn = {
            validator.address: is_selected(
                keccak(protocol.vrf_proof(validator, round_id)), 3_000, round_.total_weight, 1
            )
            for validator in scene.validators
        }
        assert not all(drawn.values()), "this seed draws everyone; pick other labels"
        for validator in scene.validators:
            if drawn[validator.address]:
                assert protocol.propose(validator, round_id)
            else:
                with boa.reverts("rounds: not selected"):
                    protocol.propose(validator, round_id)


def test_a_member_of_the_active_attempt_keeps_its_bond(protocol: Protocol, scene: Scene) -> None:
    round_id = open_round(protocol)
    validator = scene.validators[0]
    assert protocol.propose(validator, round_id)
    with boa.env.prank(validator.address):
        protocol.pol.request_exit()
        protocol.mine(protocol.params.propose_window + protocol.params.vote_window)
        with boa.reverts("rounds: member of the active round"):
            protocol.pol.withdraw_bond()
        protocol.pol.restart_round(round_id)
        protocol.pol.withdraw_bond()
    protocol.assert_money_invariant()
