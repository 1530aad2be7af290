"""The supplier: publishes tasks and releases their test sets when their height comes.

Everything it does after publication follows from chain state (its open tasks, their
release heights) plus its `SecretBook`, so a restarted supplier carries on where it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wekacoin_offchain.agents.secrets import SecretBook
from wekacoin_offchain.chain import actions
from wekacoin_offchain.chain.actions import TaskRequest
from wekacoin_offchain.chain.deployment import Deployment
from wekacoin_offchain.chain.states import TaskState
from wekacoin_offchain.commitments import new_salt, test_commitment
from wekacoin_offchain.ml import Dataset, Metric, baseline_model, dataset_to_csv, split_dataset
from wekacoin_offchain.private_files import write_private
from wekacoin_offchain.storage import ContentStore


@dataclass(frozen=True)
class PublishedTask:
    task_id: int
    train_cid: str
    test_cid: str
    baseline_cid: str
    baseline_score: int
    release_height: int


class SupplierAgent:
    def __init__(self, deployment: Deployment, account: Any, store: ContentStore, workdir: Path) -> None:
        self.deployment, self.account, self.store, self.workdir = deployment, account, store, workdir
        self.chain, self.pol, self.token = deployment.chain, deployment.pol, deployment.token
        self.secrets = SecretBook(workdir / "supplier-secrets.json")

    def publish(
        self,
        dataset: Dataset,
        metric: Metric,
        *,
        test_fraction: float,
        seed: int,
        reward: int,
        hosting_fee: int,
        training_blocks: int,
    ) -> PublishedTask:
        """Split `dataset`, store the public part and a baseline, and publish the task."""
        train, test = split_dataset(dataset, test_fraction, seed)
        train_cid = self.store.add_bytes(dataset_to_csv(train))
        test_bytes = dataset_to_csv(test)
        test_cid = self.store.add_bytes(test_bytes, only_hash=True)  # stays private until release
        baseline = baseline_model(train, metric)
        baseline_cid = self.store.add_bytes(baseline.model_bytes)
        salt = new_salt()
        commitment = test_commitment(test_cid, salt)
        test_file = self.workdir / "test-sets" / f"{test_cid}.csv"
        write_private(test_file, test_bytes)
        self.secrets.put(commitment, {"test_cid": test_cid, "salt": salt.hex(), "file": str(test_file)})

        release_height = actions.next_block(self.chain) + 1 + training_blocks
        task_id = actions.publish_task(
            self.pol,
            self.token,
            self.chain,
            self.account,
            TaskRequest(
                train_cid=train_cid,
                test_commitment=commitment,
                metric=metric.id,
                release_height=release_height,
                reward=reward,
                hosting_fee=hosting_fee,
                baseline_cid=baseline_cid,
                baseline_score=baseline.train_score,
            ),
        )
        return PublishedTask(task_id, train_cid, test_cid, baseline_cid, baseline.train_score, release_height)

    def step(self) -> list[str]:
        """Release every test set whose window is open and register what it published as
        stored objects; returns what was done."""
        return self._release_due() + self._register_objects()

    def _register_objects(self) -> list[str]:
        done = []
        for task_id in self.pol.open_task_ids():
            task = self.deployment.task(int(task_id))
            if task.supplier != self.account.address:
                continue
            if task.state not in (TaskState.OPEN, TaskState.RELEASED):
                continue
            for cid in (task.train_cid, task.baseline_cid, task.test_cid):
                if not cid:
                    continue
                data = self.store.cat(cid)
                registered = actions.register_object(
                    self.pol, self.token, self.chain, self.account, task.task_id, cid, data
                )
                if registered is not None:
                    done.append(f"task {task_id}: registered {cid} as a stored object")
        return done

    def _release_due(self) -> list[str]:
        done = []
        window = self.deployment.parameters.release_window
        for task_id in self.pol.open_task_ids():
            task = self.deployment.task(int(task_id))
            if task.supplier != self.account.address or task.state != TaskState.OPEN:
                continue
            opens = task.release_height
            if not (actions.has_opened(self.chain, opens) and actions.next_block(self.chain) < opens + window):
                continue
            secret = self.secrets.get(task.test_commitment)
            if secret is None:
                done.append(f"task {task_id}: no secret for its test commitment here; cannot release")
                continue
            stored = self.store.add_bytes(Path(secret["file"]).read_bytes())
            if stored != secret["test_cid"]:
                raise RuntimeError(f"task {task_id}: the kept test set no longer hashes to {secret['test_cid']}")
            actions.release_test(
                self.pol, self.chain, self.account, task.task_id, stored, bytes.fromhex(secret["salt"])
            )
            done.append(f"task {task.task_id}: test set released ({stored})")
        return done
