"""One competition's wall time split into chain, storage, evaluation and agreement, and
how it grows with the number of models.

Run (from the repository root, where ape-config.yaml gives 16 test accounts):

    .venv/bin/python benchmarks/bench_competition.py [--sizes 6,10,50,200]

The default sizes 6, 10 and 50 take about 4.5 minutes on 2 quiet cores; 200 models
alone take about 7.5 more (docs/benchmarks.md has the numbers).

For each size N a fresh deployment on ape's embedded test provider (py-evm through
eth-tester, one block per transaction) runs the demo's competition with N models: the
same agents as `ape run demo` (wekacoin_offchain/agents), a supplier publishing the
breast-cancer task, six trainers committing N honest models between them (the honest
kinds of `MODEL_KINDS` in turn, a new seed each lap), five validators, one of them the
demo's liar. Windows are widened with N (every commit, reveal and object registration
takes a block) and `max_models_per_task` is N when N is over the default 64.

Timed: from publishing the task to the validators' withdrawals. Set-up is not: the
deployment, funding, validator registration, each trainer's one approval of its
participation fees, and starting the evaluator's worker. Each category is the time
spent inside functions wrapped here (innermost wrapper wins, so nothing counts twice):

- storage: the content store's methods (add_bytes, add_file, cat, has, pin);
- evaluation: `Evaluator.evaluate` (each validator checks the baseline, then scores
  every model in the sandbox);
- agreement: `compute_consensus`, ranking documents' encode/decode and result hashes;
- training: the trainers' `fit_model` (local work, not protocol overhead, so apart);
- chain: everything else, i.e. ape transactions, view calls, event queries and mining,
  plus the agents' own Python around them.

Also reported: the transactions the competition sent and the gas of its `finalize`.
Each validator claims the task's data (training set, baseline, test set) before the
models are registered: claiming every object, as the demo's validators do, needs more
than the contract's 64 claim slots once a task has over 61 models (see
docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from unittest import mock

import ape
from ape.logging import logger
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.agents import trainer as trainer_module, validator as validator_module
from wekacoin_offchain.agents.evaluation import EvaluationLimits
from wekacoin_offchain.agents.supplier import SupplierAgent
from wekacoin_offchain.agents.trainer import TrainerAgent
from wekacoin_offchain.agents.validator import ValidatorAgent
from wekacoin_offchain.chain import deploy_contracts
from wekacoin_offchain.chain.params import MAX_MODELS_BOUND, WEI_PER_WKC, ProtocolParameters
from wekacoin_offchain.consensus import CandidateRanking, ConsensusResult
from wekacoin_offchain.demo import (
    BOND,
    DEMO_PARAMETERS,
    VALIDATORS,
    Cast,
    Competition,
    LyingValidator,
    breast_cancer_csv,
)
from wekacoin_offchain.ml import Evaluator, metric_by_name, parse_dataset
from wekacoin_offchain.ml.onnx_models import kinds_for
from wekacoin_offchain.storage import LocalBlockStore

DEFAULT_SIZES = (6, 10, 50)  # with 200 (7.5 more minutes) a run passes the ~10 minutes allowed: docs/benchmarks.md
TRAINERS = 6
# Blocks of slack on top of the one block per transaction each window must hold.
WINDOW_SLACK = 20
STORE_METHODS = ("add_bytes", "add_file", "cat", "has", "pin")
CATEGORIES = ("storage", "evaluation", "agreement", "training")

P = ParamSpec("P")
R = TypeVar("R")


class Stopwatch:
    """Exclusive wall time per category: time inside a wrapped call counts for the
    innermost wrapped call only (a ranking stored in the content store is agreement
    for the encoding, storage for the write)."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(CATEGORIES, 0.0)
        self._stack: list[str] = []
        self._since = 0.0

    def wrap(self, category: str, function: Callable[P, R]) -> Callable[P, R]:
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            self._switch_to(category)
            try:
                return function(*args, **kwargs)
            finally:
                self._switch_back()

        return timed

    def _switch_to(self, category: str) -> None:
        now = time.perf_counter()
        if self._stack:
            self.seconds[self._stack[-1]] += now - self._since
        self._stack.append(category)
        self._since = now

    def _switch_back(self) -> None:
        now = time.perf_counter()
        self.seconds[self._stack.pop()] += now - self._since
        self._since = now


