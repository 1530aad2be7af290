"""The committee selection rule, twin of ``contracts/modules/sortition.vy``.

docs/protocol.md §7.9: a validator is a member iff
``vrf_output < 2**256 * min(1, tau * w / W)``. Both sides are rationals, so the rule is
decided exactly, without division, as ``floor(vrf_output * W / 2**256) < tau * w``:
with ``vrf_output * W = high * 2**256 + low`` (``low < 2**256``),
``vrf_output * W < tau * w * 2**256`` holds iff ``high < tau * w``; and when
``tau * w >= W`` it always holds because ``high < W``. The contract gets ``high`` from
``mulmod`` (the 512-bit product trick), so the only bound is that ``tau * w`` fits a
uint256, where the contract reverts on overflow and this module raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from wekacoin_offchain.errors import UserError

BPS = 10_000
UINT256_LIMIT = 2**256


def _check_uint256(name: str, value: int) -> None:
    if not 0 <= value < UINT256_LIMIT:
        raise UserError(f"{name} must be a uint256, got {value}")


def _checked_product(what: str, left: int, right: int) -> int:
    """``left * right``, raising where the contract's checked multiplication reverts."""
    product = left * right
    if product >= UINT256_LIMIT:
        raise UserError(f"{what} overflows a uint256")
    return product


def _scaled_weight(weight: int, tau: int) -> int:
    _check_uint256("weight", weight)
    _check_uint256("tau", tau)
    return _checked_product("tau * weight", tau, weight)


def is_selected(vrf_output: bytes, weight: int, total_weight: int, tau: int) -> bool:
    """Whether a VRF output selects a validator of ``weight`` out of ``total_weight``.

    Exact: equivalent to ``vrf_output < 2**256 * min(1, tau * weight / total_weight)``;
    a zero weight (and so a zero total) is never selected.
    """
    if len(vrf_output) != 32:
        raise UserError(f"a VRF output is 32 bytes, got {len(vrf_output)}")
    _check_uint256("total_weight", total_weight)
    scaled = _scaled_weight(weight, tau)
    return (int.from_bytes(vrf_output, "big") * total_weight) >> 256 < scaled


def selection_probability(weight: int, total_weight: int, tau: int) -> Fraction:
    """``min(1, tau * weight / total_weight)``: the chance a uniform output selects the validator."""
    if weight == 0:
        return Fraction(0)
    return min(Fraction(1), Fraction(tau * weight, total_weight))


def capped_weight(weight: int, total_weight: int, tau: int) -> int:
    """``min(tau * w, W)``: a validator's expected seats, times ``W`` (the module's ``_capped_weight``)."""
    _check_uint256("total_weight", total_weight)
    return min(_scaled_weight(weight, tau), total_weight)


def expected_size_bps(capped_weight_sum: int, total_weight: int) -> int:
    """``floor(BPS * sum(min(tau * w, W)) / W)``: expected committee size in basis points of a member."""
    _check_uint256("capped_weight_sum", capped_weight_sum)
    _check_uint256("total_weight", total_weight)
    if total_weight == 0:
        return 0
    return _checked_product("capped weight sum * BPS", capped_weight_sum, BPS) // total_weight


def expected_committee_size_bps(weights: Sequence[int], tau: int) -> int:
    """``E`` of docs/protocol.md §7.10 in basis points, floored once over the total (not per term)."""
    total = sum(weights)
    return expected_size_bps(sum(capped_weight(weight, total, tau) for weight in weights), total)


def quorum(expected_bps: int, quorum_bps: int) -> int:
    """Distinct signatures needed: ``max(1, ceil(E * quorum_bps / BPS))`` with ``E = expected_bps / BPS``.

    Never zero, so a round with no weight can never be finalized without signatures.
    """
    _check_uint256("expected_bps", expected_bps)
    _check_uint256("quorum_bps", quorum_bps)
    return max(1, -(-_checked_product("expected_bps * quorum_bps", expected_bps, quorum_bps) // (BPS * BPS)))
