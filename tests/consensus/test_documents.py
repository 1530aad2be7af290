"""Candidate ranking documents: canonical bytes and strict decoding."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_hash.auto import keccak
from hypothesis import given, strategies as st

from wekacoin_offchain.consensus import (
    CandidateRanking,
    MalformedRankingError,
    RankingEntry,
)

from .builders import INVALID, UNEVALUATED, VALID, ranking

UINT256 = st.integers(0, 2**256 - 1)
INT256 = st.integers(-(2**255), 2**255 - 1)


@st.composite
def documents(draw: st.DrawFn) -> CandidateRanking:
    model_ids = sorted(draw(st.sets(UINT256, max_size=6)))
    entries = []
    for model_id in model_ids:
        status = draw(st.sampled_from([VALID, INVALID, UNEVALUATED]))
        score = draw(INT256) if status == VALID else 0
        entries.append(RankingEntry(model_id, status, score))
    return CandidateRanking(draw(UINT256), draw(UINT256), draw(UINT256), draw(st.booleans()), tuple(entries))


def test_encoding_is_the_spec_tuple() -> None:
    document = ranking([(1, VALID, 912345), (2, INVALID, 0), (5, UNEVALUATED, 0)])
    expected = encode(
        ["uint256", "uint256", "uint256", "bool", "(uint256,uint8,int256)[]"],
        [7, 1, 3, True, [(1, 1, 912345), (2, 2, 0), (5, 3, 0)]],
    )
    assert document.encode() == expected
    assert document.ranking_hash == keccak(expected)


@given(documents())
def test_decode_inverts_encode(document: CandidateRanking) -> None:
    assert CandidateRanking.decode(document.encode()) == document


@given(documents(), st.binary(min_size=1, max_size=64))
def test_trailing_bytes_are_rejected(document: CandidateRanking, extra: bytes) -> None:
    with pytest.raises(MalformedRankingError):
        CandidateRanking.decode(document.encode() + extra)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_decode_or_raise_the_specific_error(data: bytes) -> None:
    try:
        document = CandidateRanking.decode(data)
    except MalformedRankingError:
        return
    assert document.encode() == data


def _raw(entries: list[tuple[int, int, int]], task_valid: object = True) -> bytes:
    return encode(
        ["uint256", "uint256", "uint256", "bool", "(uint256,uint8,int256)[]"],
        [7, 1, 3, task_valid, entries],
    )


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([(1, 0, 0)], "unknown model status 0"),
        ([(1, 4, 0)], "unknown model status 4"),
        ([(1, 2, 5)], "must have score 0"),
        ([(1, 3, -1)], "must have score 0"),
        ([(2, 1, 0), (1, 1, 0)], "ascending"),
        ([(1, 1, 0), (1, 1, 0)], "ascending"),
    ],
)
def test_malformed_documents_are_rejected(entries: list[tuple[int, int, int]], message: str) -> None:
    with pytest.raises(MalformedRankingError, match=message):
        CandidateRanking.decode(_raw(entries))


def test_a_boolean_other_than_0_or_1_is_rejected() -> None:
    data = bytearray(_raw([]))
    data[3 * 32 + 31] = 2  # task_valid word
    with pytest.raises(MalformedRankingError):
        CandidateRanking.decode(bytes(data))


@pytest.mark.parametrize(
    "document",
    [
        CandidateRanking(-1, 1, 1, True, ()),
        CandidateRanking(1, 2**256, 1, True, ()),
        CandidateRanking(1, 1, 1, True, (RankingEntry(1, VALID, 2**255),)),
    ],
)
def test_values_outside_their_abi_type_are_refused(document: CandidateRanking) -> None:
    with pytest.raises(MalformedRankingError, match="cannot encode"):
        document.encode()
