"""`wekacoin trainer`: fit a model, commit to it, reveal it.

`fit` works on files alone; `commit`, `reveal` and `run` act on the chain through the
trainer agent.
"""

from __future__ import annotations

from pathlib import Path

import click

from wekacoin_offchain.commands.evaluate import load, score_text, write_model
from wekacoin_offchain.commands.loop import owed_line, run_agent, until_settled
from wekacoin_offchain.commands.options import (
    Group,
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


@click.group("trainer", cls=Group)
def trainer() -> None:
    """Compete: fit, commit and reveal models."""


@trainer.command("fit")
@click.argument("train_path", metavar="TRAIN", type=existing_file)
@click.option(
    "--model",
    "kind",
    required=True,
    metavar="KIND",
    help="For classes: logistic, tree, forest, knn, mlp. For values: linear, ridge, tree, forest, knn, mlp.",
)
@metric_option
@model_out_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the model's training.")
def fit_command(train_path: Path, kind: str, metric: Metric, out_path: Path, seed: int) -> None:
    """Fit a model on TRAIN and export it as ONNX.

    Fits a scikit-learn model, exports it and prints its training score.
    """
    from wekacoin_offchain.ml.onnx_models import fit_model

    fitted = fit_model(load(train_path, metric), kind, metric, seed)
    write_model(out_path, fitted.model_bytes)
    size = len(fitted.model_bytes)
    click.echo(f"train_score {score_text(fitted.train_score)} -> {out_path} ({size} bytes)")


@trainer.command("commit")
@click.argument("task_id", type=int)
@click.option(
    "--model", "kind", metavar="KIND", default=None, help="Model kind to fit (see `wekacoin trainer fit --help`)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the model's training.")
@click.option(
    "--model-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Commit to this file as it is instead of fitting a model (with --train-score).",
)
@click.option(
    "--train-score", metavar="SCORE", default=None, help="The training score claimed for --model-file, e.g. 0.95."
)
@chain_options
@store_options
@quiet_ape
def commit(
    task_id: int,
    kind: str | None,
    seed: int,
    model_file: Path | None,
    train_score: str | None,
    network: str | None,
    account: str,
    deployment_file: Path | None,
    store_dir: Path | None,
    api: str | None,
) -> None:
    """Fit a model for TASK_ID, store it and commit to it.

    The model is fitted on the task's training set, or taken as it is from
    --model-file.
    """
    from wekacoin_offchain.agents.trainer import TrainerAgent
    from wekacoin_offchain.ml.metrics import parse_score

    if (kind is None) == (model_file is None):
        raise UserError("give either --model KIND (fit one) or --model-file FILE (commit to a file)")
    if (model_file is None) != (train_score is None):
        raise UserError("--train-score goes with --model-file, and --model-file needs it")
    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        agent = TrainerAgent(deployment, sender, store, agent_workdir("trainer", sender))
        if model_file is not None:
            submission = agent.submit_bytes(
                task_id, model_file.name, model_file.read_bytes(), parse_score(str(train_score))
            )
        else:
            submission = agent.submit(task_id, str(kind), seed)
    click.echo(
        f"model {submission.model_id} committed to task {task_id}: {submission.kind}, training score {submission.train_score}"
    )


@trainer.command("reveal")
@chain_options
@store_options
@quiet_ape
def reveal(
    network: str | None, account: str, deployment_file: Path | None, store_dir: Path | None, api: str | None
) -> None:
    """Reveal the account's models whose test set is out."""
    from wekacoin_offchain.agents.trainer import TrainerAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        done = TrainerAgent(deployment, sender, store, agent_workdir("trainer", sender)).step()
    click.echo("\n".join(done) if done else "nothing to reveal now")


@trainer.command("run")
@poll_options
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
    """Reveal and register committed models, in a loop.

    Each model is revealed once its task's test set is out, then registered
    for the validators to store.
    """
    from wekacoin_offchain.agents.trainer import TrainerAgent

    store = content_store(store_dir, api)
    with session(network, account, deployment_file) as (sender, deployment):
        agent = TrainerAgent(deployment, sender, store, agent_workdir("trainer", sender))
        run_agent(
            "trainer",
            str(sender.address),
            agent.step,
            poll=poll,
            finished=until_settled(deployment, until_task),
            last_step=owed_line(deployment, sender),
        )


COMMANDS: list[click.Command] = [trainer]
