"""Selection, expected committee size and quorum: sortition.py against sortition.vy and the real-valued rule."""

from __future__ import annotations

import math
import random
from fractions import Fraction
from typing import Any

import boa
import pytest
from hypothesis import given, settings, strategies as st

from wekacoin_offchain.crypto import (
    BPS,
    capped_weight,
    expected_committee_size_bps,
    expected_size_bps,
    is_selected,
    quorum,
    selection_probability,
)
from wekacoin_offchain.errors import UserError

UINT256 = st.integers(min_value=0, max_value=2**256 - 1)
# Weights concentrated where the threshold is interesting, plus the full range.
WEIGHTS = st.one_of(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=2**128), UINT256)
OUTPUTS = st.one_of(st.binary(min_size=32, max_size=32), st.sampled_from([bytes(32), b"\xff" * 32]))
TWIN = settings(max_examples=150, deadline=None)


def real_valued_rule(output: bytes, weight: int, total_weight: int, tau: int) -> bool:
    """docs/protocol.md §7.9 as written, in exact rationals."""
    if weight == 0:
        return False
    return int.from_bytes(output, "big") < 2**256 * min(Fraction(1), Fraction(tau * weight, total_weight))


@TWIN
@given(output=OUTPUTS, weight=WEIGHTS, total_weight=WEIGHTS, tau=st.integers(min_value=0, max_value=1_000))
def test_is_selected_twin_and_exact(
    output: bytes, weight: int, total_weight: int, tau: int, sortition_harness: Any
) -> None:
    total_weight = max(total_weight, weight)
    if tau * weight >= 2**256:
        with pytest.raises(UserError):
            is_selected(output, weight, total_weight, tau)
        with boa.reverts():
            sortition_harness.is_selected(output, weight, total_weight, tau)
        return
    selected = is_selected(output, weight, total_weight, tau)
    assert sortition_harness.is_selected(output, weight, total_weight, tau) is selected
    assert selected is real_valued_rule(output, weight, total_weight, tau)


@TWIN
@given(
    output=st.integers(min_value=1, max_value=2**256 - 1),
    total_weight=st.integers(min_value=1, max_value=2**200),
    tau=st.integers(min_value=1, max_value=100),
)
def test_is_selected_at_the_threshold(output: int, total_weight: int, tau: int, sortition_harness: Any) -> None:
    """Outputs right at ``2**256 * tau * w / W`` for the weight that puts them there."""
    weight = max(1, output * total_weight // (tau * 2**256))
    for candidate in (weight - 1, weight, weight + 1):
        encoded = output.to_bytes(32, "big")
        expected = real_valued_rule(encoded, candidate, max(total_weight, candidate), tau)
        assert is_selected(encoded, candidate, max(total_weight, candidate), tau) is expected
        assert sortition_harness.is_selected(encoded, candidate, max(total_weight, candidate), tau) is expected


def test_selection_frequency_follows_weight() -> None:
    """Uniform outputs select each validator at rate min(1, tau w / W), within 5 sigma."""
    weights, tau, draws = [1, 2, 3, 5, 8, 13, 21, 34, 55, 200], 5, 20_000
    total = sum(weights)
    rng = random.Random(1)
    outputs = [rng.randbytes(32) for _ in range(draws)]
    for weight in weights:
        probability = float(selection_probability(weight, total, tau))
        rate = sum(is_selected(output, weight, total, tau) for output in outputs) / draws
        sigma = math.sqrt(probability * (1 - probability) / draws)
        assert abs(rate - probability) <= 5 * sigma + 1e-12, (weight, rate, probability)


def test_five_equal_validators_with_tau_ten_need_four_signatures(sortition_harness: Any) -> None:
    weights, tau = [7, 7, 7, 7, 7], 10
    expected = expected_committee_size_bps(weights, tau)
    assert expected == 5 * BPS
    assert quorum(expected, 6_667) == 4
    capped_sum = sum(sortition_harness.capped_weight(weight, sum(weights), tau) for weight in weights)
    assert sortition_harness.expected_size_bps(capped_sum, sum(weights)) == expected
    assert sortition_harness.quorum(expected, 6_667) == 4


@TWIN
@given(
    weights=st.lists(st.integers(min_value=0, max_value=2**64), min_size=1, max_size=12),
    tau=st.integers(min_value=0, max_value=50),
)
def test_expected_size_twin(weights: list[int], tau: int, sortition_harness: Any) -> None:
    total = sum(weights)
    capped_sum = sum(sortition_harness.capped_weight(weight, total, tau) for weight in weights)
    assert capped_sum == sum(capped_weight(weight, total, tau) for weight in weights)
    expected = expected_committee_size_bps(weights, tau)
    assert sortition_harness.expected_size_bps(capped_sum, total) == expected
    exact = (
        sum((selection_probability(weight, total, tau) for weight in weights), Fraction(0)) if total else Fraction(0)
    )
    assert expected == math.floor(exact * BPS), "floored once, over the total"


@TWIN
@given(expected=st.integers(min_value=0, max_value=10**9), quorum_bps=st.integers(min_value=0, max_value=BPS))
def test_quorum_twin(expected: int, quorum_bps: int, sortition_harness: Any) -> None:
    needed = quorum(expected, quorum_bps)
    assert sortition_harness.quorum(expected, quorum_bps) == needed
    assert needed == max(1, math.ceil(Fraction(expected, BPS) * Fraction(quorum_bps, BPS)))


def test_quorum_is_never_zero() -> None:
    assert quorum(0, 6_667) == 1
    assert expected_committee_size_bps([0, 0], 10) == 0


def test_overflowing_inputs_are_refused(sortition_harness: Any) -> None:
    with pytest.raises(UserError):
        expected_size_bps(2**255, 1)
    with boa.reverts():
        sortition_harness.expected_size_bps(2**255, 1)
    with pytest.raises(UserError):
        is_selected(bytes(31), 1, 1, 1)
