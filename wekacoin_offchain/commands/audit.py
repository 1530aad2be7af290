"""`wekacoin audit`: check from the chain alone that every round was settled by the rules.

Reads the deployment's events and a few views through ape, replays them
(`wekacoin_offchain.audit.replay.audit`) and prints one verdict per round (and per task
expired without a round), then the global money checks. Exit code 0 when everything
agrees, 1 on any mismatch, 2 on a user mistake (unreachable network, no contract).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from wekacoin_offchain.audit.render import report_tables
from wekacoin_offchain.chain.connection import (
    DeploymentRecord,
    bind,
    connect,
    default_deployment_file,
    default_network,
    first_line,
)
from wekacoin_offchain.commands.chain import quiet_ape
from wekacoin_offchain.errors import UserError


@click.command("audit")
@click.option(
    "--network",
    default=None,
    help="ape network choice or node URL (default: $WEKACOIN_NETWORK or http://127.0.0.1:8545).",
)
@click.option(
    "--deployment",
    "deployment_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Deployment file (default: $WEKACOIN_DEPLOYMENT or wekacoin-data/deployment.json).",
)
@click.option("--address", default=None, help="ProofOfLearning address, instead of a deployment file.")
@click.option(
    "--from-block",
    type=click.IntRange(0),
    default=None,
    help="First block to read (default: the deployment's block, or 0 with --address).",
)
@click.option(
    "--store-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also re-run each round's agreement from the ranking documents in this embedded block store.",
)
@click.option(
    "--api",
    metavar="MULTIADDR",
    default=None,
    help="Also re-run each round's agreement from the ranking documents of this IPFS RPC API.",
)
@quiet_ape
def audit(
    network: str | None,
    deployment_file: Path | None,
    address: str | None,
    from_block: int | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Replay every round: seeds, committee, result and round hashes, payouts, and the money invariant."""
    from wekacoin_offchain.audit.reader import fetch_documents, read_deployment
    from wekacoin_offchain.audit.replay import audit as replay
    from wekacoin_offchain.storage import open_content_store

    if address is not None and deployment_file is not None:
        raise UserError("give --deployment or --address, not both")
    with connect(network or default_network()) as chain:
        if address is not None:
            pol = _pol_at(chain, address)
            start = from_block or 0
        else:
            record = DeploymentRecord.load(deployment_file or default_deployment_file())
            pol = bind(chain, record).pol
            start = record.block if from_block is None else from_block
        reading = read_deployment(chain, pol, start)
    # The agreement is re-run only when asked: a store that lacks the documents is no evidence.
    documents = fetch_documents(open_content_store(store_dir, api), reading.log) if store_dir or api else None
    report = replay(reading.log, reading.state, reading.params, documents)
    console = Console()
    for table in report_tables(report, reading.height, len(reading.log)):
        console.print(table)
    console.print("[green]audit clean[/green]" if report.clean else "[red]audit found mismatches[/red]")
    if not report.clean:
        sys.exit(1)


def _pol_at(chain: Any, address: str) -> Any:
    """ProofOfLearning at `address`, after checking there is a contract that answers like one."""
    from ape.exceptions import ApeException
    from eth_utils.address import is_address, to_checksum_address

    from wekacoin_offchain.chain.deploy import ape_project

    if not is_address(address):
        raise UserError(f"{address!r} is not an address")
    checksummed = to_checksum_address(address)
    if not chain.provider.get_code(checksummed):
        raise UserError(f"no contract at {checksummed} on this network")
    pol = ape_project().ProofOfLearning.at(checksummed)
    try:
        pol.committee()
    except ApeException as exc:  # the call reverts or returns nothing: not a ProofOfLearning
        raise UserError(f"the contract at {checksummed} is not a ProofOfLearning: {first_line(exc)}") from None
    return pol


COMMANDS = [audit]
