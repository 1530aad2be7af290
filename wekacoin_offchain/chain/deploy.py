"""Deploying WekaCoin on whatever network ape is connected to."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wekacoin_offchain.chain.params import Genesis, ProtocolParameters
from wekacoin_offchain.errors import UserError

# The ape project (ape-config.yaml, contracts/) is the repository this package lives in.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Deployment:
    """The deployed contracts, as ape contract instances.

    `pol` is ProofOfLearning (every public protocol function), `committee` the
    Committee it deployed (validator and round state, their events and views such
    as `is_member` and `challenge`), `verifier` the stateless BLSVerifier (it carries
    `hash_to_g1`).
    """

    token: Any
    pol: Any
    committee: Any
    verifier: Any
    parameters: ProtocolParameters
    genesis: Genesis


@lru_cache(maxsize=1)
def ape_project() -> Any:
    """The WekaCoin ape project (compiled on first use, cached by ape afterwards)."""
    import ape

    if not (PROJECT_ROOT / "ape-config.yaml").is_file():
        raise UserError(f"the WekaCoin contracts are not next to this package (looked in {PROJECT_ROOT})")
    if Path.cwd().resolve() == PROJECT_ROOT:
        return ape.project
    return ape.Project(PROJECT_ROOT)


def deploy_contracts(deployer: Any, **overrides: Any) -> Deployment:
    """Deploy WekaCoin and ProofOfLearning from `deployer` on the connected ape network.

    `overrides` are protocol parameters by lower-case name (`min_training_period=3`),
    `genesis_holder` (an account or address; the deployer by default) and
    `genesis_supply` (wei). The token and the Committee are deployed by
    ProofOfLearning itself from EIP-5202 blueprints, so ProofOfLearning is the
    token's only minter and the Committee's only writer from the start.
    """
    holder = overrides.pop("genesis_holder", deployer)
    genesis = Genesis(
        holder=str(getattr(holder, "address", holder)), supply=overrides.pop("genesis_supply", Genesis.supply)
    )
    if not isinstance(genesis.supply, int) or genesis.supply < 0:
        raise UserError(f"genesis_supply must be a non-negative integer, got {genesis.supply!r}")
    parameters = ProtocolParameters.with_overrides(**overrides)

    project = ape_project()
    token_blueprint = _declare(deployer, project.WekaCoin)
    committee_blueprint = _declare(deployer, project.Committee)
    verifier = deployer.deploy(project.BLSVerifier)
    pol = deployer.deploy(
        project.ProofOfLearning,
        token_blueprint,
        genesis.holder,
        genesis.supply,
        parameters.as_struct(),
        verifier.address,
        committee_blueprint,
    )
    token = project.WekaCoin.at(pol.token())
    committee = project.Committee.at(pol.committee())
    return Deployment(
        token=token, pol=pol, committee=committee, verifier=verifier, parameters=parameters, genesis=genesis
    )


def _declare(deployer: Any, container: Any) -> str:
    """Deploy an EIP-5202 blueprint of `container`; returns its address.

    `AccountAPI.declare` leaves the sender unset while it estimates gas, so a real node
    (anvil) estimates from the zero address and answers "insufficient funds"; naming the
    sender first makes the estimate the deployer's.
    """
    transaction = deployer.provider.network.ecosystem.encode_contract_blueprint(container.contract_type)
    transaction.sender = deployer.address
    return str(deployer.call(transaction).contract_address)
