"""`wekacoin` commands that talk to a chain: node, deploy, status, transfer, withdraw,
and the supplier's and trainer's chain steps (added to the `supplier` and `trainer` groups).

They connect to `--network` (default `$WEKACOIN_NETWORK` or a node at
http://127.0.0.1:8545, which `wekacoin node` starts), act as `--account` (`test:N` for
the devnet's funded accounts, or an ape account alias) and find the contracts in the
deployment file `wekacoin deploy` writes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from functools import wraps
from pathlib import Path
from typing import Any

import click

from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.chain.connection import (
    Contracts,
    DeploymentRecord,
    bind,
    connect,
    default_deployment_file,
    default_network,
    load_account,
)
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.commands.ml import MetricParam, supplier, trainer
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.storage import ContentStore, open_content_store

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class WkcAmount(click.ParamType):
    """An amount of WKC in decimal (`50`, `0.25`), converted to wei."""

    name = "wkc"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            wei = Decimal(str(value)) * WEI_PER_WKC
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount of WKC", param, ctx)
        if wei < 0 or wei != wei.to_integral_value():
            self.fail(f"{value!r} is not a non-negative amount with at most 18 decimals", param, ctx)
        return int(wei)


def chain_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--network, --account and --deployment, shared by every chain command."""
    function = click.option(
        "--deployment",
        "deployment_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Deployment file (default: $WEKACOIN_DEPLOYMENT or wekacoin-data/deployment.json).",
    )(function)
    function = click.option(
        "--account", default="test:0", show_default=True, help="test:N (a devnet test account) or an ape account alias."
    )(function)
    function = click.option(
        "--network",
        default=None,
        help="ape network choice or node URL (default: $WEKACOIN_NETWORK or http://127.0.0.1:8545).",
    )(function)
    return function


def store_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--api", metavar="MULTIADDR", default=None, help="IPFS RPC API instead of the embedded store."
    )(function)
    function = click.option(
        "--store-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Embedded block store directory.",
    )(function)
    return function


@contextmanager
def session(network: str | None, account: str, deployment_file: Path | None) -> Iterator[tuple[Any, Any, Contracts]]:
    with connect(network or default_network()) as chain:
        yield (
            chain,
            load_account(account),
            bind(chain, DeploymentRecord.load(deployment_file or default_deployment_file())),
        )


def agent_workdir(role: str, account: Any) -> Path:
    return Path(os.environ.get("WEKACOIN_AGENTS", "wekacoin-data/agents")) / f"{role}-{account.address}"


def content_store(store_dir: Path | None, api: str | None) -> ContentStore:
    if store_dir is not None and api is not None:
        raise UserError("--store-dir and --api name different stores: give one")
    return open_content_store(store_dir=store_dir, api=api)


