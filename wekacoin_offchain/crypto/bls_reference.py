"""The BLS functions of ``bls`` computed again with py_ecc, the pure-Python reference.

Slow (a verification takes a fraction of a second) and independent of the Rust backend
that ``bls`` uses: the tests require both to produce the same bytes and verdicts, and an
auditor can check a signature here without trusting a compiled extension.
"""

from __future__ import annotations

import hashlib
from typing import Any

from py_ecc.bls.hash import expand_message_xmd as _py_ecc_expand_message_xmd
from py_ecc.bls.hash_to_curve import hash_to_field_FQ, hash_to_G1
from py_ecc.optimized_bls12_381 import (
    FQ,
    FQ2,
    FQ12,
    G2,
    b,
    b2,
    curve_order,
    final_exponentiate,
    is_inf,
    is_on_curve,
    multiply,
    neg,
    normalize,
    pairing,
)
from py_ecc.optimized_bls12_381.optimized_curve import Optimized_Point3D

from wekacoin_offchain.crypto.bls import SIGNATURE_DST, SecretKey
from wekacoin_offchain.crypto.eip2537 import (
    G1_LENGTH,
    G2_LENGTH,
    InvalidEncoding,
    decode_fp,
    encode_fp,
    is_infinity,
)

# py_ecc annotates its ``hash_function`` parameters as a hash object, but calls them as
# the constructor (its own ciphersuites pass ``hashlib.sha256``), so pass that untyped.
_SHA256: Any = hashlib.sha256

_G1Point = Optimized_Point3D[FQ]
_G2Point = Optimized_Point3D[FQ2]


def expand_message_xmd(message: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 section 5.3.1 with SHA-256."""
    return _py_ecc_expand_message_xmd(message, dst, length, _SHA256)


def hash_to_field(message: bytes, dst: bytes) -> tuple[int, int]:
    """RFC 9380 hash_to_field for BLS12-381 G1 with count 2: the ``u[0], u[1]`` the contract reduces."""
    first, second = hash_to_field_FQ(message, 2, dst, _SHA256)
    return int(first), int(second)


def _encode_g1(point: _G1Point) -> bytes:
    if is_inf(point):
        return bytes(G1_LENGTH)
    x, y = normalize(point)
    return encode_fp(int(x)) + encode_fp(int(y))


def _encode_g2(point: _G2Point) -> bytes:
    if is_inf(point):
        return bytes(G2_LENGTH)
    x, y = normalize(point)
    return b"".join(encode_fp(int(c)) for c in (*x.coeffs, *y.coeffs))


def _decode_g1(data: bytes) -> _G1Point:
    if len(data) != G1_LENGTH or is_infinity(data):
        raise InvalidEncoding("not a finite G1 point encoding")
    point = (FQ(decode_fp(data[:64])), FQ(decode_fp(data[64:])), FQ.one())
    if not is_on_curve(point, b) or not is_inf(multiply(point, curve_order)):
        raise InvalidEncoding("not a G1 subgroup point")
    return point


def _decode_g2(data: bytes) -> _G2Point:
    if len(data) != G2_LENGTH or is_infinity(data):
        raise InvalidEncoding("not a finite G2 point encoding")
    words = [decode_fp(data[i : i + 64]) for i in range(0, G2_LENGTH, 64)]
    point = (FQ2(words[0:2]), FQ2(words[2:4]), FQ2.one())
    if not is_on_curve(point, b2) or not is_inf(multiply(point, curve_order)):
        raise InvalidEncoding("not a G2 subgroup point")
    return point


def hash_to_g1(message: bytes, dst: bytes) -> bytes:
    """RFC 9380 hash_to_curve for G1, 128-byte EIP-2537 encoding."""
    return _encode_g1(hash_to_G1(message, dst, _SHA256))


def public_key_bytes(secret_key: SecretKey) -> bytes:
    """``sk * g2``, 256-byte EIP-2537 encoding."""
    return _encode_g2(multiply(G2, secret_key.scalar))


def sign(secret_key: SecretKey, message: bytes, dst: bytes = SIGNATURE_DST) -> bytes:
    """``sk * H(message)``, 128-byte EIP-2537 encoding."""
    return _encode_g1(multiply(hash_to_G1(message, dst, _SHA256), secret_key.scalar))


def verify(public_key: bytes, message: bytes, signature: bytes, dst: bytes = SIGNATURE_DST) -> bool:
    """``e(signature, -g2) * e(H(message), public_key) == 1``, rejecting bad points as ``bls.verify`` does."""
    try:
        key_point = _decode_g2(public_key)
        signature_point = _decode_g1(signature)
    except InvalidEncoding:
        return False
    message_point = hash_to_G1(message, dst, _SHA256)
    product = pairing(neg(G2), signature_point, final_exponentiate=False) * pairing(
        key_point, message_point, final_exponentiate=False
    )
    return bool(final_exponentiate(product) == FQ12.one())
