"""EIP-2537 byte encodings of BLS12-381 field elements and points.

The contracts hand points to the Prague precompiles in this encoding, so the Python side
speaks it too: a field element is 64 bytes (16 zero bytes, then the 48-byte big-endian
value, which must be below the modulus), a G1 point is ``x || y`` (128 bytes), a G2
point is ``x.c0 || x.c1 || y.c0 || y.c1`` (256 bytes), and the point at infinity is all
zeros. The precompiles reject any other form, so these decoders reject it as well: a
point has exactly one accepted encoding, which keeps ``keccak256(signature)`` unique.
"""

from __future__ import annotations

from py_arkworks_bls12381 import G1Point, G2Point
from py_ecc.optimized_bls12_381 import field_modulus

from wekacoin_offchain.errors import UserError

FIELD_MODULUS: int = field_modulus
FP_LENGTH = 64
G1_LENGTH = 2 * FP_LENGTH
G2_LENGTH = 4 * FP_LENGTH
_PADDING = bytes(FP_LENGTH - 48)


class InvalidEncoding(UserError):
    """Bytes that are not the EIP-2537 encoding of a valid point or field element."""


def encode_fp(value: int) -> bytes:
    """The 64-byte encoding of a field element given as an integer in ``[0, p)``."""
    if not 0 <= value < FIELD_MODULUS:
        raise InvalidEncoding("field element out of range [0, p)")
    return value.to_bytes(FP_LENGTH, "big")


def decode_fp(data: bytes) -> int:
    """The integer behind a 64-byte field element encoding, rejecting non-canonical forms."""
    if len(data) != FP_LENGTH:
        raise InvalidEncoding(f"a field element is {FP_LENGTH} bytes, got {len(data)}")
    if data[: len(_PADDING)] != _PADDING:
        raise InvalidEncoding("field element padding is not zero")
    value = int.from_bytes(data, "big")
    if value >= FIELD_MODULUS:
        raise InvalidEncoding("field element is not below the modulus")
    return value


def _strip_padding(data: bytes, expected_length: int, what: str) -> bytes:
    """The concatenated 48-byte big-endian coordinates, after checking every padding."""
    if len(data) != expected_length:
        raise InvalidEncoding(f"a {what} point is {expected_length} bytes, got {len(data)}")
    words = [data[i : i + FP_LENGTH] for i in range(0, expected_length, FP_LENGTH)]
    return b"".join(decode_fp(word).to_bytes(48, "big") for word in words)


def _add_padding(coordinates: bytes) -> bytes:
    return b"".join(_PADDING + coordinates[i : i + 48] for i in range(0, len(coordinates), 48))


def is_infinity(data: bytes) -> bool:
    """Whether ``data`` is the all-zero encoding of the point at infinity."""
    return not any(data)


def encode_g1(point: G1Point) -> bytes:
    """128-byte encoding of a G1 point (all zeros for infinity)."""
    return _add_padding(point.to_xy_bytes_be())


def encode_g2(point: G2Point) -> bytes:
    """256-byte encoding of a G2 point (all zeros for infinity)."""
    return _add_padding(point.to_xy_bytes_be())


def decode_g1(data: bytes) -> G1Point:
    """A G1 point in the prime-order subgroup, excluding infinity, from its 128-byte encoding."""
    coordinates = _strip_padding(data, G1_LENGTH, "G1")
    if is_infinity(coordinates):
        raise InvalidEncoding("the G1 point is the point at infinity")
    try:
        return G1Point.from_xy_bytes_be(coordinates)
    except ValueError as error:
        raise InvalidEncoding(f"not a G1 subgroup point: {error}") from error


def decode_g2(data: bytes) -> G2Point:
    """A G2 point in the prime-order subgroup, excluding infinity, from its 256-byte encoding."""
    coordinates = _strip_padding(data, G2_LENGTH, "G2")
    if is_infinity(coordinates):
        raise InvalidEncoding("the G2 point is the point at infinity")
    try:
        return G2Point.from_xy_bytes_be(coordinates)
    except ValueError as error:
        raise InvalidEncoding(f"not a G2 subgroup point: {error}") from error