def quiet_ape(function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ape.logging import logger

        logger.set_level("ERROR")  # the commands say what happened themselves
        return function(*args, **kwargs)

    return wrapper


@click.command("node")
@click.option("--port", type=click.IntRange(1, 65_535), default=8545, show_default=True)
def node(port: int) -> None:
    """Run a local devnet node (anvil, Prague rules) on 127.0.0.1 in the foreground."""
    anvil = shutil.which("anvil") or str(PROJECT_ROOT / "node_modules" / ".bin" / "anvil")
    if not Path(anvil).exists():
        raise UserError("anvil is not installed: run `npm ci` in the repository (or `make setup`)")
    os.execv(anvil, [anvil, "--host", "127.0.0.1", "--port", str(port), "--hardfork", "prague"])


@click.command("deploy")
@click.option(
    "--network",
    default=None,
    help="ape network choice or node URL (default: $WEKACOIN_NETWORK or http://127.0.0.1:8545).",
)
@click.option("--account", default="test:0", show_default=True, help="The deployer: test:N or an ape account alias.")
@click.option(
    "--deployment",
    "deployment_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the addresses.",
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
    """Deploy WekaCoin and ProofOfLearning and write their addresses to the deployment file."""
    from wekacoin_offchain.chain import deploy_contracts

    overrides = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise UserError(f"--param {item!r}: write NAME=INTEGER")
        overrides[name.strip()] = int(value)
    with connect(network or default_network()) as chain:
        deployment = deploy_contracts(load_account(account), **overrides)
        record = DeploymentRecord(
            chain_id=int(chain.chain_id),
            token=str(deployment.token.address),
            pol=str(deployment.pol.address),
            block=int(chain.blocks.height),
            verifier=str(deployment.verifier.address) if getattr(deployment, "verifier", None) is not None else None,
        )
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
    with session(network, account, deployment_file) as (_, sender, contracts):
        recipient = load_account(to).address if to.startswith("test:") else to
        balance = int(contracts.token.balanceOf(sender.address))
        if balance < amount:
            raise UserError(f"{sender.address} holds {format_wkc(balance)}, less than {format_wkc(amount)}")
        try:
            contracts.token.transfer(recipient, amount, sender=sender)
        except Exception as exc:  # e.g. a malformed address, rejected by ape's conversion
            raise UserError(f"cannot send to {to!r}: {str(exc).splitlines()[0]}") from None
        click.echo(f"sent {format_wkc(amount)} to {recipient}")


@click.command("withdraw")
@chain_options
@quiet_ape
def withdraw(network: str | None, account: str, deployment_file: Path | None) -> None:
    """Take everything the contract owes the account."""
    from wekacoin_offchain.chain import actions

    with session(network, account, deployment_file) as (_, sender, contracts):
        amount = actions.withdraw(contracts.pol, sender)
        click.echo(f"withdrew {format_wkc(amount)} to {sender.address}")


@supplier.command("publish")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--metric", "metric", type=MetricParam(), required=True)
@click.option("--reward", type=WkcAmount(), required=True, help="Reward for the best model, in WKC.")
@click.option("--hosting-fee", type=WkcAmount(), default="1", show_default=True, help="Fee for the validators, in WKC.")
@click.option("--test-fraction", type=float, default=0.3, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--training-blocks",
    type=click.IntRange(0),
    default=None,
    help="Blocks until the test release (default: the minimum).",
)
@chain_options
@store_options
@quiet_ape
def publish(
    dataset: Path,
    metric: Any,
    reward: int,
    hosting_fee: int,
    test_fraction: float,
    seed: int,
    training_blocks: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Split DATASET, store the training set and a baseline, and publish the task."""
    from wekacoin_offchain.agents.supplier import SupplierAgent
    from wekacoin_offchain.ml import load_dataset

    data = load_dataset(dataset, classification=metric.kind.is_classification)
    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        agent = SupplierAgent(chain, contracts.pol, contracts.token, sender, store, agent_workdir("supplier", sender))
        blocks = training_blocks if training_blocks is not None else int(contracts.pol.min_training_period())
        task = agent.publish(
            data,
            metric,
            test_fraction=test_fraction,
            seed=seed,
            reward=reward,
            hosting_fee=hosting_fee,
            training_blocks=blocks,
        )
    click.echo(
        f"task {task.task_id} published: training set {task.train_cid}, test set released from block {task.release_height}"
    )


@supplier.command("release")
@chain_options
@store_options
@quiet_ape
def release(
    network: str | None, account: str, deployment_file: Path | None, store_dir: Path | None, api: str | None
) -> None:
    """Release the test set of every task of the account whose release window is open."""
    from wekacoin_offchain.agents.supplier import SupplierAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        done = SupplierAgent(
            chain, contracts.pol, contracts.token, sender, store, agent_workdir("supplier", sender)
        ).step()
    click.echo("\n".join(done) if done else "nothing to release now")


@trainer.command("commit")
@click.argument("task_id", type=int)
@click.option("--model", "kind", default=None, help="Model kind to fit (see `wekacoin trainer fit --help`).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--model-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Commit to this file as it is instead of fitting a model (with --train-score).",
)
@click.option("--train-score", default=None, help="The training score claimed for --model-file, e.g. 0.95.")
@chain_options
@store_options
@quiet_ape
def commit(
    task_id: int,
    kind: str | None,
    seed: int,
    model_file: Path | None,
    train_score: str | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Fit a model on TASK_ID's training set (or take --model-file), store it and commit to it."""
    from wekacoin_offchain.agents.trainer import TrainerAgent
    from wekacoin_offchain.ml.metrics import parse_score

    if (kind is None) == (model_file is None):
        raise UserError("give either --model KIND (fit one) or --model-file FILE (commit to a file)")
    if (model_file is None) != (train_score is None):
        raise UserError("--train-score goes with --model-file, and --model-file needs it")
    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        agent = TrainerAgent(chain, contracts.pol, contracts.token, sender, store, agent_workdir("trainer", sender))
        if model_file is not None:
            submission = agent.submit_bytes(
                task_id, model_file.name, model_file.read_bytes(), parse_score(str(train_score))
            )
        else:
            submission = agent.submit(task_id, str(kind), seed)
    click.echo(
        f"model {submission.model_id} committed to task {task_id}: {submission.kind}, training score {submission.train_score}"
    )


@trainer.command("reveal")
@chain_options
@store_options
@quiet_ape
def reveal(
    network: str | None, account: str, deployment_file: Path | None, store_dir: Path | None, api: str | None
) -> None:
    """Reveal every committed model of the account whose task's test set is out."""
    from wekacoin_offchain.agents.trainer import TrainerAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        done = TrainerAgent(
            chain, contracts.pol, contracts.token, sender, store, agent_workdir("trainer", sender)
        ).step()
    click.echo("\n".join(done) if done else "nothing to reveal now")


COMMANDS = [node, deploy, transfer, withdraw]
