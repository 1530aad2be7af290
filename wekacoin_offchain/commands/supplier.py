"""`wekacoin supplier`: split a dataset, build its baseline, publish a task, release its test set.

`split` and `baseline` work on files alone; `publish`, `release` and `run` act on the
chain through the supplier agent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from wekacoin_offchain.commands.evaluate import load, score_text, write_model
from wekacoin_offchain.commands.loop import owed_line, run_agent, until_settled
from wekacoin_offchain.commands.options import (
    Group,
    WkcAmount,
    agent_workdir,
    chain_options,
    content_store,
    existing_file,
    metric_option,
    model_out_option,
    poll_options,
    quiet_ape,
    session,
    store_options,
)
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import Metric
from wekacoin_offchain.private_files import write_private

SECRET_FILE = "test-secret.json"


@click.group("supplier", cls=Group)
def supplier() -> None:
    """Publish tasks: split, baseline, publish, release."""


@supplier.command("split")
@click.argument("dataset", type=existing_file)
@metric_option
@click.option(
    "--test-fraction", metavar="FRACTION", type=float, required=True, help="Share of rows held out, in (0, 1)."
)
@click.option("--seed", type=int, required=True, help="Seed of the shuffle (stratified for classes).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for train.csv, test.csv and the secret.",
)
@click.option("--test-cid", metavar="CID", help="The CID of test.csv, when added to a store other than the local one.")
def split_command(
    dataset: Path,
    metric: Metric,
    test_fraction: float,
    seed: int,
    out_dir: Path,
    test_cid: str | None,
) -> None:
    """Split DATASET into train.csv and a hidden test.csv.

    train.csv is to publish; test.csv stays hidden until the release.

    The salt and test commitment go to test-secret.json in the output folder; it and
    test.csv are owner-only (mode 600), written so from the start. The test CID is computed as `ipfs add
    --cid-version 1` would, unless --test-cid gives it.
    """
    from wekacoin_offchain.commitments import new_salt, test_commitment
    from wekacoin_offchain.ml.datasets import dataset_to_csv, split_dataset, write_dataset

    train, test = split_dataset(load(dataset, metric), test_fraction, seed)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out_dir}: cannot create: {exc.strerror}") from None
    write_dataset(train, out_dir / "train.csv")
    test_bytes = dataset_to_csv(test)
    write_private(out_dir / "test.csv", test_bytes)
    cid = test_cid if test_cid is not None else _content_id(test_bytes)
    salt = new_salt()
    commitment = test_commitment(cid, salt)
    secret = {
        "test_cid": cid,
        "salt": "0x" + salt.hex(),
        "test_commitment": "0x" + commitment.hex(),
    }
    write_private(out_dir / SECRET_FILE, (json.dumps(secret, indent=2) + "\n").encode())
    click.echo(f"train {out_dir / 'train.csv'} ({train.n_rows} rows, publish it)")
    click.echo(f"test {out_dir / 'test.csv'} ({test.n_rows} rows, keep it hidden until release)")
    click.echo(f"test_cid {cid}")
    click.echo(f"test_commitment 0x{commitment.hex()} (salt in {out_dir / SECRET_FILE})")


def _content_id(data: bytes) -> str:
    """The CIDv1 the content store gives `data`; the store is imported only when needed."""
    try:
        from wekacoin_offchain.storage.local import LocalBlockStore
    except ImportError:
        raise UserError("no content store available to compute the test CID; pass --test-cid") from None
    # only_hash computes the CID without writing a block, so the store's folder is unused.
    return LocalBlockStore(Path(".")).add_bytes(data, cid_version=1, only_hash=True)


@supplier.command("baseline")
@click.argument("train_path", metavar="TRAIN", type=existing_file)
@metric_option
@model_out_option
def baseline_command(train_path: Path, metric: Metric, out_path: Path) -> None:
    """Build the baseline model for TRAIN; print its score.

    The baseline predicts the majority class, or the mean target for values.
    """
    from wekacoin_offchain.ml.onnx_models import baseline_model

    baseline = baseline_model(load(train_path, metric), metric)
    write_model(out_path, baseline.model_bytes)
    size = len(baseline.model_bytes)
    click.echo(f"baseline_score {score_text(baseline.train_score)} -> {out_path} ({size} bytes)")


@supplier.command("publish")
@click.argument("dataset", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@metric_option
@click.option("--reward", type=WkcAmount(), required=True, help="Reward for the best model, in WKC.")
@click.option("--hosting-fee", type=WkcAmount(), default="1", show_default=True, help="Fee for the validators, in WKC.")
@click.option(
    "--test-fraction", metavar="FRACTION", type=float, default=0.3, show_default=True, help="Share of rows held out."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split.")
@click.option(
    "--training-blocks",
    metavar="BLOCKS",
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
    """Publish a task on DATASET.

    Splits DATASET, stores the training set and a baseline model, and publishes
    the task with the test set committed and kept hidden until its release.
    """
    from wekacoin_offchain.agents.supplier import SupplierAgent
    from wekacoin_offchain.ml import load_dataset

    data = load_dataset(dataset, classification=metric.kind.is_classification)
    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        agent = SupplierAgent(deployment, sender, store, agent_workdir("supplier", sender))
        blocks = training_blocks if training_blocks is not None else deployment.parameters.min_training_period
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
    """Release the test sets whose release window is open.

    Every task of the account whose release height has come.
    """
    from wekacoin_offchain.agents.supplier import SupplierAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        done = SupplierAgent(deployment, sender, store, agent_workdir("supplier", sender)).step()
    click.echo("\n".join(done) if done else "nothing to release now")


@supplier.command("run")
@poll_options
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
    """Release test sets and register stored objects, in a loop.

    Each test set is released when its height comes; the task's data is
    registered for the validators to store.
    """
    from wekacoin_offchain.agents.supplier import SupplierAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        agent = SupplierAgent(deployment, sender, store, agent_workdir("supplier", sender))
        run_agent(
            "supplier",
            str(sender.address),
            agent.step,
            poll=poll,
            finished=until_settled(deployment, until_task),
            last_step=owed_line(deployment, sender),
        )


COMMANDS: list[click.Command] = [supplier]
