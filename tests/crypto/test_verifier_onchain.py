"""BLSVerifier.vy against the Python verifiers: random cross-checks, forgeries, replays, VRF.

py-evm runs the PAIRING precompile in pure Python (about 0.7 s a check), so the large
random cross-check carries the ``slow`` marker; the rest stays small.
"""

from __future__ import annotations

import random
from typing import Any

import boa
import pytest

from tests.crypto.conftest import deterministic_key
from tests.crypto.points import non_subgroup_g1, non_subgroup_g2, with_bit_flipped
from wekacoin_offchain.crypto import (
    POSSESSION_DST,
    SIGNATURE_DST,
    SecretKey,
    bls_reference,
    hash_to_g1,
    possession_message,
    prove_possession,
    public_key_bytes,
    sign,
    verify,
    verify_possession,
    vrf_prove,
    vrf_verify,
)
from wekacoin_offchain.crypto.eip2537 import FIELD_MODULUS

CHAIN_ID = 31_337
CONTRACT = "0x" + "42" * 20
SEED = bytes.fromhex("5eed" * 16)
CROSS_CHECKS = 200
TAMPERINGS = ("valid", "tampered signature", "other message", "other key", "wrong DST")


def _cross_check_case(rng: random.Random, index: int) -> tuple[bytes, bytes, bytes, bytes, bool]:
    """Key, message, signature, DST and the expected verdict of random case ``index``."""
    key = SecretKey.from_seed(rng.randbytes(32))
    message = rng.randbytes(rng.randrange(0, 300))
    dst = SIGNATURE_DST if rng.random() < 0.5 else POSSESSION_DST
    public_key, signature = public_key_bytes(key), sign(key, message, dst)
    tampering = TAMPERINGS[index % len(TAMPERINGS)]
    if tampering == "tampered signature":
        return public_key, message, with_bit_flipped(signature, rng.randrange(16, 128)), dst, False
    if tampering == "other message":
        return public_key, message + b"\x00", signature, dst, False
    if tampering == "other key":
        return public_key_bytes(SecretKey.from_seed(rng.randbytes(32))), message, signature, dst, False
    if tampering == "wrong DST":
        return public_key, message, signature, POSSESSION_DST if dst == SIGNATURE_DST else SIGNATURE_DST, False
    return public_key, message, signature, dst, True


@pytest.mark.slow
def test_chain_and_python_agree_on_200_random_keys_and_messages(verifier: Any) -> None:
    rng = random.Random(2537)
    for index in range(CROSS_CHECKS):
        public_key, message, signature, dst, expected = _cross_check_case(rng, index)
        assert verifier.hash_to_g1(message, dst) == hash_to_g1(message, dst)
        assert verify(public_key, message, signature, dst) is expected, index
        assert verifier.verify(public_key, message, signature, dst) is expected, index


def test_py_ecc_reference_agrees_on_a_subset(verifier: Any) -> None:
    rng = random.Random(9380)
    for index in range(len(TAMPERINGS)):
        public_key, message, signature, dst, expected = _cross_check_case(rng, index)
        assert bls_reference.hash_to_g1(message, dst) == verifier.hash_to_g1(message, dst)
        assert bls_reference.verify(public_key, message, signature, dst) is expected


def test_malformed_or_infinite_points_are_refused(verifier: Any, keys: list[tuple[SecretKey, bytes]]) -> None:
    key, public_key = keys[0]
    signature = sign(key, b"m")
    x_plus_p = (int.from_bytes(signature[:64], "big") + FIELD_MODULUS).to_bytes(64, "big") + signature[64:]
    bad_pairs = {
        "infinity key": (bytes(256), signature),
        "infinity signature": (public_key, bytes(128)),
        "short key": (public_key[:192], signature),
        "short signature": (public_key, signature[:96]),
        "non-zero padding": (public_key, with_bit_flipped(signature, 3)),
        "non-canonical x (x + p)": (public_key, x_plus_p),
        "off-curve signature": (public_key, with_bit_flipped(signature, 127)),
        "non-subgroup signature": (public_key, non_subgroup_g1()),
        "non-subgroup key": (non_subgroup_g2(), signature),
    }
    for name, (bad_key, bad_signature) in bad_pairs.items():
        assert verifier.verify(bad_key, b"m", bad_signature, SIGNATURE_DST) is False, name
        assert verify(bad_key, b"m", bad_signature) is False, name


