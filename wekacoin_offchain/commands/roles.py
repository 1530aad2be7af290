"""Every agent as a long-running process, and `wekacoin status`.

`wekacoin validator register|run`, `wekacoin supplier run` and `wekacoin trainer run`
loop around their agent's `step()`: each step reads from the chain what is due now, so
any number of agents, each in its own process, play one competition together, and a
killed agent restarted with the same account and working directory carries on.
`wekacoin status` prints the chain's tasks, models, rounds and what it owes.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.chain.actions import existing_task, format_wkc
from wekacoin_offchain.chain.connection import (
    DeploymentRecord,
    bind,
    connect,
    default_deployment_file,
    default_network,
    first_line,
    load_account,
)
from wekacoin_offchain.chain.states import RoundState, TaskState, ValidatorStatus
from wekacoin_offchain.commands.chain import (
    WkcAmount,
    agent_workdir,
    chain_options,
    content_store,
    quiet_ape,
    session,
    store_options,
)
from wekacoin_offchain.commands.ml import supplier, trainer
from wekacoin_offchain.errors import UserError

if TYPE_CHECKING:
    from wekacoin_offchain.agents.validator import ValidatorAgent


Step = Callable[[], list[str]]


# --- the agent loop ---------------------------------------------------------------------


class StopRequest:
    """Set by the first Ctrl-C or SIGTERM: the loop finishes its step and exits.

    The step in flight is not interrupted, so a transaction is never left half-sent;
    a second Ctrl-C gets Python's default behaviour back and stops at once.
    """

    def __init__(self) -> None:
        self.event = threading.Event()

    @contextmanager
    def installed(self) -> Iterator[StopRequest]:
        previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}

        def handle(number: int, frame: FrameType | None) -> None:
            self.event.set()
            for restored, handler in previous.items():
                signal.signal(restored, handler)

        for number in previous:
            signal.signal(number, handle)
        try:
            yield self
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if a stop was asked for."""
        return self.event.wait(seconds)


def run_agent(
    who: str, address: str, step: Step, *, poll: float, finished: Callable[[], bool], last_step: Step
) -> None:
    """Call `step` every `poll` seconds, printing what it did, until `finished()` or a stop
    request; then call `last_step` once (e.g. a final withdrawal).

    A transaction the chain refuses is not a failure of the agent: another agent acted
    first (two validators opening the same round, finalizing the same result), or the
    node estimated it against the latest block while the agent aimed at the next one, a
    window's edge. The next step reads the new state and acts on it.
    """
    from ape.exceptions import ContractLogicError

    def say(lines: list[str]) -> None:
        for line in lines:
            click.echo(f"{who}: {line}")

    with StopRequest().installed() as stop:
        click.echo(f"{who} {address}: watching the chain every {poll:g} s (Ctrl-C stops)")
        while True:
            try:
                say(step())
            except ContractLogicError as exc:
                say([f"the chain refused a transaction ({first_line(exc)}); trying again at the next step"])
            if finished():
                say(last_step())
                return
            if stop.wait(poll):
                say(["stopped"])
                return


def until_settled(pol: Any, task_id: int | None) -> Callable[[], bool]:
    """Whether the loop is done: never without a task id, else once the task is final."""
    if task_id is None:
        return lambda: False
    existing_task(pol, task_id)  # an unknown id is a user mistake, told before the loop starts
    return lambda: TaskState(int(pol.task(task_id).state)).is_final


def owed_line(pol: Any, account: Any) -> Step:
    def tell() -> list[str]:
        owed = int(pol.owed(account.address))
        return [f"{format_wkc(owed)} owed to {account.address}: `wekacoin withdraw` takes it"] if owed else []

    return tell


def committee_of(pol: Any) -> Any:
    from wekacoin_offchain.chain.deploy import ape_project

    return ape_project().Committee.at(pol.committee())


def poll_option(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--until-settled",
        "until_task",
        type=int,
        default=None,
        metavar="TASK_ID",
        help="Exit once this task is settled (or expired or cancelled).",
    )(function)
    function = click.option(
        "--poll", type=click.FloatRange(0.05), default=1.0, show_default=True, help="Seconds between steps."
    )(function)
    return function


# --- validator --------------------------------------------------------------------------


@click.group("validator")
def validator() -> None:
    """Bond, store task data and sit on committees."""


def check_bond(pol: Any, token: Any, committee: Any, address: str, bond: int) -> None:
    """A `UserError` if an unregistered validator cannot bond `bond`; nothing if registered."""
    if int(committee.validator(address).status) != ValidatorStatus.NONE:
        return
    min_bond = int(pol.min_bond())
    if bond < min_bond:
        raise UserError(f"a bond of {format_wkc(bond)} is below the minimum {format_wkc(min_bond)}")
    balance = int(token.balanceOf(address))
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
    """Register the account as a validator with a fresh BLS key, once."""
    with _validator_agent(network, account, deployment_file, store_dir, api, inflate_scores=False) as agent:
        check_bond(agent.pol, agent.token, agent.committee, agent.address, bond)
        done = agent.register(bond)
    click.echo(done[0] if done else f"{agent.address} is registered already")


