"""The chain commands of `wekacoin`: node, deploy, transfer, withdraw and status.

They connect to `--network` (default `$WEKACOIN_NETWORK` or a node at
http://127.0.0.1:8545, which `wekacoin node` starts), act as `--account` (`test:N` for
the devnet's funded accounts, or an ape account alias) and find the contracts in the
deployment file `wekacoin deploy` writes. `wekacoin status` prints the chain's tasks,
models, rounds and what it owes.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.commands.options import (
    WkcAmount,
    account_option,
    chain_options,
    deployment_option,
    deployment_session,
    network_option,
    quiet_ape,
    session,
)
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.paths import PROJECT_ROOT

if TYPE_CHECKING:
    from wekacoin_offchain.chain.deployment import Deployment


@click.command("node")
@click.option("--port", type=click.IntRange(1, 65_535), default=8545, show_default=True, help="Port to listen on.")
def node(port: int) -> None:
    """Run a local devnet node (anvil) on 127.0.0.1.

    Prague rules, in the foreground: Ctrl-C stops it.
    """
    anvil = shutil.which("anvil") or str(PROJECT_ROOT / "node_modules" / ".bin" / "anvil")
    if not Path(anvil).exists():
        raise UserError("anvil is not installed: run `npm ci` in the repository (or `make setup`)")
    os.execv(anvil, [anvil, "--host", "127.0.0.1", "--port", str(port), "--hardfork", "prague"])


@click.command("deploy")
@network_option
@account_option("The deployer: test:N or an ape account alias.")
@click.option(
    "--deployment",
    "deployment_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the addresses (default: $WEKACOIN_DEPLOYMENT or wekacoin-data/deployment.json).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A protocol parameter, e.g. --param min_training_period=3.",
)
@quiet_ape
def deploy(network: str | None, account: str, deployment_file: Path | None, params: tuple[str, ...]) -> None:
    """Deploy the contracts; write their addresses to a file."""
    from wekacoin_offchain.chain import deploy_contracts
    from wekacoin_offchain.chain.connection import (
        DeploymentRecord,
        connect,
        default_deployment_file,
        default_network,
        load_account,
    )

    overrides = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise UserError(f"--param {item!r}: write NAME=INTEGER")
        overrides[name.strip()] = int(value)
    with connect(network or default_network()):
        record = DeploymentRecord.of(deploy_contracts(load_account(account), **overrides))
    path = deployment_file or default_deployment_file()
    record.save(path)
    click.echo(f"WekaCoin        {record.token}\nProofOfLearning {record.pol}\naddresses saved to {path}")


@click.command("transfer")
@click.argument("to")
@click.argument("amount", type=WkcAmount())
@chain_options
@quiet_ape
def transfer(to: str, amount: int, network: str | None, account: str, deployment_file: Path | None) -> None:
    """Send AMOUNT WKC to TO (an address or test:N)."""
    from wekacoin_offchain.chain.connection import load_account

    with session(network, account, deployment_file) as (sender, deployment):
        recipient = load_account(to).address if to.startswith("test:") else to
        balance = int(deployment.token.balanceOf(sender.address))
        if balance < amount:
            raise UserError(f"{sender.address} holds {format_wkc(balance)}, less than {format_wkc(amount)}")
        try:
            deployment.token.transfer(recipient, amount, sender=sender)
        except Exception as exc:  # e.g. a malformed address, rejected by ape's conversion
            raise UserError(f"cannot send to {to!r}: {str(exc).splitlines()[0]}") from None
        click.echo(f"sent {format_wkc(amount)} to {recipient}")


@click.command("withdraw")
@chain_options
@quiet_ape
def withdraw(network: str | None, account: str, deployment_file: Path | None) -> None:
    """Take everything the contract owes the account."""
    from wekacoin_offchain.chain import actions

    with session(network, account, deployment_file) as (sender, deployment):
        amount = actions.withdraw(deployment.pol, sender)
        click.echo(f"withdrew {format_wkc(amount)} to {sender.address}")


@dataclass(frozen=True)
class TaskRow:
    task_id: int
    state: str
    metric: str
    reward: int
    release_height: int
    models: int


@dataclass(frozen=True)
class ModelRow:
    model_id: int
    task_id: int
    trainer: str
    revealed: bool
    size: int
    train_score: int


@dataclass(frozen=True)
class RoundRow:
    round_id: int
    task_id: int
    attempt: int
    state: str
    quorum: int
    proposals: int
    round_hash: bytes


@dataclass(frozen=True)
class AccountRow:
    address: str
    roles: tuple[str, ...]
    owed: int


@dataclass(frozen=True)
class ChainStatus:
    height: int
    tasks: tuple[TaskRow, ...]
    models: tuple[ModelRow, ...]
    rounds: tuple[RoundRow, ...]
    accounts: tuple[AccountRow, ...]


def read_status(deployment: Deployment, extra_accounts: tuple[str, ...]) -> ChainStatus:
    """Everything `wekacoin status` shows, read from views and events."""
    from wekacoin_offchain.ml.metrics import metric_by_id

    pol, committee = deployment.pol, deployment.committee
    height = deployment.height
    roles: dict[str, list[str]] = {}

    def known(address: str, role: str) -> None:
        roles.setdefault(address, [])
        if role not in roles[address]:
            roles[address].append(role)

    tasks = []
    for task_id in range(1, int(pol.task_count()) + 1):
        task = deployment.task(task_id)
        known(task.supplier, "supplier")
        tasks.append(
            TaskRow(
                task_id,
                str(task.state),
                metric_by_id(task.metric).name,
                task.reward,
                task.release_height,
                task.model_count,
            )
        )
    models = []
    for model_id in range(1, int(pol.model_count()) + 1):
        model = deployment.model(model_id)
        known(model.trainer, "trainer")
        models.append(
            ModelRow(model_id, model.task_id, model.trainer, model.revealed, model.model_size, model.train_score)
        )
    rounds = []
    for round_id in range(1, int(committee.round_count()) + 1):
        r = deployment.round(round_id)
        rounds.append(
            RoundRow(
                round_id,
                r.task_id,
                r.attempt,
                str(r.state),
                r.quorum,
                r.proposals,
                bytes(committee.round_hash(round_id)),
            )
        )
    for event in committee.ValidatorRegistered.range(deployment.first_block, height + 1):
        known(str(event.validator), "validator")
    for address in extra_accounts:
        known(address, "asked for")
    accounts = tuple(AccountRow(address, tuple(kinds), int(pol.owed(address))) for address, kinds in roles.items())
    return ChainStatus(height, tuple(tasks), tuple(models), tuple(rounds), accounts)


def status_tables(status: ChainStatus) -> list[Table]:
    from wekacoin_offchain.ml.metrics import format_score

    tasks = Table(title=f"tasks (chain height {status.height})")
    for column in ("task", "state", "metric", "reward", "release height", "models"):
        tasks.add_column(column)
    for t in status.tasks:
        tasks.add_row(str(t.task_id), t.state, t.metric, format_wkc(t.reward), str(t.release_height), str(t.models))
    models = Table(title="models")
    for column in ("model", "task", "trainer", "revealed", "size", "training score"):
        models.add_column(column)
    for m in status.models:
        models.add_row(
            str(m.model_id),
            str(m.task_id),
            m.trainer,
            "yes" if m.revealed else "no",
            str(m.size) if m.revealed else "",
            format_score(m.train_score),
        )
    rounds = Table(title="rounds")
    for column in ("round", "task", "attempt", "state", "quorum", "proposals", "round hash"):
        rounds.add_column(column)
    for r in status.rounds:
        rounds.add_row(
            str(r.round_id),
            str(r.task_id),
            str(r.attempt),
            r.state,
            str(r.quorum),
            str(r.proposals),
            "0x" + r.round_hash.hex() if any(r.round_hash) else "",
        )
    owed = Table(title="owed by the contract")
    for column in ("account", "role", "owed"):
        owed.add_column(column)
    for a in status.accounts:
        owed.add_row(a.address, ", ".join(a.roles), format_wkc(a.owed))
    return [tasks, models, rounds, owed]


@click.command("status")
@network_option
@deployment_option
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="ACCOUNT",
    help="Also show what this account (an address or test:N) is owed; repeatable.",
)
@quiet_ape
def status(network: str | None, deployment_file: Path | None, accounts: tuple[str, ...]) -> None:
    """Tasks, models, rounds and what the contract owes each account."""
    console = Console()
    with deployment_session(network, deployment_file) as deployment:
        extra = tuple(_address(spec) for spec in accounts)
        with console.status("reading the chain…"):
            found = read_status(deployment, extra)
    for table in status_tables(found):
        console.print(table)


def _address(spec: str) -> str:
    from wekacoin_offchain.chain.connection import load_account

    if spec.startswith("test:"):
        return str(load_account(spec).address)
    from eth_utils.address import is_address, to_checksum_address

    if not is_address(spec):
        raise UserError(f"account {spec!r}: give an address (0x…) or test:N")
    return str(to_checksum_address(spec))


COMMANDS: list[click.Command] = [node, deploy, transfer, withdraw, status]
