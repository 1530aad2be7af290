"""The chain side: deployment, contract bindings, typed views and transaction helpers (through ape)."""

from wekacoin_offchain.chain.deploy import deploy_contracts
from wekacoin_offchain.chain.deployment import Deployment, bind_deployment
from wekacoin_offchain.chain.params import Genesis, ProtocolParameters

__all__ = ["Deployment", "Genesis", "ProtocolParameters", "bind_deployment", "deploy_contracts"]
