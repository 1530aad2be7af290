"""What `ape console` has in its namespace in this project (ape's console extras).

The helpers a user needs to drive WekaCoin by hand: deployment, the checked protocol
actions, commitments, the content store, the agents and the evaluator. When the
connected chain has a deployment recorded by `wekacoin deploy` (the deployment file),
its deployment is bound too: `d.token`, `d.pol`, `d.committee`, `d.task(1)`, ...
"""

from __future__ import annotations

from typing import Any

from wekacoin_offchain.agents.evaluation import EvaluationLimits, candidate_ranking, task_facts
from wekacoin_offchain.agents.supplier import SupplierAgent
from wekacoin_offchain.agents.trainer import TrainerAgent
from wekacoin_offchain.chain import actions, deploy_contracts
from wekacoin_offchain.chain.actions import TaskRequest, format_wkc
from wekacoin_offchain.chain.connection import DeploymentRecord, bind, default_deployment_file
from wekacoin_offchain.commitments import model_commitment, new_salt, test_commitment
from wekacoin_offchain.ml import Evaluator, load_dataset, metric_by_name
from wekacoin_offchain.storage import LocalBlockStore, open_content_store

__all__ = [
    "EvaluationLimits",
    "Evaluator",
    "LocalBlockStore",
    "SupplierAgent",
    "TaskRequest",
    "TrainerAgent",
    "actions",
    "candidate_ranking",
    "deploy_contracts",
    "format_wkc",
    "load_dataset",
    "metric_by_name",
    "model_commitment",
    "new_salt",
    "open_content_store",
    "task_facts",
    "test_commitment",
]


def ape_init_extras(chain: Any) -> dict[str, Any]:
    path = default_deployment_file()
    if not path.is_file():
        return {}
    record = DeploymentRecord.load(path)
    if record.chain_id != int(chain.chain_id) or not chain.provider.get_code(record.pol):
        return {}  # a deployment of another chain, or of a devnet since restarted
    return {"d": bind(chain, record)}
