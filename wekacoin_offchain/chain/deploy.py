"""Deploying WekaCoin on whatever network ape is connected to."""

from __future__ import annotations

from typing import Any

from wekacoin_offchain.chain.deployment import Deployment, ape_project, bind_deployment
from wekacoin_offchain.chain.params import Genesis, ProtocolParameters
from wekacoin_offchain.errors import UserError


def deploy_contracts(deployer: Any, **overrides: Any) -> Deployment:
    """Deploy WekaCoin and ProofOfLearning from `deployer` on the connected ape network.

    `overrides` are protocol parameters by lower-case name (`min_training_period=3`),
    `genesis_holder` (an account or address; the deployer by default) and
    `genesis_supply` (wei). The token and the Committee are deployed by
    ProofOfLearning itself from EIP-5202 blueprints, so ProofOfLearning is the
    token's only minter and the Committee's only writer from the start.
    """
    import ape

    holder = overrides.pop("genesis_holder", deployer)
    genesis = Genesis(
        holder=str(getattr(holder, "address", holder)), supply=overrides.pop("genesis_supply", Genesis.supply)
    )
    if not isinstance(genesis.supply, int) or genesis.supply < 0:
        raise UserError(f"genesis_supply must be a non-negative integer, got {genesis.supply!r}")
    parameters = ProtocolParameters.with_overrides(**overrides)

    project = ape_project()
    first_block = int(ape.chain.blocks.height) + 1
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
    return bind_deployment(ape.chain, str(pol.address), first_block)


def _declare(deployer: Any, container: Any) -> str:
    """Deploy an EIP-5202 blueprint of `container`; returns its address.

    `AccountAPI.declare` leaves the sender unset while it estimates gas, so a real node
    (anvil) estimates from the zero address and answers "insufficient funds"; naming the
    sender first makes the estimate the deployer's.
    """
    transaction = deployer.provider.network.ecosystem.encode_contract_blueprint(container.contract_type)
    transaction.sender = deployer.address
    return str(deployer.call(transaction).contract_address)
