"""One task's life on the connected chain, with real data, real models and a real store.

The main job at this stage of the project: a supplier splits scikit-learn's bundled
iris data, stores the training set and a baseline, and publishes the task; three
trainers fit models, store them and commit; the supplier releases the test set and
the trainers reveal; then every revealed model is evaluated in the sandbox as a
committee member would. Rounds and settlement come with the committee.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from wekacoin_offchain.agents.supplier import SupplierAgent
from wekacoin_offchain.agents.trainer import TrainerAgent, training_set
from wekacoin_offchain.chain import actions, deploy_contracts
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.ml import Evaluator, format_score, metric_by_name, parse_dataset
from wekacoin_offchain.storage import LocalBlockStore

METRIC = "accuracy"
MODEL_KINDS = ("logistic", "tree", "knn")


def iris_csv() -> bytes:
    """scikit-learn's bundled iris data as CSV, target last (no download)."""
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def run(chain: Any, accounts: Any, console: Console, workdir: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="wekacoin-") as scratch:
        _walk(chain, accounts, console, workdir or Path(scratch))


def _walk(chain: Any, accounts: Any, console: Console, workdir: Path) -> None:
    deployer, supplier_account, *trainer_accounts = accounts[: 2 + len(MODEL_KINDS)]
    deployment = deploy_contracts(deployer)
    pol, token = deployment.pol, deployment.token
    console.print(f"[bold]deployed[/] WekaCoin {token.address} and ProofOfLearning {pol.address}")
    for account in (supplier_account, *trainer_accounts):
        token.transfer(account, 1_000 * WEI_PER_WKC, sender=deployer)

    store = LocalBlockStore(workdir / "store")
    supplier = SupplierAgent(chain, pol, token, supplier_account, store, workdir / "supplier")
    trainers = [TrainerAgent(chain, pol, token, account, store, workdir / f"trainer-{i}") for i, account in enumerate(trainer_accounts)]
    metric = metric_by_name(METRIC)
    dataset = parse_dataset(iris_csv(), fmt="csv", classification=True)
    # Room in the training period for each trainer's approval and commitment.
    task = supplier.publish(dataset, metric, test_fraction=0.3, seed=7, reward=50 * WEI_PER_WKC, hosting_fee=5 * WEI_PER_WKC, training_blocks=2 * len(trainers) + 2)
    console.print(
        f"[bold]task {task.task_id}[/] published: iris, training set {task.train_cid}, "
        f"baseline {format_score(task.baseline_score)}, test set released from block {task.release_height}"
    )

    submissions = []
    for kind, trainer in zip(MODEL_KINDS, trainers):
        submission = trainer.submit(task.task_id, kind, seed=1)
        submissions.append((trainer, submission))
        console.print(f"[bold]model {submission.model_id}[/] committed by {trainer.account.address}: {kind}, training score {format_score(submission.train_score)}")

    chain.mine(max(0, task.release_height - actions.next_block(chain)))
    for line in supplier.step():
        console.print(f"[bold]supplier[/] {line}")
    for trainer in trainers:
        for line in trainer.step():
            console.print(f"[bold]trainer[/] {line}")

    table = Table(title=f"task {task.task_id}: every revealed model on the released test set ({metric.name})")
    for column in ("model", "kind", "trainer", "size (bytes)", "training score", "test result"):
        table.add_column(column)
    train, _ = training_set(pol, store, task.task_id)
    released = parse_dataset(store.cat(pol.task(task.task_id).test_cid), fmt="csv", classification=True, class_labels=train.class_labels)
    with Evaluator() as evaluator:
        for trainer, submission in submissions:
            model = pol.model(submission.model_id)
            result = evaluator.evaluate(
                store.cat(model.model_cid),
                released.features,
                released.target,
                metric,
                expected_size=int(model.model_size),
                claimed_train_score=int(model.train_score),
                train_features=train.features,
                train_labels=train.target,
            )
            shown = f"VALID {format_score(result.score)}" if result.score is not None else f"{result.status.name} {getattr(result, 'reason', '')}"
            table.add_row(str(submission.model_id), submission.kind, trainer.account.address, str(submission.size), format_score(submission.train_score), shown)
    console.print(table)
    held, owed = int(token.balanceOf(pol.address)), int(pol.escrowed()) + int(pol.credited())
    console.print(f"escrow: the contract holds {held / WEI_PER_WKC} WKC and owes {owed / WEI_PER_WKC} WKC ({'balanced' if held == owed else 'MISMATCH'})")
