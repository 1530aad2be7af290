"""Validators: registration with a proof of possession, bonds, exit, stored objects,
storage claims and the weights they give (docs/protocol.md §7.1 to §7.5)."""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from tests.fixtures.actors import (
    BASELINE_CID,
    TEST_CID,
    TRAIN_CID,
    Protocol,
    Validator,
    data_cid,
    model_cid,
    object_bytes,
    validator_key,
)
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
    forged = prove_possession(validator_key(13))
    with boa.env.prank(attacker), boa.reverts("validators: invalid proof of possession"):
        protocol.pol.register_validator(public_key_bytes(victim_key), forged, protocol.params.min_bond)


def test_registration_rejects_a_reused_key_a_second_registration_and_a_short_key(
    protocol: Protocol, registered: list[Validator]
) -> None:
    first = registered[0]
    other = protocol.new_account()
    with boa.env.prank(other), boa.reverts("validators: key already registered"):
        protocol.pol.register_validator(first.pubkey, prove_possession(first.key), protocol.params.min_bond)
    with boa.env.prank(first.address), boa.reverts("validators: already registered"):
        protocol.pol.register_validator(
            public_key_bytes(validator_key(14)), prove_possession(validator_key(14)), protocol.params.min_bond
        )
    with boa.env.prank(other), boa.reverts("validators: key must be 256 bytes"):
        protocol.pol.register_validator(first.pubkey[:255], prove_possession(first.key), protocol.params.min_bond)


def test_registration_rejects_an_unfunded_validator(protocol: Protocol) -> None:
    broke = boa.env.generate_address()
    key = validator_key(15)
    with boa.env.prank(broke), boa.reverts("ledger: balance too low for bond"):
        protocol.pol.register_validator(public_key_bytes(key), prove_possession(key), protocol.params.min_bond)


def test_registration_needs_the_bond_approved(protocol: Protocol) -> None:
    unapproving = protocol.new_account(approve=False)
    key = validator_key(16)
    with boa.env.prank(unapproving), boa.reverts("ledger: bond not approved"):
        protocol.pol.register_validator(public_key_bytes(key), prove_possession(key), protocol.params.min_bond)


def test_only_proof_of_learning_writes_the_committee(protocol: Protocol, registered: list[Validator]) -> None:
    with boa.reverts("committee: caller is not ProofOfLearning"):
        protocol.committee.request_exit(registered[0].address)
    with boa.reverts("committee: caller is not ProofOfLearning"):
        protocol.committee.open_round(1, registered[0].address)


def test_objects_are_the_data_of_tasks_and_models(protocol: Protocol, supplier: str, trainers: list[str]) -> None:
    protocol.ready_task(supplier, trainers, models=1)
    for cid in (TRAIN_CID, BASELINE_CID, TEST_CID):
        with boa.env.prank(trainers[0]), boa.reverts("objects: CID not published by the caller"):
            protocol.pol.register_object(cid, 10, b"\x01" * 32)
        protocol.register_object(supplier, cid, object_bytes(1))
    with boa.env.prank(supplier), boa.reverts("objects: CID not published by the caller"):
        protocol.pol.register_object(model_cid(0), 10, b"\x01" * 32)
    object_id = protocol.register_object(trainers[0], model_cid(0), object_bytes(2))
    stored = protocol.pol.stored_object(object_id)
    assert (stored.size, stored.registrant) == (3_000, trainers[0])
    assert protocol.pol.object_count() == 4


def test_register_object_revert_reasons(protocol: Protocol, supplier: str) -> None:
    protocol.publish(supplier, train_cid=data_cid(1))
    with boa.env.prank(supplier):
        with boa.reverts("objects: size out of range"):
            protocol.pol.register_object(data_cid(1), 0, b"\x01" * 32)
        with boa.reverts("objects: size out of range"):
            protocol.pol.register_object(data_cid(1), 1_024 * 2**32 + 1, b"\x01" * 32)
        with boa.reverts("objects: empty Merkle root"):
            protocol.pol.register_object(data_cid(1), 10, b"\x00" * 32)
        with boa.reverts("cid: empty CID"):
            protocol.pol.register_object("", 10, b"\x01" * 32)
    protocol.register_object(supplier, data_cid(1), object_bytes(1))
    with boa.env.prank(supplier), boa.reverts("objects: CID already registered"):
        protocol.pol.register_object(data_cid(1), 10, b"\x01" * 32)


def test_claims_give_weight_from_the_next_round(protocol: Protocol, supplier: str, registered: list[Validator]) -> None:
    protocol.publish(supplier, train_cid=data_cid(2))
    object_id = protocol.register_object(supplier, data_cid(2), object_bytes(3))
    validator = registered[0]
    protocol.claim(validator, object_id, object_bytes(3))
    assert protocol.committee.weight_in_round(validator.address, 1) == 3_000
    assert protocol.committee.total_weight_in_round(1) == 3_000
    with boa.env.prank(validator.address):
        with boa.reverts("validators: object already claimed"):
            protocol.pol.claim_storage(object_id)
        with boa.reverts("objects: unknown object"):
            protocol.pol.claim_storage(object_id + 1)
    with boa.env.prank(supplier), boa.reverts("validators: not an active validator"):
        protocol.pol.claim_storage(object_id)


def test_weight_is_capped_by_the_bond(protocol: Protocol, supplier: str, registered: list[Validator]) -> None:
    validator = registered[1]
    protocol.publish(supplier, train_cid=data_cid(3))
    cap = protocol.params.min_bond * protocol.params.bytes_per_wkc // WEI_PER_WKC
    assert cap == 100 * MIB
    with boa.env.prank(supplier):
        object_id = protocol.pol.register_object(data_cid(3), 250 * MIB, b"\x01" * 32)
    with boa.env.prank(validator.address):
        protocol.pol.claim_storage(object_id)
    assert protocol.committee.weight_in_round(validator.address, 1) == cap
    with boa.env.prank(validator.address):
        protocol.pol.top_up_bond(100 * WEI_PER_WKC)
        with boa.reverts("validators: zero top-up"):
            protocol.pol.top_up_bond(0)
    assert protocol.committee.weight_in_round(validator.address, 1) == 2 * cap
    assert protocol.committee.validator(validator.address).bond == 200 * WEI_PER_WKC
    protocol.assert_money_invariant()


def test_claim_slots_are_bounded(
    protocol: Protocol, supplier: str, trainers: list[str], registered: list[Validator]
) -> None:
    validator = registered[0]
    slots = 64
    protocol.ready_task(supplier, trainers[:1], models=slots - 2)
    object_ids = [
        protocol.register_object(supplier, cid, object_bytes(0, 10)) for cid in (TRAIN_CID, BASELINE_CID, TEST_CID)
    ]
    object_ids += [protocol.register_object(trainers[0], model_cid(n), object_bytes(0, 10)) for n in range(slots - 2)]
    with boa.env.prank(validator.address):
        for object_id in object_ids[:slots]:
            protocol.pol.claim_storage(object_id)
        with boa.reverts("validators: claim slots used up"):
            protocol.pol.claim_storage(object_ids[slots])


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
