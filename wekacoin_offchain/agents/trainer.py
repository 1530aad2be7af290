"""The trainer: fits a model for a task, commits before the release height, reveals after.

A restarted trainer finds its committed, unrevealed models on chain and their secrets in
its `SecretBook`, and reveals each once its task's test set is out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wekacoin_offchain.agents.secrets import SecretBook
from wekacoin_offchain.chain import actions
from wekacoin_offchain.chain.deployment import Deployment
from wekacoin_offchain.chain.states import TaskState
from wekacoin_offchain.commitments import model_commitment, new_salt
from wekacoin_offchain.limits import MAX_DATASET_SIZE
from wekacoin_offchain.ml import Dataset, Metric, fit_model, metric_by_id, parse_dataset
from wekacoin_offchain.storage import ContentStore


@dataclass(frozen=True)
class Submission:
    model_id: int
    task_id: int
    kind: str
    model_cid: str
    size: int
    train_score: int


def training_set(pol: Any, store: ContentStore, task_id: int) -> tuple[Dataset, Metric]:
    """A task's published training set and its metric."""
    task = actions.existing_task(pol, task_id)
    metric = metric_by_id(task.metric)
    train = parse_dataset(
        store.cat(task.train_cid, MAX_DATASET_SIZE), fmt="csv", classification=metric.kind.is_classification
    )
    return train, metric


class TrainerAgent:
    def __init__(self, deployment: Deployment, account: Any, store: ContentStore, workdir: Path) -> None:
        self.deployment, self.account, self.store = deployment, account, store
        self.chain, self.pol, self.token = deployment.chain, deployment.pol, deployment.token
        self.secrets = SecretBook(workdir / "trainer-secrets.json")
        # Its own models, found from the ModelCommitted events indexed by trainer.
        self._own_models: set[int] = set()
        self._scanned_to = deployment.first_block - 1

    def submit(self, task_id: int, kind: str, seed: int = 0) -> Submission:
        """Fit a `kind` model on the task's training set, store it and commit to it."""
        train, metric = training_set(self.pol, self.store, task_id)
        fitted = fit_model(train, kind, metric, seed=seed)
        return self.submit_bytes(task_id, kind, fitted.model_bytes, fitted.train_score)

    def submit_bytes(self, task_id: int, kind: str, model_bytes: bytes, train_score: int) -> Submission:
        """Store `model_bytes` and commit to them with the claimed training score."""
        model_cid, salt = self.store.add_bytes(model_bytes), new_salt()
        commitment = model_commitment(model_cid, self.account.address, salt)
        self.secrets.put(
            commitment, {"model_cid": model_cid, "salt": salt.hex(), "size": len(model_bytes), "kind": kind}
        )
        model_id = actions.commit_model(
            self.pol, self.token, self.chain, self.account, task_id, model_cid, salt, train_score
        )
        return Submission(model_id, task_id, kind, model_cid, len(model_bytes), train_score)

    def step(self) -> list[str]:
        """Reveal every committed model whose task's test set is out, and register each
        revealed model as a stored object; returns what was done."""
        done = []
        window, block = self.deployment.parameters.reveal_window, actions.next_block(self.chain)
        open_tasks = {int(t) for t in self.pol.open_task_ids()}
        for model_id in sorted(self._models()):
            model = self.deployment.model(model_id)
            if model.task_id not in open_tasks:
                continue
            task = self.deployment.task(model.task_id)
            if task.state != TaskState.RELEASED:
                continue
            if block < task.released_at + window:
                done.extend(self._reveal_if_mine(model_id))
            done.extend(self._register_if_mine(model_id))
        return done

    def _models(self) -> set[int]:
        """This trainer's model ids, read from the events of blocks not read yet."""
        height = int(self.chain.blocks.height)
        if height > self._scanned_to:
            events = self.pol.ModelCommitted.range(
                self._scanned_to + 1, height + 1, search_topics={"trainer": self.account.address}
            )
            self._own_models.update(int(event.model_id) for event in events)
            self._scanned_to = height
        return self._own_models

    def _register_if_mine(self, model_id: int) -> list[str]:
        model = self.deployment.model(model_id)
        if model.trainer != self.account.address or not model.revealed:
            return []
        data = self.store.cat(model.model_cid)
        registered = actions.register_object(
            self.pol, self.token, self.chain, self.account, model.task_id, model.model_cid, data
        )
        if registered is None:
            return []
        return [f"model {model_id}: registered as a stored object"]

    def _reveal_if_mine(self, model_id: int) -> list[str]:
        model = self.deployment.model(model_id)
        if model.trainer != self.account.address or model.revealed:
            return []
        secret = self.secrets.get(model.commitment)
        if secret is None:
            return [f"model {model_id}: no secret for its commitment here; cannot reveal"]
        salt = bytes.fromhex(secret["salt"])
        actions.reveal_model(
            self.pol, self.chain, self.account, model_id, secret["model_cid"], salt, int(secret["size"])
        )
        return [f"model {model_id}: revealed ({secret['model_cid']})"]
