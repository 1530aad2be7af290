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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from wekacoin_offchain.chain import actions, deploy_contracts
from wekacoin_offchain.chain.actions import TaskRequest
from wekacoin_offchain.chain.params import WEI_PER_WKC
from wekacoin_offchain.commitments import new_salt, test_commitment
from wekacoin_offchain.ml import Evaluator, baseline_model, dataset_to_csv, fit_model, format_score, metric_by_name, parse_dataset, split_dataset
from wekacoin_offchain.storage import LocalBlockStore

METRIC = "accuracy"
MODEL_KINDS = ("logistic", "tree", "knn")


@dataclass(frozen=True)
class Submission:
    kind: str
    trainer: Any
    model_id: int
    cid: str
    salt: bytes
    size: int
    train_score: int


def iris_csv() -> bytes:
    """scikit-learn's bundled iris data as CSV, target last (no download)."""
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode()


def run(chain: Any, accounts: Any, console: Console, store_dir: Path | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="wekacoin-store-") as scratch:
        store = LocalBlockStore(store_dir or Path(scratch))
        _walk(chain, accounts, console, store)


def _walk(chain: Any, accounts: Any, console: Console, store: LocalBlockStore) -> None:
    deployer, supplier, *trainers = accounts[: 2 + len(MODEL_KINDS)]
    deployment = deploy_contracts(deployer)
    pol, token = deployment.pol, deployment.token
    console.print(f"[bold]deployed[/] WekaCoin {token.address} and ProofOfLearning {pol.address}")
    for account in (supplier, *trainers):
        token.transfer(account, 1_000 * WEI_PER_WKC, sender=deployer)

    metric = metric_by_name(METRIC)
    dataset = parse_dataset(iris_csv(), fmt="csv", classification=True)
    train, test = split_dataset(dataset, test_fraction=0.3, seed=7)
    train_cid = store.add_bytes(dataset_to_csv(train))
    test_bytes = dataset_to_csv(test)
    test_cid = store.add_bytes(test_bytes, only_hash=True)  # hidden: not stored until release
    test_salt = new_salt()
    baseline = baseline_model(train, metric)
    baseline_cid = store.add_bytes(baseline.model_bytes)
    release_height = chain.blocks.height + 2 + deployment.parameters.min_training_period + 3 * len(trainers)
    task_id = actions.publish_task(
        pol,
        token,
        chain,
        supplier,
        TaskRequest(
            train_cid=train_cid,
            test_commitment=test_commitment(test_cid, test_salt),
            metric=metric.name,
            release_height=release_height,
            reward=50 * WEI_PER_WKC,
            hosting_fee=5 * WEI_PER_WKC,
            baseline_cid=baseline_cid,
            baseline_score=baseline.train_score,
        ),
    )
    console.print(
        f"[bold]task {task_id}[/] published: iris, {train.n_rows} training rows at {train_cid}, "
        f"baseline {format_score(baseline.train_score)}, test set released from block {release_height}"
    )

    submissions = []
    for kind, trainer in zip(MODEL_KINDS, trainers):
        fitted = fit_model(train, kind, metric, seed=1)
        cid, salt = store.add_bytes(fitted.model_bytes), new_salt()
        model_id = actions.commit_model(pol, token, chain, trainer, task_id, cid, salt, fitted.train_score)
        submissions.append(Submission(kind, trainer, model_id, cid, salt, len(fitted.model_bytes), fitted.train_score))
        console.print(f"[bold]model {model_id}[/] committed by {trainer.address}: {kind}, training score {format_score(fitted.train_score)}")

    chain.mine(max(0, release_height - chain.blocks.height - 1))
    assert store.add_bytes(test_bytes) == test_cid
    actions.release_test(pol, chain, supplier, task_id, test_cid, test_salt)
    console.print(f"[bold]test set released[/] at block {chain.blocks.height}: {test_cid}")
    for submission in submissions:
        actions.reveal_model(pol, chain, submission.trainer, submission.model_id, submission.cid, submission.salt, submission.size)
    console.print(f"[bold]{len(submissions)} models revealed[/]")

    table = Table(title=f"task {task_id}: every revealed model on the released test set ({metric.name})")
    for column in ("model", "kind", "trainer", "size (bytes)", "training score", "test result"):
        table.add_column(column)
    released_test = parse_dataset(store.cat(test_cid), fmt="csv", classification=True, class_labels=train.class_labels)
    with Evaluator() as evaluator:
        for submission in submissions:
            model = pol.model(submission.model_id)
            result = evaluator.evaluate(
                store.cat(model.model_cid),
                released_test.features,
                released_test.target,
                metric,
                expected_size=int(model.model_size),
                claimed_train_score=int(model.train_score),
                train_features=train.features,
                train_labels=train.target,
            )
            shown = f"VALID {format_score(result.score)}" if result.score is not None else f"{result.status.name} {getattr(result, 'reason', '')}"
            table.add_row(str(submission.model_id), submission.kind, submission.trainer.address, str(submission.size), format_score(submission.train_score), shown)
    console.print(table)
    held, owed = int(token.balanceOf(pol.address)), int(pol.escrowed()) + int(pol.credited())
    console.print(f"escrow: the contract holds {held / WEI_PER_WKC} WKC and owes {owed / WEI_PER_WKC} WKC ({'balanced' if held == owed else 'MISMATCH'})")
