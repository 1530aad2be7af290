"""The loop of every `wekacoin ... run` command: step an agent until told to stop.

`wekacoin validator run`, `wekacoin supplier run` and `wekacoin trainer run` loop around
their agent's `step()`: each step reads from the chain what is due now, so any number of
agents, each in its own process, play one competition together, and a killed agent
restarted with the same account and working directory carries on.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from wekacoin_offchain.chain.actions import existing_task, format_wkc
from wekacoin_offchain.errors import UserError, first_line

if TYPE_CHECKING:
    from wekacoin_offchain.chain.deployment import Deployment

Step = Callable[[], list[str]]


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


# The longest wait between two attempts while steps keep failing (a node down for a while):
# windows are counted in blocks, so an agent must not sleep through one once the node is back.
MAX_BACKOFF_S = 10.0


def run_agent(
    who: str, address: str, step: Step, *, poll: float, finished: Callable[[], bool], last_step: Step
) -> None:
    """Call `step` every `poll` seconds, printing what it did, until `finished()` or a stop
    request; then call `last_step` once (e.g. a final withdrawal).

    No failure ends the loop (docs/agents.md, "the run loops"): a transaction the chain
    refuses (another agent acted first, or a window's edge moved under the estimate), a
    node that is down or restarting, a store that does not answer. Each failure is one
    line; the loop waits, doubling the wait up to `MAX_BACKOFF_S` while failures last, and
    the next step reads the chain's state afresh and estimates its gas again.
    """

    def say(lines: list[str]) -> None:
        for line in lines:
            click.echo(f"{who}: {line}")

    from ape.exceptions import ContractLogicError

    failures = 0
    with StopRequest().installed() as stop:
        click.echo(f"{who} {address}: watching the chain every {poll:g} s (Ctrl-C stops)")
        while True:
            wait = poll
            try:
                say(step())
                if finished():
                    say(last_step())
                    return
                failures = 0
            except ContractLogicError as exc:  # a race or a window's edge: the next step acts on the new state
                say([f"the chain refused a transaction ({first_line(exc)}); trying again in {wait:g} s"])
            except Exception as exc:  # a node or store outage, or anything else: never fatal
                failures += 1
                wait = min(poll * 2**failures, max(poll, MAX_BACKOFF_S))
                say([f"step failed ({failure_line(exc)}); trying again in {wait:g} s"])
            if stop.wait(wait):
                say(["stopped"])
                return


def failure_line(exc: BaseException) -> str:
    """A failure in a few words: a user error's message, else the error's type and message."""
    return first_line(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {first_line(exc)}"


def until_settled(deployment: Deployment, task_id: int | None) -> Callable[[], bool]:
    """Whether the loop is done: never without a task id, else once the task is final."""
    if task_id is None:
        return lambda: False
    existing_task(deployment.pol, task_id)  # an unknown id is a user mistake, told before the loop starts
    return lambda: deployment.task(task_id).state.is_final


def owed_line(deployment: Deployment, account: Any) -> Step:
    """The last step of a supplier's or trainer's loop: what it may withdraw now."""

    def tell() -> list[str]:
        owed = int(deployment.pol.owed(account.address))
        return [f"{format_wkc(owed)} owed to {account.address}: `wekacoin withdraw` takes it"] if owed else []

    return tell
