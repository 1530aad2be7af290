"""The liar of the multi-process test: `wekacoin validator run` with a `LyingValidator`.

    .venv/bin/python tests/e2e/lying_validator.py [the options of `wekacoin validator run`]

Demo and test only: the production `validator run` has no way to lie. This script
builds the same loop around the demo's `LyingValidator`, which evaluates honestly and
then proposes a perfect score for every model it could run.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from wekacoin_offchain.commands.options import WkcAmount, chain_options, poll_options, quiet_ape, store_options
from wekacoin_offchain.commands.validator import serve, validator_agent
from wekacoin_offchain.demo import LyingValidator


@click.command()
@click.option("--bond", type=WkcAmount(), default=None, help="Bond to lock if not registered yet.")
@poll_options
@chain_options
@store_options
@quiet_ape
def lying_validator(
    bond: int | None,
    poll: float,
    until_task: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Run a validator that inflates every score it proposes."""
    with validator_agent(network, account, deployment_file, store_dir, api, agent_type=LyingValidator) as agent:
        serve(agent, bond, poll=poll, until_task=until_task)


if __name__ == "__main__":
    warnings.filterwarnings("ignore", message="Field 'import_remapping' has an incomplete definition")
    lying_validator()
