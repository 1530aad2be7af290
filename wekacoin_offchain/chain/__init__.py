"""The chain side: deployment, contract bindings and transaction helpers (through ape)."""

from wekacoin_offchain.chain.deploy import Deployment, deploy_contracts
from wekacoin_offchain.chain.params import Genesis, ProtocolParameters

__all__ = ["Deployment", "Genesis", "ProtocolParameters", "deploy_contracts"]
