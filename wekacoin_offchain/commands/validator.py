"""`wekacoin validator`: bond, store task data and sit on committees.

`register` bonds the account once; `run` loops around the validator agent: claim the
registered objects it holds, open rounds, propose its ranking when its VRF draws it,
vote, finalize, and withdraw what it is paid.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.chain.states import ValidatorStatus
from wekacoin_offchain.commands.loop import run_agent, until_settled
from wekacoin_offchain.commands.options import (
    Group,
    WkcAmount,
    agent_workdir,
    chain_options,
    content_store,
    poll_options,
    quiet_ape,
    session,
    store_options,
)
from wekacoin_offchain.errors import UserError

if TYPE_CHECKING:
    from wekacoin_offchain.agents.validator import ValidatorAgent
    from wekacoin_offchain.chain.deployment import Deployment


@click.group("validator", cls=Group)
def validator() -> None:
    """Bond, store task data and sit on committees."""


def check_bond(deployment: Deployment, address: str, bond: int) -> None:
    """A `UserError` if an unregistered validator cannot bond `bond`; nothing if registered."""
    if deployment.validator(address).status != ValidatorStatus.NONE:
        return
    min_bond = deployment.parameters.min_bond
    if bond < min_bond:
        raise UserError(f"a bond of {format_wkc(bond)} is below the minimum {format_wkc(min_bond)}")
    balance = int(deployment.token.balanceOf(address))
    if balance < bond:
        raise UserError(
            f"{address} holds {format_wkc(balance)}, less than the bond of {format_wkc(bond)}: `wekacoin transfer` some first"
        )


@validator.command("register")
@click.option("--bond", type=WkcAmount(), required=True, help="Bond to lock, in WKC.")
@chain_options
@store_options
@quiet_ape
def register(
    bond: int, network: str | None, account: str, deployment_file: Path | None, store_dir: Path | None, api: str | None
) -> None:
    """Register the account as a validator, once.

    The validator gets a fresh BLS key, kept in its working directory.
    """
    with validator_agent(network, account, deployment_file, store_dir, api) as agent:
        check_bond(agent.deployment, agent.address, bond)
        done = agent.register(bond)
    click.echo(done[0] if done else f"{agent.address} is registered already")


@validator.command("run")
@click.option(
    "--bond", type=WkcAmount(), default=None, help="Bond to lock if not registered yet (default: the protocol minimum)."
)
@click.option(
    "--block-time",
    "seconds_per_block",
    metavar="SECONDS",
    type=click.FloatRange(min=0.1),
    default=1.0,
    show_default=True,
    help="Expected seconds per block: an evaluation gets the propose window's blocks left times this.",
)
@poll_options
@chain_options
@store_options
@quiet_ape
def run_validator(
    bond: int | None,
    seconds_per_block: float,
    poll: float,
    until_task: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Sit on committees and withdraw the pay, in a loop.

    Registers first if needed, then claims storage, opens rounds, proposes,
    votes and finalizes as the chain calls for.
    """
    with validator_agent(network, account, deployment_file, store_dir, api) as agent:
        agent.seconds_per_block = seconds_per_block
        serve(agent, bond, poll=poll, until_task=until_task)


def serve(agent: ValidatorAgent, bond: int | None, *, poll: float, until_task: int | None) -> None:
    """The loop of `wekacoin validator run` for `agent` (the demo's liar runs it too)."""
    deployment = agent.deployment
    finished = until_settled(deployment, until_task)
    stake = bond if bond is not None else deployment.parameters.min_bond
    check_bond(deployment, agent.address, stake)

    def step() -> list[str]:
        return agent.register(stake) + agent.claim_storage() + agent.step() + agent.withdraw()

    run_agent("validator", agent.address, step, poll=poll, finished=finished, last_step=agent.withdraw)


@contextmanager
def validator_agent(
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
    agent_type: type[ValidatorAgent] | None = None,
) -> Iterator[ValidatorAgent]:
    """A validator agent (of `agent_type`, by default `ValidatorAgent`) for the options."""
    from wekacoin_offchain.agents.evaluation import EvaluationLimits
    from wekacoin_offchain.agents.validator import ValidatorAgent
    from wekacoin_offchain.ml.evaluator import Evaluator

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment), Evaluator() as evaluator:
        limits = EvaluationLimits(tolerance=deployment.parameters.score_tolerance)
        yield (agent_type or ValidatorAgent)(
            deployment, sender, store, agent_workdir("validator", sender), evaluator, limits
        )


COMMANDS: list[click.Command] = [validator]
