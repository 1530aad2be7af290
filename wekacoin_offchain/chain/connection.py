"""Connecting the command line to a network, an account and a deployment.

Every failure a user can cause here (an unknown network, no node at the address, an
unknown account, no deployment on this chain) becomes a `UserError` with one line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wekacoin_offchain.chain.deployment import Deployment, ape_project, bind_deployment
from wekacoin_offchain.errors import UserError, first_line

NETWORK_ENV = "WEKACOIN_NETWORK"
DEFAULT_NETWORK = "http://127.0.0.1:8545"
DEPLOYMENT_ENV = "WEKACOIN_DEPLOYMENT"
DEFAULT_DEPLOYMENT = Path("wekacoin-data") / "deployment.json"
# Every transaction's gas limit is its estimate times this margin. An estimate is made
# against the latest block and the transaction runs in the next one, on a state other
# transactions may have moved: a `finalize` estimated to the last unit then ran out of gas
# in Vyper's reentrancy lock (anvil's `ReentrancySentryOOG`, issue 14). Unused gas is not paid.
GAS_MARGIN = 1.25


def default_network() -> str:
    return os.environ.get(NETWORK_ENV) or DEFAULT_NETWORK


def default_deployment_file() -> Path:
    return Path(os.environ.get(DEPLOYMENT_ENV) or DEFAULT_DEPLOYMENT)


@contextmanager
def connect(network: str) -> Iterator[Any]:
    """Connect ape to `network` (an ape choice such as `ethereum:local:foundry`, or a node URL)."""
    import ape
    from ape.exceptions import ApeException

    ape_project()  # the contracts must be compiled before a network is involved
    try:
        provider = ape.networks.parse_network_choice(network)
        provider.__enter__()
    except ApeException as exc:
        hint = " (start a node with `wekacoin node`)" if "node found" in str(exc) else ""
        raise UserError(f"cannot connect to network {network!r}: {first_line(exc)}{hint}") from None
    insure_gas(ape.chain.provider.network)
    try:
        yield ape.chain
    finally:
        provider.__exit__(None, None, None)


def insure_gas(network: Any) -> None:
    """Give every transaction on `network` a gas limit of its estimate times `GAS_MARGIN`.

    ape reads the multiplier from the network's `gas_limit` config, which a network named
    by a node URL does not have; the cached property is set directly instead.
    """
    from ape.types import AutoGasLimit

    network.__dict__["gas_limit"] = AutoGasLimit(multiplier=GAS_MARGIN)
    network.__dict__.pop("auto_gas_multiplier", None)


def load_account(spec: str) -> Any:
    """`test:N` for the N-th test account (the devnet's funded ones) or an ape account alias."""
    import ape

    if spec.startswith("test:"):
        index = spec.removeprefix("test:")
        if not index.isdigit():
            raise UserError(f"account {spec!r}: write test:N with N a number, e.g. test:1")
        accounts = ape.accounts.test_accounts
        if int(index) >= len(accounts):
            raise UserError(
                f"account {spec!r}: there are {len(accounts)} test accounts (test:0 to test:{len(accounts) - 1})"
            )
        return accounts[int(index)]
    try:
        return ape.accounts.load(spec)
    except Exception:  # ape raises different errors for unknown aliases across versions
        raise UserError(f"no account {spec!r}: use test:N or an alias from `ape accounts list`") from None


@dataclass(frozen=True)
class DeploymentRecord:
    """Where a deployment lives, as `wekacoin deploy` writes it."""

    chain_id: int
    token: str
    pol: str
    block: int
    verifier: str | None = None

    @classmethod
    def of(cls, deployment: Deployment) -> DeploymentRecord:
        return cls(
            chain_id=int(deployment.chain.chain_id),
            token=str(deployment.token.address),
            pol=str(deployment.pol.address),
            block=deployment.first_block,
            verifier=str(deployment.verifier.address),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> DeploymentRecord:
        if not path.is_file():
            raise UserError(f"no deployment file {path}: run `wekacoin deploy` first (or pass --deployment)")
        try:
            return cls(**json.loads(path.read_text()))
        except (ValueError, TypeError) as exc:
            raise UserError(f"{path} is not a deployment file: {first_line(exc)}") from None


def bind(chain: Any, record: DeploymentRecord) -> Deployment:
    """The deployment `record` names, after checking it is on this chain."""
    if int(chain.chain_id) != record.chain_id:
        raise UserError(f"the deployment is on chain {record.chain_id}, but this network is chain {chain.chain_id}")
    if not chain.provider.get_code(record.pol):
        raise UserError(
            f"no ProofOfLearning at {record.pol} on this network (a restarted devnet?): run `wekacoin deploy`"
        )
    deployment = bind_deployment(chain, record.pol, record.block)
    if str(deployment.token.address) != record.token:
        raise UserError(f"{record.pol}'s token is {deployment.token.address}, not the deployment file's {record.token}")
    return deployment
