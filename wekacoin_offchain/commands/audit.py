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
from rich.table import Table
from rich.text import Text

from wekacoin_offchain.audit.replay import AuditReport
from wekacoin_offchain.chain.connection import DeploymentRecord, bind, connect, default_deployment_file, default_network, first_line
from wekacoin_offchain.commands.chain import quiet_ape
from wekacoin_offchain.errors import UserError


@click.command("audit")
@click.option("--network", default=None, help="ape network choice or node URL (default: $WEKACOIN_NETWORK or http://127.0.0.1:8545).")
@click.option("--deployment", "deployment_file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Deployment file (default: $WEKACOIN_DEPLOYMENT or wekacoin-data/deployment.json).")
@click.option("--address", default=None, help="ProofOfLearning address, instead of a deployment file.")
@click.option("--from-block", type=click.IntRange(0), default=None, help="First block to read (default: the deployment's block, or 0 with --address).")
@click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Also re-run each round's agreement from the ranking documents in this embedded block store.")
@click.option("--api", metavar="MULTIADDR", default=None, help="Also re-run each round's agreement from the ranking documents of this IPFS RPC API.")
@quiet_ape
def audit(
    network: str | None, deployment_file: Path | None, address: str | None, from_block: int | None, store_dir: Path | None, api: str | None
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


def report_tables(report: AuditReport, height: int, events: int) -> list[Table]:
    """One row per round (and expired task), then one per global check."""
    verdicts = Table(title=f"rounds and tasks ({events} events up to block {height})")
    for column in ("", "task", "outcome", "verdict"):
        verdicts.add_column(column)
    for verdict in report.verdicts:
        # Text, not markup: a mismatch message is data and may hold brackets.
        text = Text("ok", style="green") if verdict.ok else Text("\n".join(verdict.mismatches), style="red")
        for note in verdict.notes:
            text.append("\n" + note, style="dim")
        verdicts.add_row(verdict.subject, str(verdict.task_id), verdict.outcome, text)
    checks = Table(title="money and payouts")
    for column in ("check", "verdict", "detail"):
        checks.add_column(column)
    for check in report.global_checks:
        checks.add_row(check.name, Text("ok", style="green") if check.ok else Text("mismatch", style="red"), Text(check.detail))
    return [verdicts, checks]


COMMANDS = [audit]
