"""Protocol parameters (docs/protocol.md §2.1) and the devnet defaults.

One source for every deployment path: `deploy_contracts` through ape, the titanoboa
test fixtures and the benchmarks all build the constructor's `Parameters` struct from
`ProtocolParameters.as_struct()`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from wekacoin_offchain.errors import UserError

WEI_PER_WKC = 10**18

# Compile-time bounds of contracts/modules/parameters.vy.
MAX_MODELS_BOUND = 256
MAX_OPEN_TASKS_BOUND = 64
MAX_ATTEMPTS_BOUND = 16
MAX_VALIDATORS_BOUND = 128
MAX_CLAIMS_BOUND = 64
MIB = 1 << 20
BPS = 10_000


# The parameters the Committee keeps (contracts/modules/committee_parameters.vy); the
# others are ProofOfLearning's.
COMMITTEE_PARAMETERS = frozenset(
    {
        "propose_window",
        "vote_window",
        "committee_size",
        "quorum_bps",
        "max_attempts",
        "exit_delay",
        "bytes_per_wkc",
        "proposal_reveal_window",
        "max_validators",
        "unproven_claim_rounds",
        "storage_slash_bps",
    }
)


@dataclass(frozen=True)
class ProtocolParameters:
    """Parameters fixed at deployment; defaults let a devnet demo run in seconds.

    Windows are in blocks; amounts in wei (18 decimals).
    """

    min_training_period: int = 5
    release_window: int = 20
    reveal_window: int = 10
    propose_window: int = 10
    vote_window: int = 10
    committee_size: int = 10
    quorum_bps: int = 6_667
    participation_fee: int = 1 * WEI_PER_WKC
    min_hosting_fee: int = 1 * WEI_PER_WKC
    round_issuance: int = 10 * WEI_PER_WKC
    refund_bps: int = 2_500
    min_bond: int = 100 * WEI_PER_WKC
    max_models_per_task: int = 64
    max_open_tasks: int = 16
    max_attempts: int = 3
    score_tolerance: int = 1
    exit_delay: int = 10
    bytes_per_wkc: int = MIB
    # Issue 10 (docs/protocol.md §7 and §9): commit-reveal of proposals, the validator
    # set's size, unproven claims, slashing and the deposit on registered objects.
    proposal_reveal_window: int = 5
    max_validators: int = MAX_VALIDATORS_BOUND
    unproven_claim_rounds: int = 8
    storage_slash_bps: int = 1_000
    reporter_share_bps: int = 1_000
    object_deposit: int = 1 * WEI_PER_WKC

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise UserError(f"parameter {field.name} must be a non-negative integer, got {value!r}")
        bounds = {
            "quorum_bps": (1, BPS),
            "refund_bps": (0, BPS),
            "max_models_per_task": (1, MAX_MODELS_BOUND),
            "max_open_tasks": (1, MAX_OPEN_TASKS_BOUND),
            "max_attempts": (1, MAX_ATTEMPTS_BOUND),
            # The seed is the hash of the block after the opening one: readable from the
            # block after that, for 256 blocks.
            "propose_window": (3, 256),
            "max_validators": (1, MAX_VALIDATORS_BOUND),
            "storage_slash_bps": (0, BPS),
            "reporter_share_bps": (0, BPS),
        }
        for name, (low, high) in bounds.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise UserError(f"parameter {name} must be between {low} and {high}, got {value}")
        positive = (
            "min_training_period",
            "release_window",
            "reveal_window",
            "propose_window",
            "vote_window",
            "committee_size",
            "min_bond",
            "bytes_per_wkc",
            "proposal_reveal_window",
            "unproven_claim_rounds",
        )
        for name in positive:
            if getattr(self, name) == 0:
                raise UserError(f"parameter {name} must be positive")

    @classmethod
    def with_overrides(cls, **overrides: int) -> ProtocolParameters:
        """The defaults with `overrides` applied; an unknown name is a user error."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise UserError(f"unknown protocol parameter(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return dataclasses.replace(cls(), **overrides)

    @classmethod
    def from_chain(cls, pol: Any, committee: Any) -> ProtocolParameters:
        """The parameters a deployment was built with, from the getters of the contract
        that keeps each (docs/protocol.md §2.1)."""
        return cls(
            **{
                field.name: int(getattr(committee if field.name in COMMITTEE_PARAMETERS else pol, field.name)())
                for field in fields(cls)
            }
        )

    def as_struct(self) -> tuple[int, ...]:
        """The constructor's `Parameters` struct, fields in declaration order."""
        return dataclasses.astuple(self)


@dataclass(frozen=True)
class Genesis:
    """Who receives the genesis supply, and how much it is (wei)."""

    holder: str
    supply: int = 1_000_000 * WEI_PER_WKC
