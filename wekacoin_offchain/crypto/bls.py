"""BLS signatures, minimal-signature-size variant, as docs/protocol.md §7.6 fixes them.

Signatures live in G1 (128-byte EIP-2537 encoding), public keys in G2 (256 bytes), and
messages are hashed with RFC 9380 suite ``BLS12381G1_XMD:SHA-256_SSWU_RO_``. Two domain
tags of the proof-of-possession ciphersuite are used: ``SIGNATURE_DST`` for ordinary
signatures (the VRF) and ``POSSESSION_DST`` for proofs of possession, which sign the key's
own 256-byte encoding (the form the contract already holds).

The arithmetic runs on py-arkworks-bls12381 (Rust, over a hundred times faster than
py_ecc for a pairing check); ``bls_reference`` computes the same functions with py_ecc,
and the tests hold the two to byte equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from py_arkworks_bls12381 import GT, G1Point, G2Point, Scalar
from py_ecc.bls import G2ProofOfPossession
from py_ecc.optimized_bls12_381 import curve_order

from wekacoin_offchain.crypto.eip2537 import (
    InvalidEncoding,
    decode_g1,
    decode_g2,
    encode_g1,
    encode_g2,
)
from wekacoin_offchain.errors import UserError

SIGNATURE_DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"
POSSESSION_DST = b"BLS_POP_BLS12381G1_XMD:SHA-256_SSWU_RO_POP_"
SEED_LENGTH = 32
MAX_DST_LENGTH = 255  # RFC 9380 section 5.3.3: longer tags must be hashed first


@dataclass(frozen=True)
class SecretKey:
    """A BLS secret scalar in ``[1, r)``; ``repr`` never shows it."""

    scalar: int = field(repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.scalar < curve_order:
            raise UserError("a BLS secret key must lie in [1, r)")

    @classmethod
    def from_seed(cls, seed: bytes) -> SecretKey:
        """KeyGen of draft-irtf-cfrg-bls-signature-05 section 2.3 (HKDF-SHA256) on a 32-byte seed.

        KeyGen does not depend on the group the key lives in, so py_ecc's implementation
        (written for its G2-signature ciphersuites) is reused rather than re-derived.
        """
        if len(seed) != SEED_LENGTH:
            raise UserError(f"a BLS key seed must be {SEED_LENGTH} bytes, got {len(seed)}")
        return cls(G2ProofOfPossession.KeyGen(seed))

    def _arkworks_scalar(self) -> Scalar:
        return Scalar.from_be_bytes(self.scalar.to_bytes(32, "big"))


def _check_dst(dst: bytes) -> None:
    if not 0 < len(dst) <= MAX_DST_LENGTH:
        raise UserError(f"a domain separation tag must be 1 to {MAX_DST_LENGTH} bytes")


def _hash_point(message: bytes, dst: bytes) -> G1Point:
    _check_dst(dst)
    return G1Point.hash_to_curve(message, dst)


def hash_to_g1(message: bytes, dst: bytes) -> bytes:
    """RFC 9380 hash_to_curve (suite ``BLS12381G1_XMD:SHA-256_SSWU_RO_``), 128-byte encoding."""
    return encode_g1(_hash_point(message, dst))


def public_key_bytes(secret_key: SecretKey) -> bytes:
    """The public key ``sk * g2`` in its 256-byte EIP-2537 encoding."""
    return encode_g2(G2Point() * secret_key._arkworks_scalar())


def sign(secret_key: SecretKey, message: bytes, dst: bytes = SIGNATURE_DST) -> bytes:
    """The signature ``sk * H(message)`` in its 128-byte EIP-2537 encoding."""
    return encode_g1(_hash_point(message, dst) * secret_key._arkworks_scalar())


def verify(public_key: bytes, message: bytes, signature: bytes, dst: bytes = SIGNATURE_DST) -> bool:
    """Whether ``e(signature, -g2) * e(H(message), public_key) == 1``.

    False for any key or signature that is malformed, off the curve, outside the
    prime-order subgroup or the point at infinity: the same inputs the contract refuses.
    """
    try:
        key_point = decode_g2(public_key)
        signature_point = decode_g1(signature)
    except InvalidEncoding:
        return False
    return bool(GT.pairing_check([signature_point, _hash_point(message, dst)], [-G2Point(), key_point]))


def possession_message(public_key: bytes, account: str | bytes) -> bytes:
    """What a proof of possession signs: the key's 256-byte encoding, then the 20 bytes of
    the account that registers it (docs/protocol.md §7.1), so that nobody else can
    register the key with a proof they saw."""
    account_bytes = bytes.fromhex(account.removeprefix("0x")) if isinstance(account, str) else account
    if len(account_bytes) != 20:
        raise UserError(f"an account is 20 bytes, got {len(account_bytes)}")
    return public_key + account_bytes


def prove_possession(secret_key: SecretKey, account: str | bytes) -> bytes:
    """Proof of possession for ``account``: a signature under ``POSSESSION_DST`` over the
    key's own 256-byte encoding followed by the account's 20 bytes."""
    return sign(secret_key, possession_message(public_key_bytes(secret_key), account), POSSESSION_DST)


def verify_possession(public_key: bytes, account: str | bytes, proof: bytes) -> bool:
    """Whether ``proof`` shows that ``account`` holds the secret key behind ``public_key``."""
    return verify(public_key, possession_message(public_key, account), proof, POSSESSION_DST)