@validator.command("run")
@click.option(
    "--bond", type=WkcAmount(), default=None, help="Bond to lock if not registered yet (default: the protocol minimum)."
)
@click.option(
    "--inflate-scores", is_flag=True, help="Demo and test switch: lie, reporting a perfect score for every model."
)
@poll_option
@chain_options
@store_options
@quiet_ape
def run_validator(
    bond: int | None,
    inflate_scores: bool,
    poll: float,
    until_task: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Register if needed, then claim storage, sit on committees and withdraw, in a loop."""
    with _validator_agent(network, account, deployment_file, store_dir, api, inflate_scores) as agent:
        finished = until_settled(agent.pol, until_task)
        stake = bond if bond is not None else int(agent.pol.min_bond())
        check_bond(agent.pol, agent.token, agent.committee, agent.address, stake)

        def step() -> list[str]:
            return agent.register(stake) + agent.claim_storage() + agent.step() + agent.withdraw()

        run_agent("validator", agent.address, step, poll=poll, finished=finished, last_step=agent.withdraw)


@contextmanager
def _validator_agent(
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
    inflate_scores: bool,
) -> Iterator[ValidatorAgent]:
    from wekacoin_offchain.agents.competition import inflate_scores as lie
    from wekacoin_offchain.agents.evaluation import EvaluationLimits
    from wekacoin_offchain.agents.validator import ValidatorAgent
    from wekacoin_offchain.ml.evaluator import Evaluator

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts), Evaluator() as evaluator:
        pol = contracts.pol
        limits = EvaluationLimits(tolerance=int(pol.score_tolerance()))
        yield ValidatorAgent(
            chain,
            pol,
            contracts.token,
            committee_of(pol),
            sender,
            store,
            agent_workdir("validator", sender),
            evaluator,
            limits,
            edit_ranking=lie if inflate_scores else None,
        )


# --- supplier and trainer ---------------------------------------------------------------


@supplier.command("run")
@poll_option
@chain_options
@store_options
@quiet_ape
def run_supplier(
    poll: float,
    until_task: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Release test sets when their height comes and register stored objects, in a loop."""
    from wekacoin_offchain.agents.supplier import SupplierAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        agent = SupplierAgent(chain, contracts.pol, contracts.token, sender, store, agent_workdir("supplier", sender))
        run_agent(
            "supplier",
            str(sender.address),
            agent.step,
            poll=poll,
            finished=until_settled(contracts.pol, until_task),
            last_step=owed_line(contracts.pol, sender),
        )


@trainer.command("run")
@poll_option
@chain_options
@store_options
@quiet_ape
def run_trainer(
    poll: float,
    until_task: int | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Reveal committed models once their test set is out and register them, in a loop."""
    from wekacoin_offchain.agents.trainer import TrainerAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (chain, sender, contracts):
        agent = TrainerAgent(chain, contracts.pol, contracts.token, sender, store, agent_workdir("trainer", sender))
        run_agent(
            "trainer",
            str(sender.address),
            agent.step,
            poll=poll,
            finished=until_settled(contracts.pol, until_task),
            last_step=owed_line(contracts.pol, sender),
        )


# --- status -----------------------------------------------------------------------------


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


def read_status(chain: Any, pol: Any, committee: Any, from_block: int, extra_accounts: tuple[str, ...]) -> ChainStatus:
    """Everything `wekacoin status` shows, read from views and events."""
    from wekacoin_offchain.ml.metrics import metric_by_id

    height = int(chain.blocks.height)
    roles: dict[str, list[str]] = {}

    def known(address: str, role: str) -> None:
        roles.setdefault(address, [])
        if role not in roles[address]:
            roles[address].append(role)

    tasks = []
    for task_id in range(1, int(pol.task_count()) + 1):
        task = pol.task(task_id)
        known(str(task.supplier), "supplier")
        tasks.append(
            TaskRow(
                task_id,
                str(TaskState(int(task.state))),
                metric_by_id(int(task.metric)).name,
                int(task.reward),
                int(task.release_height),
                int(task.model_count),
            )
        )
    models = []
    for model_id in range(1, int(pol.model_count()) + 1):
        model = pol.model(model_id)
        known(str(model.trainer), "trainer")
        models.append(
            ModelRow(
                model_id,
                int(model.task_id),
                str(model.trainer),
                int(model.revealed_at) != 0,
                int(model.model_size),
                int(model.train_score),
            )
        )
    rounds = []
    for round_id in range(1, int(committee.round_count()) + 1):
        r = committee.round(round_id)
        rounds.append(
            RoundRow(
                round_id,
                int(r.task_id),
                int(r.attempt),
                str(RoundState(int(r.state))),
                int(r.quorum),
                int(r.proposals),
                bytes(committee.round_hash(round_id)),
            )
        )
    for event in committee.ValidatorRegistered.range(from_block, height + 1):
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
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="ACCOUNT",
    help="Also show what this account (an address or test:N) is owed; repeatable.",
)
@quiet_ape
def status(network: str | None, deployment_file: Path | None, accounts: tuple[str, ...]) -> None:
    """Tasks, models, rounds and what the contract owes each known account."""
    console = Console()
    record = DeploymentRecord.load(deployment_file or default_deployment_file())
    with connect(network or default_network()) as chain:
        contracts = bind(chain, record)
        extra = tuple(_address(spec) for spec in accounts)
        with console.status("reading the chain…"):
            found = read_status(chain, contracts.pol, committee_of(contracts.pol), record.block, extra)
    for table in status_tables(found):
        console.print(table)


def _address(spec: str) -> str:
    if spec.startswith("test:"):
        return str(load_account(spec).address)
    from eth_utils.address import is_address, to_checksum_address

    if not is_address(spec):
        raise UserError(f"account {spec!r}: give an address (0x…) or test:N")
    return str(to_checksum_address(spec))


COMMANDS = [validator, status]
