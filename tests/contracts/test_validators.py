"""Validators: registration with a proof of possession, bonds, exit, stored objects,
storage claims and the weights they give (docs/protocol.md §7.1 to §7.5)."""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from tests.fixtures.actors import (
    BASELINE_CID,
    HOSTING_FEE,
    REWARD,
    TEST_CID,
    TRAIN_CID,
    Protocol,
    Validator,
    data_cid,
    model_cid,
    object_bytes,
    validator_key,
)
from tests.fixtures.boa_chain import deploy_on_boa
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.crypto import prove_possession, public_key_bytes

MIB = 1 << 20


@pytest.fixture(scope="module")
def registered(protocol: Protocol) -> Iterator[list[Validator]]:
    """Two validators registered once for the module (each registration runs a pairing)."""
    with boa.env.anchor():
        yield [protocol.register_validator(label) for label in range(2)]


def test_registration_bonds_through_the_ledger(protocol: Protocol) -> None:
    bonded_before = protocol.pol.bonded()
    validator = protocol.register_validator(10, bond=150 * WEI_PER_WKC)
    record = protocol.committee.validator(validator.address)
    assert (record.status, record.bond) == (1, 150 * WEI_PER_WKC)
    assert protocol.committee.vrf_pubkey(validator.address) == validator.pubkey
    assert protocol.pol.bonded() == bonded_before + 150 * WEI_PER_WKC
    assert validator.address in protocol.committee.validator_ids()
    protocol.assert_money_invariant()


def test_registration_rejects_a_bond_below_the_minimum(protocol: Protocol) -> None:
    with boa.reverts("validators: bond below minimum"):
        protocol.register_validator(11, bond=protocol.params.min_bond - 1)


def test_registration_rejects_a_key_without_its_secret(protocol: Protocol, registered: list[Validator]) -> None:
    # Someone copies a registered validator's key and signs a "proof" with their own secret.
    attacker = protocol.new_account()
    victim_key = validator_key(12)
    forged = prove_possession(validator_key(13), attacker)
    with boa.env.prank(attacker), boa.reverts("validators: invalid proof of possession"):
        protocol.pol.register_validator(public_key_bytes(victim_key), forged, protocol.params.min_bond)


def test_registration_rejects_a_reused_key_a_second_registration_and_a_short_key(
    protocol: Protocol, registered: list[Validator]
) -> None:
    first = registered[0]
    other = protocol.new_account()
    with boa.env.prank(other), boa.reverts("validators: key already registered"):
        protocol.pol.register_validator(first.pubkey, prove_possession(first.key, other), protocol.params.min_bond)
    with boa.env.prank(first.address), boa.reverts("validators: already registered"):
        protocol.pol.register_validator(
            public_key_bytes(validator_key(14)),
            prove_possession(validator_key(14), first.address),
            protocol.params.min_bond,
        )
    with boa.env.prank(other), boa.reverts("validators: key must be 256 bytes"):
        protocol.pol.register_validator(
            first.pubkey[:255], prove_possession(first.key, other), protocol.params.min_bond
        )


def test_registration_rejects_an_unfunded_validator(protocol: Protocol) -> None:
    broke = boa.env.generate_address()
    key = validator_key(15)
    with boa.env.prank(broke), boa.reverts("ledger: balance too low"):
        protocol.pol.register_validator(public_key_bytes(key), prove_possession(key, broke), protocol.params.min_bond)


def test_registration_needs_the_bond_approved(protocol: Protocol) -> None:
    unapproving = protocol.new_account(approve=False)
    key = validator_key(16)
    with boa.env.prank(unapproving), boa.reverts("ledger: transfer not approved"):
        protocol.pol.register_validator(
            public_key_bytes(key), prove_possession(key, unapproving), protocol.params.min_bond
        )


def test_only_proof_of_learning_writes_the_committee(protocol: Protocol, registered: list[Validator]) -> None:
    with boa.reverts("committee: caller is not ProofOfLearning"):
        protocol.committee.request_exit(registered[0].address)
    with boa.reverts("committee: caller is not ProofOfLearning"):
        protocol.committee.open_round(1, registered[0].address)


def test_objects_are_the_data_the_task_knows_the_caller_for(
    protocol: Protocol, supplier: str, trainers: list[str]
) -> None:
    task_id = protocol.publish(supplier)
    model_id = protocol.commit(trainers[0], task_id, 0)
    for cid in (TRAIN_CID, BASELINE_CID):
        with boa.env.prank(trainers[0]), boa.reverts("objects: CID not published by the caller in the task"):
            protocol.pol.register_object(task_id, cid, 10, b"\x01" * 32)
        protocol.register_object(supplier, task_id, cid, object_bytes(1))
    with boa.env.prank(supplier), boa.reverts("objects: CID not published by the caller in the task"):
        protocol.pol.register_object(task_id, TEST_CID, 10, b"\x01" * 32)  # not released yet
    protocol.mine_to(protocol.task(task_id).release_height)
    protocol.release(supplier, task_id)
    protocol.register_object(supplier, task_id, TEST_CID, object_bytes(1))
    with boa.env.prank(supplier), boa.reverts("objects: CID not published by the caller in the task"):
        protocol.pol.register_object(task_id, model_cid(0), 10, b"\x01" * 32)
    protocol.reveal(trainers[0], model_id, 0)
    object_id = protocol.register_object(trainers[0], task_id, model_cid(0), object_bytes(2))
    stored = protocol.pol.stored_object(object_id)
    assert (stored.size, stored.registrant, stored.task_id, stored.state) == (3_000, trainers[0], task_id, 1)
    assert stored.deposit == protocol.params.object_deposit
    assert protocol.pol.object_count() == 4
    assert protocol.pol.task_object_count(task_id) == 4
    assert protocol.pol.escrowed() == REWARD + HOSTING_FEE + protocol.params.participation_fee + 4 * stored.deposit
    protocol.mine(protocol.params.reveal_window)
    with boa.env.prank(supplier), boa.reverts("objects: the task takes no more objects"):
        protocol.pol.register_object(task_id, BASELINE_CID, 10, b"\x01" * 32)
    protocol.assert_money_invariant()


