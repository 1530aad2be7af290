# pragma version ~=0.4.3
"""
@title Sortition: committee selection, expected committee size and quorum
@custom:contract-name sortition
@license MIT
@notice Internal pure functions of docs/protocol.md §7.9 and §7.10, imported by the
        ProofOfLearning contract; `wekacoin_offchain/crypto/sortition.py` is their
        Python twin, held to the same answers by the tests. docs/sortition.md
        explains the arithmetic.
"""


# @dev Basis points: 10_000 is one whole member.
BPS: constant(uint256) = 10_000


@internal
@pure
def _is_selected(vrf_output: bytes32, weight: uint256, total_weight: uint256, tau: uint256) -> bool:
    """
    @dev Exactly `vrf_output < 2**256 * min(1, tau * weight / total_weight)`,
         decided as `floor(vrf_output * total_weight / 2**256) < tau * weight`.
         The high word of the 512-bit product comes from `mulmod` by 2**256 - 1
         (the classic mul512: high = mm - low - (mm < low)). When
         `tau * weight >= total_weight` the member is always selected, because the
         high word is below `total_weight`. A zero weight is never selected.
         Reverts if `tau * weight` overflows.
    @param vrf_output The member's VRF output for the round attempt.
    @param weight The member's weight in the round's snapshot.
    @param total_weight The snapshot's total weight.
    @param tau The expected committee size.
    @return Whether the member sits on the committee.
    """
    output: uint256 = convert(vrf_output, uint256)
    low: uint256 = unsafe_mul(output, total_weight)
    mm: uint256 = uint256_mulmod(output, total_weight, max_value(uint256))
    high: uint256 = unsafe_sub(unsafe_sub(mm, low), convert(mm < low, uint256))
    return high < tau * weight


@internal
@pure
def _capped_weight(weight: uint256, total_weight: uint256, tau: uint256) -> uint256:
    """
    @dev `min(tau * weight, total_weight)`: the member's term of the expected
         committee size E = sum(min(1, tau * w / W)), scaled by W. The contract
         sums these terms at the snapshot, then calls `_expected_size_bps` once.
    @param weight The member's weight.
    @param total_weight The snapshot's total weight.
    @param tau The expected committee size.
    @return uint256 The capped term.
    """
    return min(tau * weight, total_weight)


@internal
@pure
def _expected_size_bps(capped_weight_sum: uint256, total_weight: uint256) -> uint256:
    """
    @dev `floor(BPS * sum(min(tau * w, W)) / W)`: E in basis points, floored once
         over the total; zero when the total weight is zero.
    @param capped_weight_sum The sum of `_capped_weight` over the validators.
    @param total_weight The snapshot's total weight.
    @return uint256 E in basis points.
    """
    if total_weight == 0:
        return 0
    return capped_weight_sum * BPS // total_weight


@internal
@pure
def _quorum(expected_size_bps: uint256, quorum_bps: uint256) -> uint256:
    """
    @dev `max(1, ceil(E * quorum_bps / BPS))` with E = expected_size_bps / BPS:
         the distinct signatures `finalize` needs. Never zero, so no result is
         final without a signature. Five members, tau 10, 6667 bps: 4.
    @param expected_size_bps E in basis points.
    @param quorum_bps The quorum in basis points of E.
    @return uint256 The quorum, at least 1.
    """
    product: uint256 = expected_size_bps * quorum_bps
    needed: uint256 = product // (BPS * BPS)
    if product % (BPS * BPS) != 0:
        needed += 1
    return max(needed, 1)
