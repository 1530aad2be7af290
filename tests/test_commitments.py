"""The test-set and model commitments, against ABI encodings written out by hand.

The contract tests check the same functions against the contract itself (a release or
reveal only succeeds when the commitment matches).
"""

from __future__ import annotations

import pytest
from eth_utils import keccak

from wekacoin_offchain import commitments
from wekacoin_offchain.errors import UserError

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
TRAINER = "0x00000000000000000000000000000000000000aB"


def _word(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _string_tail(text: str) -> bytes:
    encoded = text.encode()
    return _word(len(encoded)) + encoded + b"\0" * (-len(encoded) % 32)


def test_test_commitment_is_keccak_of_abi_encoded_cid_and_salt() -> None:
    salt = bytes(range(32))
    by_hand = _word(64) + salt + _string_tail(CID)  # head: offset of the string, then the salt
    assert commitments.test_commitment(CID, salt) == keccak(by_hand)
    assert commitments.test_commitment(CID, bytes(32)) != commitments.test_commitment(CID, salt)


def test_model_commitment_binds_the_trainer() -> None:
    salt = bytes(range(32))
    by_hand = _word(96) + _word(int(TRAINER, 16)) + salt + _string_tail(CID)
    assert commitments.model_commitment(CID, TRAINER, salt) == keccak(by_hand)
    other = "0x00000000000000000000000000000000000000aC"
    assert commitments.model_commitment(CID, other, salt) != commitments.model_commitment(CID, TRAINER, salt)


def test_salts_are_fresh_32_byte_values() -> None:
    assert len(commitments.new_salt()) == 32
    assert commitments.new_salt() != commitments.new_salt()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: commitments.test_commitment(CID, b"short"), "32 bytes"),
        (lambda: commitments.test_commitment("", bytes(32)), "test CID is empty"),
        (lambda: commitments.model_commitment("", TRAINER, bytes(32)), "model CID is empty"),
    ],
)
def test_bad_input_is_a_user_error(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match=message):
        call()