def test_register_object_revert_reasons(protocol: Protocol, supplier: str) -> None:
    with boa.env.prank(supplier), boa.reverts("tasks: unknown task"):
        protocol.pol.register_object(1, data_cid(1), 10, b"\x01" * 32)
    task_id = protocol.publish(supplier, train_cid=data_cid(1))
    with boa.env.prank(supplier):
        with boa.reverts("objects: size out of range"):
            protocol.pol.register_object(task_id, data_cid(1), 0, b"\x01" * 32)
        with boa.reverts("objects: size out of range"):
            protocol.pol.register_object(task_id, data_cid(1), 1_024 * 2**32 + 1, b"\x01" * 32)
        with boa.reverts("objects: empty Merkle root"):
            protocol.pol.register_object(task_id, data_cid(1), 10, b"\x00" * 32)
        with boa.reverts("cid: empty CID"):
            protocol.pol.register_object(task_id, "", 10, b"\x01" * 32)
    protocol.register_object(supplier, task_id, data_cid(1), object_bytes(1))
    with boa.env.prank(supplier), boa.reverts("objects: CID already registered in the task"):
        protocol.pol.register_object(task_id, data_cid(1), 10, b"\x01" * 32)
    poor = protocol.new_account(amount=0)
    poor_task = protocol.publish(supplier, train_cid=data_cid(2))
    with boa.env.prank(poor), boa.reverts("objects: CID not published by the caller in the task"):
        protocol.pol.register_object(poor_task, data_cid(2), 10, b"\x01" * 32)


def test_only_certified_objects_are_claimed(protocol: Protocol, supplier: str, registered: list[Validator]) -> None:
    task_id = protocol.publish(supplier, train_cid=data_cid(2))
    object_id = protocol.register_object(supplier, task_id, data_cid(2), object_bytes(3))
    with boa.env.prank(registered[0].address):
        with boa.reverts("objects: object not certified"):
            protocol.pol.claim_storage(object_id)
        with boa.reverts("objects: unknown object"):
            protocol.pol.claim_storage(object_id + 1)


def test_a_full_set_admits_a_larger_bond_by_evicting_the_smallest() -> None:
    with boa.env.anchor():
        holder = boa.env.generate_address()
        protocol = Protocol(deployment=deploy_on_boa(holder, holder=holder, max_validators=2), holder=holder)
        small = protocol.register_validator(40, bond=100 * WEI_PER_WKC)
        large = protocol.register_validator(41, bond=150 * WEI_PER_WKC)
        with boa.reverts("validators: set full and bond not above the smallest"):
            protocol.register_validator(42, bond=100 * WEI_PER_WKC)
        newcomer = protocol.register_validator(43, bond=101 * WEI_PER_WKC)
        assert sorted(protocol.committee.validator_ids()) == sorted([large.address, newcomer.address])
        evicted = protocol.committee.validator(small.address)
        assert evicted.status == 2  # EXITING: its bond comes back after the exit delay
        protocol.mine(protocol.params.exit_delay)
        with boa.env.prank(small.address):
            protocol.pol.withdraw_bond()
        assert protocol.pol.owed(small.address) == 100 * WEI_PER_WKC
        protocol.assert_money_invariant()


def test_exit_waits_for_the_delay_and_credits_the_bond(protocol: Protocol, registered: list[Validator]) -> None:
    validator = registered[0]
    with boa.env.prank(validator.address):
        with boa.reverts("validators: no exit requested"):
            protocol.pol.withdraw_bond()
        protocol.pol.request_exit()
        with boa.reverts("validators: not an active validator"):
            protocol.pol.request_exit()
        with boa.reverts("validators: not an active validator"):
            protocol.pol.top_up_bond(1)
        protocol.mine(protocol.params.exit_delay - 1)
        with boa.reverts("validators: exit delay not over"):
            protocol.pol.withdraw_bond()
        protocol.mine(1)
        bonded_before = protocol.pol.bonded()
        protocol.pol.withdraw_bond()
        assert protocol.pol.bonded() == bonded_before - protocol.params.min_bond
        assert protocol.pol.owed(validator.address) == protocol.params.min_bond
        protocol.assert_money_invariant()
        assert protocol.pol.withdraw() == protocol.params.min_bond
        with boa.reverts("validators: no exit requested"):
            protocol.pol.withdraw_bond()
    assert validator.address not in protocol.committee.validator_ids()
    assert protocol.committee.validator(validator.address).status == 3
    protocol.assert_money_invariant()
