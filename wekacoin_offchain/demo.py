"""The demo: a whole Proof-of-Learning competition on the connected chain (`make demo`).

One supplier publishes a task on scikit-learn's bundled breast-cancer data; six
trainers submit models (five honest kinds and one broken file); five validators
register, store the task's data and claim it, and, drawn by their VRFs, evaluate every
model, propose, agree, vote and finalize — one of them lies about the scores. The
chain pays the best model's trainer, the honest validators and the top quartile, and
the audit replays the deployment from its events.

The scenario, and its lying validator, live here and not among the agents: the agents
are what production runs, and they never import the audit. `LyingValidator` is for the
demo, the tests and the benchmarks only; no production command can run one.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from wekacoin_offchain.agents.evaluation import EvaluationLimits, TaskFacts
from wekacoin_offchain.agents.supplier import SupplierAgent
from wekacoin_offchain.agents.trainer import Submission, TrainerAgent
from wekacoin_offchain.agents.validator import ValidatorAgent
from wekacoin_offchain.audit.reader import fetch_documents, read_deployment
from wekacoin_offchain.audit.render import report_tables
from wekacoin_offchain.audit.replay import AuditReport, audit
from wekacoin_offchain.chain import Deployment, deploy_contracts
from wekacoin_offchain.chain.actions import format_wkc
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.chain.states import TaskState
from wekacoin_offchain.chain.views import RoundView
from wekacoin_offchain.consensus import CandidateRanking, RankingEntry
from wekacoin_offchain.ml import Evaluator, format_score, metric_by_name, parse_dataset
from wekacoin_offchain.status import EvaluationStatus
from wekacoin_offchain.storage import LocalBlockStore

HONEST_KINDS = ("logistic", "forest", "tree", "knn", "mlp")
VALIDATORS = 5
# Devnet windows wide enough for every agent's transactions (one block each here).
DEMO_PARAMETERS = {
    "min_training_period": 5,
    "release_window": 30,
    "reveal_window": 20,
    "propose_window": 20,
    "vote_window": 20,
}
BOND = 200 * WEI_PER_WKC
# In one process a block is mined only when no agent acts, so a block can take as long as
# an evaluation: the validators budget generously.
DEMO_SECONDS_PER_BLOCK = 30.0


def breast_cancer_csv() -> bytes:
    """scikit-learn's bundled breast-cancer data as CSV, target last (no download)."""
    from sklearn.datasets import load_breast_cancer

    out = io.StringIO()
    load_breast_cancer(as_frame=True).frame.to_csv(out, index=False)
    return out.getvalue().encode()


def inflate_scores(ranking: CandidateRanking) -> CandidateRanking:
    """The liar: reports a perfect score for every model it could run."""
    return replace(
        ranking,
        entries=tuple(
            RankingEntry(e.model_id, e.status, 1_000_000) if e.status == EvaluationStatus.VALID else e
            for e in ranking.entries
        ),
    )


class LyingValidator(ValidatorAgent):
    """A validator that evaluates honestly, then proposes inflated scores (the demo's liar)."""

    def rank(self, facts: TaskFacts, view: RoundView) -> CandidateRanking:
        return inflate_scores(super().rank(facts, view))


@dataclass
class Cast:
    deployment: Deployment
    supplier: SupplierAgent
    trainers: list[TrainerAgent]
    validators: list[ValidatorAgent]
    liar: ValidatorAgent


def run(chain: Any, accounts: Any, console: Console, workdir: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="wekacoin-") as scratch, Evaluator() as evaluator:
        Competition(chain, accounts, console, workdir or Path(scratch), evaluator).run()


