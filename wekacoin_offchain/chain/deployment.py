"""The one way to reach a deployment: `bind_deployment` returns every contract of it.

`wekacoin deploy`, the commands, the agents, the audit and the demo all hold a
`Deployment`: the token, ProofOfLearning, the Committee it deployed, the BLSVerifier,
the protocol parameters read from the chain and the first block (where an audit or an
event scan starts), plus the ape chain they live on. Its `task`, `model`, `round`,
`validator` and `stored_object` return the typed views of `chain.views`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wekacoin_offchain.chain.params import ProtocolParameters
from wekacoin_offchain.chain.views import ModelView, RoundView, StoredObjectView, TaskView, ValidatorView
from wekacoin_offchain.errors import UserError, first_line
from wekacoin_offchain.paths import PROJECT_ROOT


@lru_cache(maxsize=1)
def ape_project() -> Any:
    """The WekaCoin ape project (compiled on first use, cached by ape afterwards)."""
    import ape

    if not (PROJECT_ROOT / "ape-config.yaml").is_file():
        raise UserError(f"the WekaCoin contracts are not next to this package (looked in {PROJECT_ROOT})")
    if Path.cwd().resolve() == PROJECT_ROOT:
        return ape.project
    return ape.Project(PROJECT_ROOT)


@dataclass(frozen=True)
class Deployment:
    """A WekaCoin deployment on the connected chain, as ape contract instances.

    `pol` is ProofOfLearning (every public protocol function), `committee` the
    Committee it deployed (validator and round state, their events and views such as
    `is_member` and `challenge`), `verifier` the stateless BLSVerifier (it carries
    `hash_to_g1`).
    """

    chain: Any
    token: Any
    pol: Any
    committee: Any
    verifier: Any
    parameters: ProtocolParameters
    first_block: int

    @property
    def height(self) -> int:
        """The chain's latest block."""
        return int(self.chain.blocks.height)

    def task(self, task_id: int) -> TaskView:
        return TaskView.from_chain(self.pol, task_id)

    def model(self, model_id: int) -> ModelView:
        return ModelView.from_chain(self.pol, model_id)

    def models_of(self, task_id: int) -> list[ModelView]:
        """The task's models in commitment order (ascending id)."""
        count = self.task(task_id).model_count
        return [self.model(int(self.pol.task_models(task_id, position))) for position in range(count)]

    def round(self, round_id: int) -> RoundView:
        return RoundView.from_chain(self.committee, round_id)

    def validator(self, address: str) -> ValidatorView:
        return ValidatorView.from_chain(self.committee, address)

    def stored_object(self, object_id: int) -> StoredObjectView:
        return StoredObjectView.from_chain(self.pol, object_id)


def bind_deployment(chain: Any, pol_address: str, first_block: int = 0) -> Deployment:
    """The deployment whose ProofOfLearning is at `pol_address`, after checking a contract
    there answers like one; the other contracts are found from it."""
    from ape.exceptions import ApeException
    from eth_utils.address import is_address, to_checksum_address

    if not is_address(pol_address):
        raise UserError(f"{pol_address!r} is not an address")
    address = to_checksum_address(pol_address)
    if not chain.provider.get_code(address):
        raise UserError(f"no contract at {address} on this network")
    project = ape_project()
    pol = _bound(chain, project.ProofOfLearning, address)
    try:
        committee = _bound(chain, project.Committee, pol.committee())
    except ApeException as exc:  # the call reverts or returns nothing: not a ProofOfLearning
        raise UserError(f"the contract at {address} is not a ProofOfLearning: {first_line(exc)}") from None
    return Deployment(
        chain=chain,
        token=_bound(chain, project.WekaCoin, pol.token()),
        pol=pol,
        committee=committee,
        verifier=_bound(chain, project.BLSVerifier, committee.verifier()),
        parameters=ProtocolParameters.from_chain(pol, committee),
        first_block=first_block,
    )


def _bound(chain: Any, container: Any, address: str) -> Any:
    """The contract at `address` with exactly this project's ABI.

    ape keeps the ABI of every address it has seen in a disk cache per network and merges
    a new one into it: after a redeployment of changed contracts at the same addresses (a
    restarted anvil gives the same addresses), an event would then have two ABIs and ape
    would hand out a wrapper that cannot decode or query logs. `replace` makes the
    project's compiled ABI the only one.
    """
    return chain.contracts.instance_at(
        address, contract_type=container.contract_type, replace=True, fetch_from_explorer=False
    )
