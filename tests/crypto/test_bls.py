"""BLS signatures off chain: the arkworks backend against the py_ecc reference, encodings, PoP."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.crypto.conftest import deterministic_key
from tests.crypto.points import non_subgroup_g1, non_subgroup_g2, with_bit_flipped
from wekacoin_offchain.crypto import (
    POSSESSION_DST,
    SIGNATURE_DST,
    InvalidEncoding,
    SecretKey,
    bls,
    bls_reference,
    prove_possession,
    public_key_bytes,
    sign,
    verify,
    verify_possession,
)
from wekacoin_offchain.crypto.eip2537 import FIELD_MODULUS, decode_fp, decode_g1, encode_fp
from wekacoin_offchain.errors import UserError

MESSAGES = [b"", b"abc", bytes(range(256)) * 2]


@pytest.mark.parametrize("label", range(4))
def test_arkworks_and_py_ecc_agree_on_keys_and_signatures(label: int) -> None:
    key = deterministic_key(label)
    assert bls.public_key_bytes(key) == bls_reference.public_key_bytes(key)
    for message in MESSAGES:
        assert bls.sign(key, message) == bls_reference.sign(key, message)
    account = "0x" + "ab" * 20
    assert bls.prove_possession(key, account) == bls_reference.sign(
        key, bls.public_key_bytes(key) + bytes.fromhex("ab" * 20), POSSESSION_DST
    )


@pytest.mark.parametrize("label", range(2))
def test_arkworks_and_py_ecc_agree_on_verdicts(label: int) -> None:
    key, other = deterministic_key(label), deterministic_key(label + 100)
    public_key, signature = public_key_bytes(key), sign(key, b"round 7")
    cases = [
        (public_key, b"round 7", signature, SIGNATURE_DST, True),
        (public_key, b"round 8", signature, SIGNATURE_DST, False),
        (public_key_bytes(other), b"round 7", signature, SIGNATURE_DST, False),
        (public_key, b"round 7", signature, POSSESSION_DST, False),
    ]
    for case_key, message, case_signature, dst, expected in cases:
        assert bls.verify(case_key, message, case_signature, dst) is expected
        assert bls_reference.verify(case_key, message, case_signature, dst) is expected


def drafts_keygen(seed: bytes) -> int:
    """KeyGen of draft-irtf-cfrg-bls-signature-05 section 2.3, written from the draft with hmac."""
    order = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
    salt, secret = b"BLS-SIG-KEYGEN-SALT-", 0
    length = 48  # ceil((3 * ceil(log2(r))) / 16)
    while secret == 0:
        salt = hashlib.sha256(salt).digest()
        pseudo_random_key = hmac.new(salt, seed + b"\x00", hashlib.sha256).digest()
        output, block, counter = b"", b"", 1
        while len(output) < length:  # HKDF-Expand (RFC 5869) with info = I2OSP(L, 2)
            block = hmac.new(
                pseudo_random_key, block + length.to_bytes(2, "big") + bytes([counter]), hashlib.sha256
            ).digest()
            output, counter = output + block, counter + 1
        secret = int.from_bytes(output[:length], "big") % order
    return secret


@pytest.mark.parametrize("label", range(3))
def test_keygen_follows_the_bls_draft(label: int) -> None:
    seed = hashlib.sha256(b"%d" % label).digest()
    assert SecretKey.from_seed(seed).scalar == drafts_keygen(seed)


def test_keygen_is_deterministic_and_needs_a_32_byte_seed() -> None:
    seed = hashlib.sha256(b"seed").digest()
    assert SecretKey.from_seed(seed) == SecretKey.from_seed(seed)
    assert SecretKey.from_seed(seed) != SecretKey.from_seed(bytes(32))
    assert repr(SecretKey.from_seed(seed)) == "SecretKey()"
    with pytest.raises(UserError, match="32 bytes"):
        SecretKey.from_seed(b"short")
    with pytest.raises(UserError):
        SecretKey(0)


def test_public_keys_and_signatures_have_the_eip_2537_sizes(keys: list[tuple[SecretKey, bytes]]) -> None:
    key, public_key = keys[0]
    signature = sign(key, b"m")
    assert len(public_key) == 256 and len(signature) == 128
    for word in (public_key[i : i + 64] for i in range(0, 256, 64)):
        assert word[:16] == bytes(16)
    decode_g1(signature)


def test_field_elements_must_be_canonical() -> None:
    assert decode_fp(encode_fp(FIELD_MODULUS - 1)) == FIELD_MODULUS - 1
    with pytest.raises(InvalidEncoding):
        decode_fp(FIELD_MODULUS.to_bytes(64, "big"))
    with pytest.raises(InvalidEncoding):
        decode_fp(b"\x01" + bytes(63))
    with pytest.raises(InvalidEncoding):
        encode_fp(FIELD_MODULUS)


def _malformed_signatures(signature: bytes) -> dict[str, bytes]:
    x = int.from_bytes(signature[16:64], "big")
    return {
        "infinity": bytes(128),
        "short": signature[:127],
        "long": signature + b"\x00",
        "padding": with_bit_flipped(signature, 0),
        "off curve": with_bit_flipped(signature, 127),
        "x plus p": (x + FIELD_MODULUS).to_bytes(64, "big") + signature[64:],
        "not in subgroup": non_subgroup_g1(),
    }


def test_malformed_signatures_and_keys_are_rejected(keys: list[tuple[SecretKey, bytes]]) -> None:
    key, public_key = keys[1]
    signature = sign(key, b"m")
    assert verify(public_key, b"m", signature)
    for name, bad_signature in _malformed_signatures(signature).items():
        assert not verify(public_key, b"m", bad_signature), name
    for name, bad_key in {
        "infinity": bytes(256),
        "short": public_key[:255],
        "off curve": with_bit_flipped(public_key, 255),
        "not in subgroup": non_subgroup_g2(),
    }.items():
        assert not verify(bad_key, b"m", signature), name
        assert not bls_reference.verify(bad_key, b"m", signature), name


def test_dst_must_be_1_to_255_bytes(keys: list[tuple[SecretKey, bytes]]) -> None:
    with pytest.raises(UserError):
        bls.hash_to_g1(b"m", b"")
    with pytest.raises(UserError):
        sign(keys[0][0], b"m", b"x" * 256)


VICTIM_ACCOUNT = "0x" + "11" * 20
ATTACKER_ACCOUNT = "0x" + "22" * 20


def test_proof_of_possession_binds_the_key_to_its_secret_and_account(keys: list[tuple[SecretKey, bytes]]) -> None:
    (victim, victim_key), (attacker, attacker_key) = keys[2], keys[3]
    proof = prove_possession(victim, VICTIM_ACCOUNT)
    assert verify_possession(victim_key, VICTIM_ACCOUNT, proof)
    assert not verify_possession(attacker_key, VICTIM_ACCOUNT, proof), "a PoP for another key"
    assert not verify_possession(victim_key, ATTACKER_ACCOUNT, proof), "a PoP seen and replayed by another account"
    message = victim_key + bytes.fromhex(VICTIM_ACCOUNT[2:])
    # Registering the victim's key with a PoP made by a different secret.
    assert not verify_possession(victim_key, VICTIM_ACCOUNT, sign(attacker, message, POSSESSION_DST))
    # An ordinary signature is not a PoP: the domain tags differ.
    assert not verify_possession(victim_key, VICTIM_ACCOUNT, sign(victim, message, SIGNATURE_DST))
    # The key alone, as before the account was bound, is not a PoP any more.
    assert not verify_possession(victim_key, VICTIM_ACCOUNT, sign(victim, victim_key, POSSESSION_DST))
    with pytest.raises(UserError):
        prove_possession(victim, b"short")
