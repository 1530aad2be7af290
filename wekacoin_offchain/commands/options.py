"""The options and parameter types several `wekacoin` commands share, defined once.

A command states what it needs with decorators (`@chain_options`, `@store_options`,
`@metric_option`, ...) and opens what they name with `session` and `content_store`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import METRICS, Metric, UnknownMetric, metric_by_name
from wekacoin_offchain.storage import IPFS_API_ENV, STORE_DIR_ENV

if TYPE_CHECKING:
    from wekacoin_offchain.chain.deployment import Deployment
    from wekacoin_offchain.storage import ContentStore

F = TypeVar("F", bound=Callable[..., Any])

AGENTS_ENV = "WEKACOIN_AGENTS"
DEFAULT_AGENTS_DIR = Path("wekacoin-data") / "agents"

existing_file = click.Path(exists=True, dir_okay=False, path_type=Path)


class Group(click.Group):
    """A click group that lists its commands in the order they were added (the order of
    a user's work: split, baseline, publish, release, run), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


# --- parameter types ----------------------------------------------------------------------


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


class MetricParam(click.ParamType):
    """A metric name, resolved through the registry; an unknown name is a usage error."""

    name = "metric"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Metric:
        if isinstance(value, Metric):
            return value
        try:
            return metric_by_name(str(value))
        except UnknownMetric as exc:
            self.fail(str(exc), param, ctx)


# --- options ------------------------------------------------------------------------------


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Apply `decorators` so that the options show in `--help` in the order given."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


network_option = click.option(
    "--network",
    metavar="NETWORK",
    default=None,
    help="ape network choice or node URL (default: $WEKACOIN_NETWORK or http://127.0.0.1:8545).",
)
deployment_option = click.option(
    "--deployment",
    "deployment_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Deployment file (default: $WEKACOIN_DEPLOYMENT or wekacoin-data/deployment.json).",
)


def account_option(help: str = "test:N (a devnet test account) or an ape account alias.") -> Callable[[F], F]:
    return click.option("--account", metavar="ACCOUNT", default="test:0", show_default=True, help=help)


chain_options = _stack(network_option, account_option(), deployment_option)
"""--network, --account and --deployment: every command that sends transactions."""


def store_dir_option(
    help: str = f"Embedded block store directory (default: ${STORE_DIR_ENV} or wekacoin-data/store).",
) -> Callable[[F], F]:
    return click.option("--store-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=help)


def api_option(help: str = f"IPFS RPC API instead of the embedded store (or ${IPFS_API_ENV}).") -> Callable[[F], F]:
    return click.option("--api", metavar="MULTIADDR", default=None, help=help)


store_options = _stack(store_dir_option(), api_option())
"""--store-dir and --api: which content store the command reads and writes."""

metric_option = click.option(
    "--metric",
    "metric",
    type=MetricParam(),
    required=True,
    help="One of: " + ", ".join(metric.name for metric in METRICS) + ".",
)

model_out_option = click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the ONNX model.",
)

poll_options = _stack(
    click.option(
        "--poll",
        metavar="SECONDS",
        type=click.FloatRange(0.05),
        default=1.0,
        show_default=True,
        help="Seconds between steps.",
    ),
    click.option(
        "--until-settled",
        "until_task",
        type=int,
        default=None,
        metavar="TASK_ID",
        help="Exit once this task is settled (or expired or cancelled).",
    ),
)
"""--poll and --until-settled: the loop of every `... run` command."""


# --- what the options open ------------------------------------------------------------------


def quiet_ape(function: F) -> F:
    """Silence ape's logger for the command: the commands say what happened themselves."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ape.logging import logger

        logger.set_level("ERROR")
        return function(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def session(network: str | None, account: str, deployment_file: Path | None) -> Iterator[tuple[Any, Deployment]]:
    """Connect to `network` and yield the account and the deployment of the file."""
    from wekacoin_offchain.chain.connection import (
        DeploymentRecord,
        bind,
        connect,
        default_deployment_file,
        default_network,
        load_account,
    )

    with connect(network or default_network()) as chain:
        yield load_account(account), bind(chain, DeploymentRecord.load(deployment_file or default_deployment_file()))


@contextmanager
def deployment_session(network: str | None, deployment_file: Path | None) -> Iterator[Deployment]:
    """Connect to `network` and yield the deployment of the file (no account needed)."""
    from wekacoin_offchain.chain.connection import (
        DeploymentRecord,
        bind,
        connect,
        default_deployment_file,
        default_network,
    )

    record = DeploymentRecord.load(deployment_file or default_deployment_file())
    with connect(network or default_network()) as chain:
        yield bind(chain, record)


def content_store(store_dir: Path | None, api: str | None) -> ContentStore:
    from wekacoin_offchain.storage import open_content_store

    if store_dir is not None and api is not None:
        raise UserError("--store-dir and --api name different stores: give one")
    return open_content_store(store_dir=store_dir, api=api)


def agent_workdir(role: str, account: Any) -> Path:
    """Where an agent keeps its secrets: one folder per role and account."""
    return Path(os.environ.get(AGENTS_ENV) or DEFAULT_AGENTS_DIR) / f"{role}-{account.address}"
