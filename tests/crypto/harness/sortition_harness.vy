# pragma version ~=0.4.3
"""
@title Test harness exposing the sortition module's internal functions
"""

from ....contracts.modules import sortition


@external
@pure
def is_selected(vrf_output: bytes32, weight: uint256, total_weight: uint256, tau: uint256) -> bool:
    return sortition._is_selected(vrf_output, weight, total_weight, tau)


@external
@pure
def capped_weight(weight: uint256, total_weight: uint256, tau: uint256) -> uint256:
    return sortition._capped_weight(weight, total_weight, tau)


@external
@pure
def expected_size_bps(capped_weight_sum: uint256, total_weight: uint256) -> uint256:
    return sortition._expected_size_bps(capped_weight_sum, total_weight)


@external
@pure
def quorum(expected_size_bps: uint256, quorum_bps: uint256) -> uint256:
    return sortition._quorum(expected_size_bps, quorum_bps)