@contextmanager
def timed_components(stopwatch: Stopwatch, store: LocalBlockStore) -> Iterator[None]:
    """Wrap, for the duration, the functions whose time goes to each category.

    `mock.patch.object` only swaps attributes and restores them: the real functions
    run inside the wrappers. Names imported into the agents' modules are patched there,
    where the agents look them up.
    """
    with ExitStack() as patches:
        for name in STORE_METHODS:
            patches.enter_context(mock.patch.object(store, name, stopwatch.wrap("storage", getattr(store, name))))
        patches.enter_context(
            mock.patch.object(Evaluator, "evaluate", stopwatch.wrap("evaluation", Evaluator.evaluate))
        )
        patches.enter_context(
            mock.patch.object(
                validator_module, "compute_consensus", stopwatch.wrap("agreement", validator_module.compute_consensus)
            )
        )
        patches.enter_context(
            mock.patch.object(CandidateRanking, "encode", stopwatch.wrap("agreement", CandidateRanking.encode))
        )
        decode = CandidateRanking.decode.__func__  # type: ignore[attr-defined]
        patches.enter_context(
            mock.patch.object(CandidateRanking, "decode", classmethod(stopwatch.wrap("agreement", decode)))
        )
        patches.enter_context(
            mock.patch.object(ConsensusResult, "result_hash", stopwatch.wrap("agreement", ConsensusResult.result_hash))
        )
        patches.enter_context(
            mock.patch.object(trainer_module, "fit_model", stopwatch.wrap("training", trainer_module.fit_model))
        )
        yield


