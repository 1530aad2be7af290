"""CID parsing and canonical text: what the chain layer relies on before a transaction."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, strategies as st

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.storage import ContentId, InvalidCidError, canonical_cid, is_cid, parse_cid
from wekacoin_offchain.storage.cids import SHA2_256_PREFIX, cid_from_bytes

EMPTY_V0 = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
EMPTY_RAW_V1 = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
EMPTY_RAW_V1_BASE58 = "zb2rhmy65F3REf8SZp7De11gxtECBGgUKaLdiDj7MCGCHxbDW"


def test_cidv0_parses_as_dag_pb_sha256() -> None:
    cid = parse_cid(EMPTY_V0)
    assert (cid.version, cid.codec, cid.is_sha2_256) == (0, "dag-pb", True)
    assert cid.text == EMPTY_V0


def test_cidv1_canonical_text_is_lower_case_base32() -> None:
    assert canonical_cid(EMPTY_RAW_V1_BASE58) == EMPTY_RAW_V1
    assert parse_cid(f"  {EMPTY_RAW_V1}\n").text == EMPTY_RAW_V1


def test_cidv0_converts_to_the_same_content_as_cidv1() -> None:
    v1 = parse_cid(EMPTY_V0).to_v1()
    assert v1.text.startswith("bafybei")
    assert parse_cid(v1.text).multihash == parse_cid(EMPTY_V0).multihash


@pytest.mark.parametrize(
    "text",
    ["", "   ", "nope", "Qm123", EMPTY_V0[:-1], EMPTY_RAW_V1[:-1], "f" * 600, "0x1234"],
)
def test_bad_cid_text_is_a_user_error(text: str) -> None:
    assert not is_cid(text)
    with pytest.raises(InvalidCidError) as raised:
        parse_cid(text)
    assert isinstance(raised.value, UserError)
    assert "\n" not in str(raised.value)


@given(st.binary(max_size=64), st.sampled_from([(0, "dag-pb"), (1, "dag-pb"), (1, "raw")]))
def test_text_and_binary_forms_round_trip(content: bytes, version_codec: tuple[int, str]) -> None:
    version, codec = version_codec
    cid = ContentId(version, codec, SHA2_256_PREFIX + hashlib.sha256(content).digest())
    assert parse_cid(cid.text) == cid
    assert cid_from_bytes(cid.to_bytes()) == cid
    assert is_cid(cid.text)