def test_an_empty_dst_reverts(verifier: Any) -> None:
    with boa.reverts("bls: empty DST"):
        verifier.hash_to_g1(b"m", b"")


def test_possession_on_chain(verifier: Any, keys: list[tuple[SecretKey, bytes]]) -> None:
    (victim, victim_key), (attacker, attacker_key) = keys[4], keys[5]
    victim_account, attacker_account = "0x" + "11" * 20, "0x" + "22" * 20
    proof = prove_possession(victim, victim_account)
    # The chain and Python agree on the message: key bytes, then the account's 20 bytes.
    assert verify_possession(victim_key, victim_account, proof)
    assert verifier.verify_possession(victim_key, victim_account, proof) is True
    assert verifier.verify_possession(attacker_key, victim_account, proof) is False, "PoP of another key"
    assert verifier.verify_possession(victim_key, attacker_account, proof) is False, "PoP replayed by another account"
    forged = sign(attacker, possession_message(victim_key, victim_account), POSSESSION_DST)
    assert verifier.verify_possession(victim_key, victim_account, forged) is False, "key registered without its secret"


def test_vrf_on_chain_matches_python(verifier: Any, keys: list[tuple[SecretKey, bytes]]) -> None:
    key, public_key = keys[6]
    proof, output = vrf_prove(key, CHAIN_ID, CONTRACT, 7, 0, SEED)
    assert vrf_verify(public_key, CHAIN_ID, CONTRACT, 7, 0, SEED, proof) == output
    assert verifier.vrf_verify(public_key, CHAIN_ID, CONTRACT, 7, 0, SEED, proof) == output


REPLAYS = {
    "another round": (CHAIN_ID, CONTRACT, 8, 0, SEED),
    "another attempt": (CHAIN_ID, CONTRACT, 7, 1, SEED),
    "another seed": (CHAIN_ID, CONTRACT, 7, 0, bytes(32)),
    "another contract": (CHAIN_ID, "0x" + "43" * 20, 7, 0, SEED),
    "another chain": (1, CONTRACT, 7, 0, SEED),
}


@pytest.mark.parametrize("replay", REPLAYS, ids=str)
def test_a_vrf_proof_does_not_replay(replay: str, verifier: Any, keys: list[tuple[SecretKey, bytes]]) -> None:
    key, public_key = keys[6]
    proof, _ = vrf_prove(key, CHAIN_ID, CONTRACT, 7, 0, SEED)
    assert vrf_verify(public_key, *REPLAYS[replay], proof) is None
    with boa.reverts("bls: invalid VRF proof"):
        verifier.vrf_verify(public_key, *REPLAYS[replay], proof)


def test_a_vrf_proof_under_another_key_is_refused(verifier: Any, keys: list[tuple[SecretKey, bytes]]) -> None:
    proof, _ = vrf_prove(keys[6][0], CHAIN_ID, CONTRACT, 7, 0, SEED)
    other_key = keys[7][1]
    assert vrf_verify(other_key, CHAIN_ID, CONTRACT, 7, 0, SEED, proof) is None
    with boa.reverts("bls: invalid VRF proof"):
        verifier.vrf_verify(other_key, CHAIN_ID, CONTRACT, 7, 0, SEED, proof)


def test_vrf_outputs_differ_between_validators_and_rounds() -> None:
    outputs = {
        vrf_prove(deterministic_key(label), CHAIN_ID, CONTRACT, round_id, 0, SEED).output
        for label in range(3)
        for round_id in range(3)
    }
    assert len(outputs) == 9
