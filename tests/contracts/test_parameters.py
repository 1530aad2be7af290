"""Parameters: one public getter each, and the constructor's bounds (on chain and in Python)."""

from __future__ import annotations

import dataclasses

import boa
import pytest

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import contract_deployer
from wekacoin_offchain.chain.params import COMMITTEE_PARAMETERS, ProtocolParameters
from wekacoin_offchain.errors import UserError


def test_every_parameter_has_a_getter(protocol: Protocol) -> None:
    for field in dataclasses.fields(ProtocolParameters):
        keeper = protocol.committee if field.name in COMMITTEE_PARAMETERS else protocol.pol
        assert getattr(keeper, field.name)() == getattr(protocol.params, field.name)


BAD_PARAMETERS = [
    ("min_training_period", 0, "parameters: min_training_period is zero"),
    ("release_window", 0, "parameters: release_window is zero"),
    ("reveal_window", 0, "parameters: reveal_window is zero"),
    ("propose_window", 0, "parameters: propose_window is zero"),
    ("vote_window", 0, "parameters: vote_window is zero"),
    ("committee_size", 0, "parameters: committee_size is zero"),
    ("quorum_bps", 0, "parameters: quorum_bps out of range"),
    ("quorum_bps", 10_001, "parameters: quorum_bps out of range"),
    ("refund_bps", 10_001, "parameters: refund_bps out of range"),
    ("max_models_per_task", 0, "parameters: max_models_per_task out of range"),
    ("max_models_per_task", 257, "parameters: max_models_per_task out of range"),
    ("max_open_tasks", 65, "parameters: max_open_tasks out of range"),
    ("max_attempts", 17, "parameters: max_attempts out of range"),
    ("min_bond", 0, "parameters: min_bond is zero"),
    ("bytes_per_wkc", 0, "parameters: bytes_per_wkc is zero"),
    ("propose_window", 2, "parameters: propose_window out of range"),
    ("propose_window", 257, "parameters: propose_window out of range"),
    ("proposal_reveal_window", 0, "parameters: proposal_reveal_window is zero"),
    ("max_validators", 0, "parameters: max_validators out of range"),
    ("max_validators", 129, "parameters: max_validators out of range"),
    ("unproven_claim_rounds", 0, "parameters: unproven_claim_rounds is zero"),
    ("storage_slash_bps", 10_001, "parameters: storage_slash_bps out of range"),
    ("reporter_share_bps", 10_001, "parameters: reporter_share_bps out of range"),
]


@pytest.mark.parametrize(("name", "value", "reason"), BAD_PARAMETERS)
def test_constructor_rejects_out_of_bounds_parameters(name: str, value: int, reason: str) -> None:
    # Built without the Python checks, to reach the contract's own.
    struct = dataclasses.astuple(ProtocolParameters())
    index = [f.name for f in dataclasses.fields(ProtocolParameters)].index(name)
    struct = (*struct[:index], value, *struct[index + 1 :])
    blueprint = contract_deployer("WekaCoin").deploy_as_blueprint()
    committee_blueprint = contract_deployer("Committee").deploy_as_blueprint()
    with boa.reverts(reason):
        contract_deployer("ProofOfLearning").deploy(
            blueprint.address, boa.env.eoa, 0, struct, boa.env.eoa, committee_blueprint.address
        )


@pytest.mark.parametrize(("name", "value", "reason"), BAD_PARAMETERS)
def test_python_rejects_the_same_parameters_before_any_transaction(name: str, value: int, reason: str) -> None:
    with pytest.raises(UserError, match=name):
        ProtocolParameters.with_overrides(**{name: value})


def test_python_rejects_unknown_and_negative_parameters() -> None:
    with pytest.raises(UserError, match="unknown protocol parameter"):
        ProtocolParameters.with_overrides(min_trainng_period=3)
    with pytest.raises(UserError, match="non-negative integer"):
        ProtocolParameters.with_overrides(min_bond=-1)
