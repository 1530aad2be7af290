"""The reader and `wekacoin audit` on ape's default local network (py-evm in process):
a short life of two tasks (one revealed and left open, one expired), a withdrawal, read
back through ape and audited clean; user mistakes end in one line and exit code 2."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ape
import pytest

from wekacoin_offchain.audit.events import Credited, ModelRevealed, TaskExpired, Withdrawn
from wekacoin_offchain.audit.reader import read_deployment
from wekacoin_offchain.audit.replay import audit
from wekacoin_offchain.chain import Deployment, actions, deploy_contracts
from wekacoin_offchain.chain.actions import TaskRequest
from wekacoin_offchain.chain.connection import DeploymentRecord
from wekacoin_offchain.cli import main
from wekacoin_offchain.commitments import test_commitment

pytestmark = pytest.mark.ape

TRAIN = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
BASELINE = "bafkreigl4xh567bbdcu4hv4o6hlij45pucesae2srbsetidkmui4733uu4"
TEST = "bafkreigsaaostlhxznntghdlhr3sl55xdleq4q4ejkmdsjzr3a4ggdzvwm"
MODEL = "QmXVTrA72LyuC2DwTDWQybo4q38rUzDtX3BLLWsBX57toR"
SALT = bytes(range(32))
MODEL_SALTS = (bytes(range(1, 33)), bytes(range(2, 34)))  # one model per task, distinct commitments
WKC = 10**18
LOCAL = "ethereum:local:test"


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    with ape.networks.parse_network_choice(LOCAL):
        yield ape.chain


@dataclass(frozen=True)
class ShortRun:
    deployment: Deployment
    block: int  # the first block of the deployment


@pytest.fixture(scope="module")
def run(ape_chain: Any) -> ShortRun:
    """Deployed, then a short run: publish two tasks, commit, release and reveal one, expire the other, withdraw."""
    accounts = ape.accounts.test_accounts
    first_block = ape_chain.blocks.height + 1
    deployment = deploy_contracts(accounts[0])
    supplier, trainer = accounts[1], accounts[2]
    for account in (supplier, trainer):
        deployment.token.transfer(account, 1_000 * WKC, sender=accounts[0])
    pol, token, params = deployment.pol, deployment.token, deployment.parameters
    tasks = []
    for _ in range(2):
        release = ape_chain.blocks.height + 2 + params.min_training_period
        request = TaskRequest(
            TRAIN, test_commitment(TEST, SALT), "accuracy", release, 50 * WKC, 5 * WKC, BASELINE, 330_000
        )
        tasks.append(actions.publish_task(pol, token, ape_chain, supplier, request))
    models = [
        actions.commit_model(pol, token, ape_chain, trainer, task, MODEL, salt, 900_000)
        for task, salt in zip(tasks, MODEL_SALTS, strict=True)
    ]
    ape_chain.mine(params.min_training_period)
    actions.release_test(pol, ape_chain, supplier, tasks[0], TEST, SALT)
    actions.reveal_model(pol, ape_chain, trainer, models[0], MODEL, MODEL_SALTS[0], 1_234)
    ape_chain.mine(params.release_window)
    actions.expire_task(pol, ape_chain, accounts[3], tasks[1])
    actions.withdraw(pol, trainer)
    return ShortRun(deployment, first_block)


def test_a_short_run_read_through_ape_audits_clean(ape_chain: Any, run: ShortRun) -> None:
    deployment = run.deployment
    reading = read_deployment(deployment, run.block)
    kinds = {type(event) for event in reading.log}
    assert {ModelRevealed, TaskExpired, Credited, Withdrawn} <= kinds
    assert reading.state.escrowed == 55 * WKC + deployment.parameters.participation_fee  # the open task
    report = audit(reading.log, reading.state, reading.params)
    assert report.clean, (report.verdicts, report.global_checks)
    assert [(verdict.subject, verdict.outcome) for verdict in report.verdicts] == [("task 2", "expired")]


def run_cli(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """`wekacoin ARGS` in this process (so that it sees the in-process network): exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["wekacoin", *args])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_cli_audits_a_deployment_file(
    run: ShortRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = run.deployment
    record = tmp_path / "deployment.json"
    DeploymentRecord(int(ape.chain.chain_id), deployment.token.address, deployment.pol.address, run.block).save(record)
    code, out, err = run_cli(["audit", "--network", LOCAL, "--deployment", str(record)], monkeypatch, capsys)
    assert (code, err) == (0, "")
    assert "task 2" in out and "expired" in out and "audit clean" in out
    store = ["--store-dir", str(tmp_path / "store")]  # no round here: no document to fetch
    code, out, _ = run_cli(
        ["audit", "--network", LOCAL, "--address", deployment.pol.address, *store], monkeypatch, capsys
    )
    assert code == 0 and "audit clean" in out


def test_a_log_that_starts_too_late_is_a_mismatch_exit_1(
    run: ShortRun, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without the publications the escrow cannot be rebuilt from the events.
    late = str(run.block + 10)
    code, out, _ = run_cli(
        ["audit", "--network", LOCAL, "--address", run.deployment.pol.address, "--from-block", late],
        monkeypatch,
        capsys,
    )
    assert code == 1
    assert "audit found mismatches" in out and "mismatch" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--address", "0x000000000000000000000000000000000000dEaD"],
            "error: no contract at 0x000000000000000000000000000000000000dEaD on this network\n",
        ),
        (["--address", "0x1234"], "error: '0x1234' is not an address\n"),
        (
            ["--network", "http://127.0.0.1:1", "--address", "0x000000000000000000000000000000000000dEaD"],
            "error: cannot connect to network",
        ),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    run: ShortRun, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    network = [] if "--network" in args else ["--network", LOCAL]
    code, _, err = run_cli(["audit", *network, *args], monkeypatch, capsys)
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_a_contract_that_is_not_proof_of_learning_is_a_user_mistake(
    run: ShortRun, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = run.deployment.token.address
    code, _, err = run_cli(["audit", "--network", LOCAL, "--address", token], monkeypatch, capsys)
    assert code == 2
    assert err.startswith(f"error: the contract at {token} is not a ProofOfLearning") and err.count("\n") == 1