class PhaseClock:
    """Wall time of the competition's consecutive phases, whatever their category."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._since = time.perf_counter()

    def end(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = now - self._since
        self._since = now


@dataclass(frozen=True)
class Measurement:
    models: int
    total_s: float
    chain_s: float
    category_s: dict[str, float] = field(default_factory=dict)
    phase_s: dict[str, float] = field(default_factory=dict)
    load_average: float = 0.0  # the machine's 1-minute load when the competition started
    transactions: int = 0
    finalize_gas: int = 0


def honest_models(count: int) -> list[tuple[str, int]]:
    """(kind, seed) of `count` models: the classification kinds of `MODEL_KINDS` in turn
    (the demo's honest kinds), a new seed each lap."""
    kinds = kinds_for(classification=True)
    return [(kinds[i % len(kinds)], 1 + i // len(kinds)) for i in range(count)]


def parameters_for(models: int) -> dict[str, int]:
    """The demo's parameters with room for `models` models: a round opens when the
    reveal window closes, so it must hold every reveal and registration (a block each),
    after the validators' claims."""
    reveal_blocks = 2 * models + 3 * VALIDATORS + WINDOW_SLACK
    return DEMO_PARAMETERS | {
        "reveal_window": max(DEMO_PARAMETERS["reveal_window"], reveal_blocks),
        "max_models_per_task": max(ProtocolParameters.max_models_per_task, models),
    }


def run_competition(chain: Any, accounts: list[Any], models: int, evaluator: Evaluator, workdir: Path) -> Measurement:
    """Deploy, set the cast up, and time one competition of `models` models."""
    deployer, supplier_account, *rest = accounts
    trainer_accounts, validator_accounts = rest[:TRAINERS], rest[TRAINERS : TRAINERS + VALIDATORS]
    deployment = deploy_contracts(deployer, **parameters_for(models))
    pol, token = deployment.pol, deployment.token
    for account in (supplier_account, *trainer_accounts, *validator_accounts):
        token.transfer(account, 1_000 * WEI_PER_WKC, sender=deployer)
    store = LocalBlockStore(workdir / "store")
    supplier = SupplierAgent(deployment, supplier_account, store, workdir / "supplier")
    trainers = [TrainerAgent(deployment, a, store, workdir / f"trainer-{i}") for i, a in enumerate(trainer_accounts)]
    fee = int(pol.participation_fee())
    for position, trainer in enumerate(trainers):
        # One approval for all of a trainer's fees, not one before each commitment.
        token.approve(pol.address, fee * len(range(position, models, TRAINERS)), sender=trainer.account)
    limits = EvaluationLimits(timeout_s=30.0, memory_mb=1_024, tolerance=deployment.parameters.score_tolerance)
    validators = [
        (LyingValidator if i == VALIDATORS - 1 else ValidatorAgent)(
            deployment, account, store, workdir / f"validator-{i}", evaluator, limits
        )
        for i, account in enumerate(validator_accounts)
    ]
    for validator in validators:
        validator.register(BOND)
    cast = Cast(
        deployment=deployment,
        supplier=supplier,
        trainers=trainers,
        validators=validators,
        liar=validators[-1],
    )
    # The demo's helpers (mining, stepping agents, the round loop), printing nowhere.
    driver = Competition(chain, accounts, Console(quiet=True), workdir, evaluator)

    load_average = os.getloadavg()[0]
    stopwatch = Stopwatch()
    first_block = int(chain.blocks.height) + 1
    phases = PhaseClock()
    with timed_components(stopwatch, store):
        dataset = parse_dataset(breast_cancer_csv(), fmt="csv", classification=True)
        task = supplier.publish(
            dataset,
            metric_by_name("accuracy"),
            test_fraction=0.3,
            seed=11,
            reward=100 * WEI_PER_WKC,
            hosting_fee=10 * WEI_PER_WKC,
            training_blocks=models + WINDOW_SLACK,
        )
        supplier.step()
        for position, (kind, seed) in enumerate(honest_models(models)):
            trainers[position % TRAINERS].submit(task.task_id, kind, seed=seed)
        phases.end("publish and commit")
        driver.mine_to(task.release_height)
        driver.settle_agents(supplier)
        for validator in validators:
            validator.claim_storage()
        driver.settle_agents(*trainers)
        phases.end("release, reveal and register")
        driver.play_round(cast, task.task_id)
        phases.end("round and withdrawals")
    last_block = int(chain.blocks.height)

    (finalized,) = pol.RoundFinalized.range(first_block, last_block + 1)
    transactions = sum(
        chain.provider.web3.eth.get_block_transaction_count(n) for n in range(first_block, last_block + 1)
    )
    total = sum(phases.seconds.values())
    return Measurement(
        models=models,
        total_s=total,
        chain_s=total - sum(stopwatch.seconds.values()),
        category_s=dict(stopwatch.seconds),
        phase_s=dict(phases.seconds),
        transactions=transactions,
        finalize_gas=int(chain.provider.get_receipt(finalized.transaction_hash).gas_used),
        load_average=load_average,
    )


def parse_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be comma-separated integers, got {text!r}") from None
    bad = [size for size in sizes if not 1 <= size <= MAX_MODELS_BOUND]
    if bad:
        raise argparse.ArgumentTypeError(f"a task holds 1 to {MAX_MODELS_BOUND} models, not {bad[0]}")
    return sizes


def categories_table(measurements: list[Measurement]) -> Table:
    table = Table(
        title="one competition on ape's test provider (5 validators, 6 trainers): wall seconds by category (share of total)"
    )
    for column in (
        "models",
        "total s",
        "chain",
        "storage",
        "evaluation",
        "agreement",
        "training",
        "transactions",
        "finalize gas",
        "load",
    ):
        table.add_column(column, justify="right")
    for m in measurements:
        seconds = [m.chain_s, *(m.category_s[c] for c in CATEGORIES)]
        shares = [f"{s:.1f} ({100 * s / m.total_s:.0f}%)" for s in seconds]
        table.add_row(
            str(m.models),
            f"{m.total_s:.1f}",
            *shares,
            str(m.transactions),
            f"{m.finalize_gas:,}",
            f"{m.load_average:.1f}",
        )
    return table


def phases_table(measurements: list[Measurement]) -> Table:
    table = Table(title="the same competitions: wall seconds by phase")
    table.add_column("models", justify="right")
    for phase in measurements[0].phase_s:
        table.add_column(phase, justify="right")
    for m in measurements:
        table.add_row(str(m.models), *(f"{s:.1f}" for s in m.phase_s.values()))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", type=parse_sizes, default=DEFAULT_SIZES, help="models per competition, e.g. 6,10,50,200"
    )
    args = parser.parse_args()
    logger.set_level("WARNING")
    console = Console(width=150)  # the whole table, also when piped to a file
    measurements = []
    with (
        ape.networks.ethereum.local.use_provider("test"),
        tempfile.TemporaryDirectory(prefix="wekacoin-bench-") as scratch,
        Evaluator() as evaluator,
    ):
        accounts = list(ape.accounts.test_accounts)
        needed = 2 + TRAINERS + VALIDATORS
        if len(accounts) < needed:
            raise SystemExit(
                f"the benchmark needs {needed} test accounts, the network has {len(accounts)}: run it from the repository root"
            )
        for models in args.sizes:
            # Every size starts from the same empty chain, so log queries that scan from
            # block 0 do not grow with the sizes run before it.
            snapshot = ape.chain.snapshot()
            measurement = run_competition(ape.chain, accounts, models, evaluator, Path(scratch) / f"models-{models}")
            ape.chain.restore(snapshot)
            console.print(f"{models} models: {measurement.total_s:.1f} s")
            measurements.append(measurement)
    console.print(categories_table(measurements))
    console.print(phases_table(measurements))


if __name__ == "__main__":
    main()