class Competition:
    def __init__(self, chain: Any, accounts: Any, console: Console, workdir: Path, evaluator: Evaluator) -> None:
        self.chain, self.console, self.workdir, self.evaluator = chain, console, workdir, evaluator
        needed = 2 + len(HONEST_KINDS) + 1 + VALIDATORS
        if len(accounts) < needed:
            raise RuntimeError(f"the competition needs {needed} funded accounts, the network has {len(accounts)}")
        self.accounts = list(accounts)[:needed]
        self.timings: dict[str, float] = {}

    def run(self) -> Cast:
        started = time.monotonic()
        cast = self.assemble()
        task_id, submissions = self.publish_and_train(cast)
        self.play_round(cast, task_id)
        self.report(cast, task_id, submissions)
        report = self.audit(cast)
        self.console.print(f"[bold]done[/] in {time.monotonic() - started:.1f} s")
        if not report.clean:
            raise RuntimeError("the audit of the competition found mismatches")
        return cast

    def audit(self, cast: Cast) -> AuditReport:
        """What `wekacoin audit --store-dir ...` does: replay the chain, re-run the agreement."""
        self.console.print("[bold]auditing[/] the deployment from its events, as `wekacoin audit` does")
        reading = read_deployment(cast.deployment)
        report = audit(reading.log, reading.state, reading.params, fetch_documents(cast.supplier.store, reading.log))
        for table in report_tables(report, reading.height, len(reading.log)):
            self.console.print(table)
        self.console.print("[green]audit clean[/green]" if report.clean else "[red]audit found mismatches[/red]")
        return report

    def assemble(self) -> Cast:
        deployer, supplier_account, *rest = self.accounts
        trainer_accounts, validator_accounts = rest[: len(HONEST_KINDS) + 1], rest[len(HONEST_KINDS) + 1 :]
        deployment = deploy_contracts(deployer, **DEMO_PARAMETERS)
        pol, token = deployment.pol, deployment.token
        self.console.print(
            f"[bold]deployed[/] WekaCoin {token.address}, ProofOfLearning {pol.address}, Committee {deployment.committee.address}"
        )
        for account in (supplier_account, *trainer_accounts, *validator_accounts):
            token.transfer(account, 1_000 * WEI_PER_WKC, sender=deployer)
        store = LocalBlockStore(self.workdir / "store")
        supplier = SupplierAgent(deployment, supplier_account, store, self.workdir / "supplier")
        trainers = [
            TrainerAgent(deployment, a, store, self.workdir / f"trainer-{i}") for i, a in enumerate(trainer_accounts)
        ]
        limits = EvaluationLimits(timeout_s=30.0, memory_mb=1_024, tolerance=deployment.parameters.score_tolerance)
        validators = [
            (LyingValidator if i == VALIDATORS - 1 else ValidatorAgent)(
                deployment,
                account,
                store,
                self.workdir / f"validator-{i}",
                self.evaluator,
                limits,
                seconds_per_block=DEMO_SECONDS_PER_BLOCK,
            )
            for i, account in enumerate(validator_accounts)
        ]
        for validator in validators:
            self.say("validator", validator.register(BOND))
        return Cast(deployment, supplier, trainers, validators, liar=validators[-1])

    def publish_and_train(self, cast: Cast) -> tuple[int, list[tuple[TrainerAgent, Submission]]]:
        metric = metric_by_name("accuracy")
        dataset = parse_dataset(breast_cancer_csv(), fmt="csv", classification=True)
        task = cast.supplier.publish(
            dataset,
            metric,
            test_fraction=0.3,
            seed=11,
            reward=100 * WEI_PER_WKC,
            hosting_fee=10 * WEI_PER_WKC,
            training_blocks=40,
        )
        self.console.print(
            f"[bold]task {task.task_id}[/] published: breast cancer, {metric.name}, baseline {format_score(task.baseline_score)}, test set from block {task.release_height}"
        )
        self.say("supplier", cast.supplier.step())
        submissions = []
        started = time.monotonic()
        # The last trainer has no honest kind: it commits the broken file below.
        for kind, trainer in zip(HONEST_KINDS, cast.trainers, strict=False):
            submission = trainer.submit(task.task_id, kind, seed=2)
            submissions.append((trainer, submission))
            self.console.print(
                f"[bold]model {submission.model_id}[/] {kind} by {trainer.account.address}: training score {format_score(submission.train_score)}"
            )
        broken = cast.trainers[len(HONEST_KINDS)]
        submission = broken.submit_bytes(task.task_id, "broken", os.urandom(2_048), 990_000)
        submissions.append((broken, submission))
        self.console.print(
            f"[bold]model {submission.model_id}[/] broken file by {broken.account.address}: claims {format_score(990_000)}"
        )
        self.timings["training"] = time.monotonic() - started
        self.mine_to(task.release_height)
        self.settle_agents(cast.supplier, *cast.trainers)
        for validator in cast.validators:
            self.say("validator", validator.claim_storage())
        return task.task_id, submissions

    def play_round(self, cast: Cast, task_id: int) -> None:
        """Step the validators, mining a block whenever none acts, until the task settles."""
        deployment = cast.deployment
        self.mine_to(deployment.task(task_id).released_at + deployment.parameters.reveal_window)
        started = time.monotonic()
        for _ in range(200):
            if deployment.task(task_id).state == TaskState.SETTLED:
                break
            if not self.step_all(cast.validators):
                self.chain.mine(1)
        else:
            raise RuntimeError("the round did not settle")
        self.timings["round"] = time.monotonic() - started
        for validator in cast.validators:
            self.say("validator", validator.withdraw())

    def report(self, cast: Cast, task_id: int, submissions: list[tuple[TrainerAgent, Submission]]) -> None:
        pol = cast.deployment.pol
        (finalized,) = pol.RoundFinalized.range(cast.deployment.first_block, int(self.chain.blocks.height) + 1)
        kinds = {s.model_id: (s.kind, t.account.address) for t, s in submissions}
        board = Table(title=f"leaderboard of task {task_id} (consensus scores on the hidden test set)")
        for column in ("rank", "model", "kind", "trainer", "score", "genuine"):
            board.add_column(column)
        for rank, (model_id, genuine, score) in enumerate(finalized.ranking, start=1):
            kind, trainer = kinds[int(model_id)]
            board.add_row(
                str(rank) if genuine else "-",
                str(model_id),
                kind,
                trainer,
                format_score(int(score)) if genuine else "",
                "yes" if genuine else "no",
            )
        self.console.print(board)

        roles = {cast.supplier.account.address: "supplier"}
        roles |= {t.account.address: f"trainer ({kinds[s.model_id][0]})" for t, s in submissions}
        roles |= {v.address: "validator (liar)" if v is cast.liar else "validator" for v in cast.validators}
        paid: dict[str, int] = {}
        for event in pol.Credited.range(
            cast.deployment.first_block, int(self.chain.blocks.height) + 1, search_topics={"task_id": task_id}
        ):
            paid[str(event.account)] = paid.get(str(event.account), 0) + int(event.amount)
        payouts = Table(title="payouts of the round (credited, then withdrawn)")
        for column in ("account", "role", "credited"):
            payouts.add_column(column)
        for account, role in roles.items():
            payouts.add_row(account, role, format_wkc(paid.get(account, 0)))
        self.console.print(payouts)

        chain_table = Table(title="round chain")
        for column in ("round", "task", "attempt", "seed", "committee hash", "result hash", "round hash"):
            chain_table.add_column(column)
        chain_table.add_row(
            str(finalized.round_id),
            str(finalized.task_id),
            str(finalized.attempt),
            *(
                bytes(h).hex()[:12] + "…"
                for h in (finalized.seed, finalized.committee_hash, finalized.result_hash, finalized.round_hash)
            ),
        )
        self.console.print(chain_table)
        self.console.print("valid validators: " + ", ".join(str(v) for v in finalized.valid_validators))
        self.console.print("timings: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.timings.items()))

    # --- helpers ----------------------------------------------------------------------

    def step_all(self, agents: Iterable[Any]) -> bool:
        acted = False
        for agent in agents:
            lines = agent.step()
            self.say(type(agent).__name__.removesuffix("Agent").lower(), lines)
            acted = acted or bool(lines)
        return acted

    def settle_agents(self, *agents: Any) -> None:
        """Step the agents until none has anything left to do."""
        while self.step_all(agents):
            pass

    def mine_to(self, height: int) -> None:
        """Mine until the chain's latest block is `height`: a window opening there is open."""
        missing = height - int(self.chain.blocks.height)
        if missing > 0:
            self.chain.mine(missing)

    def say(self, who: str, lines: list[str]) -> None:
        for line in lines:
            self.console.print(f"[dim]{who}[/] {line}")
