"""Hostile inputs for the verifiers: points off the subgroup and bit-flipped encodings."""

from __future__ import annotations

from py_ecc.bls.hash_to_curve import map_to_curve_G1, map_to_curve_G2
from py_ecc.optimized_bls12_381 import FQ, FQ2, normalize

from wekacoin_offchain.crypto.eip2537 import encode_fp


def non_subgroup_g1() -> bytes:
    """A point on the G1 curve outside the prime-order subgroup (SSWU map without cofactor clearing)."""
    x, y = normalize(map_to_curve_G1(FQ(7)))
    return encode_fp(int(x)) + encode_fp(int(y))


def non_subgroup_g2() -> bytes:
    """A point on the G2 curve outside the prime-order subgroup."""
    x, y = normalize(map_to_curve_G2(FQ2([7, 11])))
    return b"".join(encode_fp(int(c)) for c in (*x.coeffs, *y.coeffs))


def with_bit_flipped(data: bytes, position: int) -> bytes:
    return data[:position] + bytes([data[position] ^ 1]) + data[position + 1 :]
