"""RFC 9380 test vectors, in Python (arkworks and py_ecc) and on chain.

Source: RFC 9380 "Hashing to Elliptic Curves", Appendix J.9.1 (suite
BLS12381G1_XMD:SHA-256_SSWU_RO_, every message listed there) and Appendix K.1
(expand_message_xmd with SHA-256, DST QUUX-V01-CS02-with-expander-SHA256-128), stored
in ``vectors/rfc9380.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wekacoin_offchain.crypto import bls, bls_reference

VECTORS = json.loads((Path(__file__).parent / "vectors" / "rfc9380.json").read_text())
HASH_TO_CURVE = VECTORS["hash_to_curve"]
EXPAND = VECTORS["expand_message_xmd"]


def _eip2537_g1(affine_hex: str) -> bytes:
    """RFC coordinates (48-byte x || 48-byte y) in the 128-byte EIP-2537 encoding."""
    raw = bytes.fromhex(affine_hex)
    return bytes(16) + raw[:48] + bytes(16) + raw[48:]


def _label(vector: dict[str, Any]) -> str:
    return f"msg{len(vector['msg'])}"


@pytest.mark.parametrize("vector", HASH_TO_CURVE["vectors"], ids=_label)
def test_hash_to_g1_matches_rfc_9380_j_9_1(vector: dict[str, Any], verifier: Any) -> None:
    message, dst = vector["msg"].encode(), HASH_TO_CURVE["dst"].encode()
    expected = _eip2537_g1(vector["P"])
    assert bls.hash_to_g1(message, dst) == expected
    assert bls_reference.hash_to_g1(message, dst) == expected
    assert verifier.hash_to_g1(message, dst) == expected


@pytest.mark.parametrize("vector", EXPAND["vectors"], ids=lambda v: f"{_label(v)}-len{v['len_in_bytes']}")
def test_expand_message_xmd_matches_rfc_9380_k_1(vector: dict[str, Any]) -> None:
    uniform = bls_reference.expand_message_xmd(vector["msg"].encode(), EXPAND["dst"].encode(), vector["len_in_bytes"])
    assert uniform.hex() == vector["uniform_bytes"]


def test_the_rfc_messages_fit_the_verifier(verifier: Any) -> None:
    longest = max(len(vector["msg"]) for vector in HASH_TO_CURVE["vectors"])
    assert verifier.MAX_MESSAGE_LENGTH() >= longest
