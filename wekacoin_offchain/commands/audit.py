"""`wekacoin audit`: check from the chain alone that every round was settled by the rules.

Reads the deployment's events and a few views through ape, replays them
(`wekacoin_offchain.audit.replay.audit`) and prints one verdict per round (and per task
expired without a round), then the global money checks. Exit code 0 when everything
agrees, 1 on any mismatch, 2 on a user mistake (unreachable network, no contract).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from wekacoin_offchain.audit.render import report_tables
from wekacoin_offchain.commands.options import (
    api_option,
    deployment_option,
    network_option,
    quiet_ape,
    store_dir_option,
)
from wekacoin_offchain.errors import UserError


@click.command("audit")
@network_option
@deployment_option
@click.option(
    "--address", metavar="ADDRESS", default=None, help="ProofOfLearning address, instead of a deployment file."
)
@click.option(
    "--from-block",
    metavar="BLOCK",
    type=click.IntRange(0),
    default=None,
    help="First block to read (default: the deployment's block, or 0 with --address).",
)
@store_dir_option("Also re-run each round's agreement from the ranking documents in this embedded block store.")
@api_option("Also re-run each round's agreement from the ranking documents of this IPFS RPC API.")
@quiet_ape
def audit(
    network: str | None,
    deployment_file: Path | None,
    address: str | None,
    from_block: int | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Check from the chain that every round kept the rules.

    Replays every round: seeds, committee, result and round hashes, payouts, and
    the money invariant.
    """
    from wekacoin_offchain.audit.reader import fetch_documents, read_deployment
    from wekacoin_offchain.audit.replay import audit as replay
    from wekacoin_offchain.chain.connection import (
        DeploymentRecord,
        bind,
        connect,
        default_deployment_file,
        default_network,
    )
    from wekacoin_offchain.chain.deployment import bind_deployment
    from wekacoin_offchain.storage import open_content_store

    if address is not None and deployment_file is not None:
        raise UserError("give --deployment or --address, not both")
    with connect(network or default_network()) as chain:
        if address is not None:
            deployment = bind_deployment(chain, address)
        else:
            deployment = bind(chain, DeploymentRecord.load(deployment_file or default_deployment_file()))
        reading = read_deployment(deployment, from_block)
    # The agreement is re-run only when asked: a store that lacks the documents is no evidence.
    documents = fetch_documents(open_content_store(store_dir, api), reading.log) if store_dir or api else None
    report = replay(reading.log, reading.state, reading.params, documents)
    console = Console()
    for table in report_tables(report, reading.height, len(reading.log)):
        console.print(table)
    console.print("[green]audit clean[/green]" if report.clean else "[red]audit found mismatches[/red]")
    if not report.clean:
        sys.exit(1)


COMMANDS: list[click.Command] = [audit]
