"""A whole competition with every agent in its own `wekacoin ... run` process, on anvil.

One supplier, six trainers (one commits a file that is not ONNX), five validators (one,
run by `lying_validator.py` since no production command lies, inflates every score)
share one block store and nothing else; blocks advance on a timer
while they are idle. One honest validator is killed with SIGKILL right after its
proposal is on chain and started again: the round still settles, the restarted validator
is paid, the best honest model's trainer gets the reward and the liar gets nothing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
from eth_abi.abi import encode
from eth_hash.auto import keccak
from eth_utils.address import to_checksum_address

from tests.cli.conftest import WEKACOIN, Anvil, Cli
from tests.e2e.conftest import TEST_ACCOUNTS
from tests.fixtures.anvil import ROOT
from wekacoin_offchain.chain.connection import DeploymentRecord, bind, connect
from wekacoin_offchain.consensus import CreditReason
from wekacoin_offchain.demo import DEMO_PARAMETERS, HONEST_KINDS, breast_cancer_csv

pytestmark = pytest.mark.slow

SUPPLIER = 1
TRAINERS = tuple(range(2, 2 + len(HONEST_KINDS) + 1))  # the last one commits the broken file
VALIDATORS = tuple(range(TRAINERS[-1] + 1, TRAINERS[-1] + 6))  # the last one lies
LIAR = VALIDATORS[-1]
REWARD_WKC = 100
SECONDS_PER_BLOCK = 1
LYING_VALIDATOR = (str(ROOT / ".venv" / "bin" / "python"), str(Path(__file__).with_name("lying_validator.py")))
PROPOSED = keccak(b"Proposed(uint256,address,uint256,bytes32,bytes32,bytes32)")


@dataclass
class Agent:
    """One `wekacoin` process, its output in a file (a pipe nobody reads could fill up)."""

    name: str
    argv: list[str]
    cli: Cli
    program: tuple[str, ...] = (str(WEKACOIN),)
    log: Path = field(init=False)
    process: subprocess.Popen[bytes] = field(init=False)

    def start(self) -> None:
        self.log = self.cli.workdir / f"{self.name}-{time.monotonic_ns()}.log"
        env = {**os.environ, "WEKACOIN_NETWORK": self.cli.network}
        with self.log.open("wb") as out:
            # A session of its own: SIGKILL then reaches the evaluator's worker too.
            self.process = subprocess.Popen(
                [*self.program, *self.argv],
                cwd=self.cli.workdir,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def interval_mining(anvil: Anvil, seconds: int) -> Iterator[None]:
    """A block every `seconds`, however many transactions come: windows then last a
    time, and agents busy starting up or evaluating cannot be outrun by other agents'
    transactions, one block each under automining."""
    anvil.rpc("evm_setIntervalMining", seconds)
    try:
        yield
    finally:
        anvil.rpc("evm_setIntervalMining", 0)
        anvil.rpc("evm_setAutomine", True)


@pytest.fixture
def cli(anvil: Anvil, tmp_path: Path) -> Cli:
    (tmp_path / "breast-cancer.csv").write_bytes(breast_cancer_csv())
    (tmp_path / "broken.onnx").write_bytes(os.urandom(2_048))
    # ape knows 10 test accounts unless the directory's ape config asks for more.
    (tmp_path / "ape-config.yaml").write_text(f"test:\n  number_of_accounts: {TEST_ACCOUNTS}\n")
    return Cli(tmp_path, anvil.url)


@pytest.fixture
def agents() -> Iterator[list[Agent]]:
    started: list[Agent] = []
    yield started
    for agent in started:
        if agent.process.poll() is None:
            agent.kill()


def fund(anvil: Anvil, token: str, sender: str, accounts: list[str], wkc: int) -> None:
    """Send WKC from `sender` through anvil's unlocked accounts: one process instead of a
    `wekacoin transfer` process (five seconds of start-up each) per agent."""
    selector = keccak(b"transfer(address,uint256)")[:4]
    for account in accounts:
        data = selector + encode(["address", "uint256"], [account, wkc * 10**18])
        anvil.rpc("eth_sendTransaction", {"from": sender, "to": token, "data": "0x" + data.hex()})


def accounts_of(anvil: Anvil) -> list[str]:
    return [to_checksum_address(str(a)) for a in cast(list[str], anvil.rpc("eth_accounts"))]


def proposed(anvil: Anvil, committee: str, member: str) -> bool:
    topic = "0x" + bytes(12).hex() + member.lower().removeprefix("0x")
    logs = anvil.rpc(
        "eth_getLogs",
        {"address": committee, "fromBlock": "0x0", "toBlock": "latest", "topics": ["0x" + PROPOSED.hex(), None, topic]},
    )
    return bool(logs)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def test_a_competition_across_processes_survives_a_killed_validator(
    cli: Cli, anvil: Anvil, agents: list[Agent]
) -> None:
    store = ["--store-dir", "store"]
    cli.ok("deploy", *(arg for name, value in DEMO_PARAMETERS.items() for arg in ("--param", f"{name}={value}")))
    record = DeploymentRecord.load(cli.workdir / "wekacoin-data" / "deployment.json")
    addresses = accounts_of(anvil)
    fund(anvil, record.token, addresses[0], [addresses[n] for n in (SUPPLIER, *TRAINERS, *VALIDATORS)], 1_000)

    published = cli.ok(
        "supplier",
        "publish",
        "breast-cancer.csv",
        "--metric",
        "accuracy",
        "--reward",
        str(REWARD_WKC),
        "--hosting-fee",
        "10",
        "--seed",
        "11",
        "--training-blocks",
        "30",
        "--account",
        f"test:{SUPPLIER}",
        *store,
    )
    task_id = re.search(r"task (\d+) published", published).group(1)  # type: ignore[union-attr]
    until = ["--until-settled", task_id, "--poll", "0.5", *store]
    validators = {
        n: Agent(
            f"validator-{n}",
            [*(() if n == LIAR else ("validator", "run")), "--bond", "200", "--account", f"test:{n}", *until],
            cli,
            program=LYING_VALIDATOR if n == LIAR else (str(WEKACOIN),),
        )
        for n in VALIDATORS
    }
    commits = [
        Agent(
            f"commit-{n}",
            ["trainer", "commit", task_id, "--model", kind, "--seed", "2", "--account", f"test:{n}", *store],
            cli,
        )
        for n, kind in zip(TRAINERS, HONEST_KINDS, strict=False)
    ]
    commits.append(
        Agent(
            "commit-broken",
            [
                "trainer",
                "commit",
                task_id,
                "--model-file",
                "broken.onnx",
                "--train-score",
                "0.99",
                "--account",
                f"test:{TRAINERS[-1]}",
                *store,
            ],
            cli,
        )
    )
    # Validators bond while the trainers train; until every agent is up, blocks come only
    # from their transactions (automining), so nobody misses a window while starting.
    agents.extend(validators.values())
    for agent in (*validators.values(), *commits):
        agent.start()
    for commit in commits:
        assert commit.process.wait(timeout=120) == 0, commit.output()
    runners = [Agent("supplier", ["supplier", "run", "--account", f"test:{SUPPLIER}", *until], cli)]
    runners.extend(Agent(f"trainer-{n}", ["trainer", "run", "--account", f"test:{n}", *until], cli) for n in TRAINERS)
    agents.extend(runners)
    for agent in runners:
        agent.start()
    wait_for(lambda: all("watching the chain" in agent.output() for agent in agents), 120, "every agent to start")

    committee = (
        "0x"
        + cast(
            str, anvil.rpc("eth_call", {"to": record.pol, "data": "0x" + keccak(b"committee()")[:4].hex()}, "latest")
        )[-40:]
    )
    with interval_mining(anvil, SECONDS_PER_BLOCK):
        honest = [n for n in VALIDATORS if n != LIAR]
        wait_for(lambda: any(proposed(anvil, committee, addresses[n]) for n in honest), 150, "an honest proposal")
        victim = next(n for n in honest if proposed(anvil, committee, addresses[n]))
        killed = validators[victim]
        killed.kill()
        restarted = Agent(f"validator-{victim}-restarted", killed.argv, cli, killed.program)
        restarted.start()
        agents.append(restarted)
        for agent in agents:
            if agent is not killed:
                assert agent.process.wait(timeout=150) == 0, f"{agent.name}:\n{agent.output()}"

    status = cli.ok("status", "--account", f"test:{LIAR}")
    assert re.search(rf"│ {task_id}\s+│ settled", status), status

    with connect(anvil.url) as chain:
        pol = bind(chain, record).pol
        height = int(chain.blocks.height) + 1
        (finalized,) = pol.RoundFinalized.range(0, height)
        credits = [e for e in pol.Credited.range(0, height) if int(e.task_id) == int(task_id)]
        trainers = {int(m): str(pol.model(m).trainer) for m in range(1, int(pol.model_count()) + 1)}
        winner, genuine, _ = finalized.ranking[0]
        assert genuine and trainers[int(winner)] != addresses[TRAINERS[-1]], "the broken model cannot win"
        assert [(str(e.account), int(e.amount)) for e in credits if int(e.reason) == CreditReason.REWARD] == [
            (trainers[int(winner)], REWARD_WKC * 10**18)
        ]
        valid = {str(v) for v in finalized.valid_validators}
        assert addresses[LIAR] not in valid
        assert all(str(e.account) != addresses[LIAR] for e in credits), "the liar is paid nothing"
        assert addresses[victim] in valid
        assert any(str(e.account) == addresses[victim] and int(e.amount) > 0 for e in credits)
        assert int(pol.owed(addresses[victim])) == 0, "the restarted validator withdrew its pay"
    assert "withdrew" in restarted.output()
