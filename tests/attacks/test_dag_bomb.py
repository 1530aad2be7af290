"""Attack: a DAG bomb sent where a model, a dataset or a ranking document is expected.

A trainer reveals a model CID (or a member proposes a ranking CID) whose few hundred KB
of valid blocks name a file of 1.25 TiB. Before the fix the stores' `cat()` read it all
before any size check, so the validator's model fetch, its ranking-document fetch and
`wekacoin audit --store-dir` ran out of memory (cost: one reveal's gas). Now every read
takes a `max_size`; the root block's declared size is checked against it before any other
block is fetched, in both backends, and the callers pass the revealed `model_size` or a
protocol cap (`wekacoin_offchain.limits`).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.attacks.bombs import dag_bomb
from tests.attacks.conftest import LIMITS, publish_task
from tests.ml.conftest import bundled
from wekacoin_offchain.agents.evaluation import RevealedModel, candidate_ranking
from wekacoin_offchain.limits import MAX_MODEL_SIZE, MAX_RANKING_DOCUMENT_SIZE
from wekacoin_offchain.ml import EvaluationStatus, Evaluator, dataset_to_csv, metric_by_name, split_dataset
from wekacoin_offchain.rankings_io import fetch_document_bytes
from wekacoin_offchain.storage import ContentStore, ContentTooLargeError, KuboRpcStore, LocalBlockStore
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon
from wekacoin_offchain.storage.kubo import api_base_url

BOMB = dag_bomb()


def test_the_bomb_is_small_and_names_a_terabyte() -> None:
    assert BOMB.stored_bytes < 300_000
    assert BOMB.declared_size > 1.2 * (1 << 40)


def _local_bomb(path: Path) -> LocalBlockStore:
    store = LocalBlockStore(path)
    for cid, data, _ in BOMB.blocks:
        store.put_block(cid, data)
    return store


def _kubo_bomb(daemon: JsIpfsDaemon) -> KuboRpcStore:
    for cid, data, codec in BOMB.blocks:
        answer = httpx.post(
            f"{api_base_url(daemon.api)}/api/v0/block/put",
            params={"format": codec, "mhtype": "sha2-256", "version": "1", "cid-base": "base32"},
            files={"file": ("block", data)},
            trust_env=False,
            timeout=30,
        )
        assert answer.json()["Key"] == cid, answer.text
    return KuboRpcStore(daemon.api, fetch_timeout=5.0)


def _refused_before_reading(store: ContentStore) -> None:
    with pytest.raises(ContentTooLargeError, match="above the"):
        store.cat(BOMB.root, max_size=MAX_MODEL_SIZE)
    with pytest.raises(ContentTooLargeError):
        store.open(BOMB.root, max_size=MAX_MODEL_SIZE)  # before the first byte is asked for
    assert fetch_document_bytes(store, BOMB.root) is None  # the ranking-document fetch (agents, audit)


def test_the_embedded_store_refuses_it(tmp_path: Path) -> None:
    _refused_before_reading(_local_bomb(tmp_path))


@pytest.mark.ipfs
def test_the_kubo_client_refuses_it(ipfs_daemon: JsIpfsDaemon) -> None:
    with _kubo_bomb(ipfs_daemon) as store:
        _refused_before_reading(store)


def test_a_bomb_model_is_invalid_and_costs_one_block(tmp_path: Path) -> None:
    """The validator reads at most the revealed `model_size`: the bomb is INVALID at once."""
    store = _local_bomb(tmp_path)
    train, test = split_dataset(bundled("iris"), 0.3, seed=0)
    metric = metric_by_name("accuracy")
    facts = publish_task(store, train, metric, test_bytes=dataset_to_csv(test))
    bomb = RevealedModel(7, BOMB.root, 40_000, facts.models[0].train_score)
    with Evaluator() as evaluator:
        ranking = candidate_ranking(
            replace(facts, models=(*facts.models, bomb)),
            store,
            evaluator,
            LIMITS,
            round_id=1,
            attempt=1,
        )
    assert ranking.task_valid
    assert [entry.status for entry in ranking.entries] == [EvaluationStatus.VALID, EvaluationStatus.INVALID]


def test_the_ranking_document_cap_fits_the_largest_document() -> None:
    from wekacoin_offchain.chain.params import MAX_MODELS_BOUND
    from wekacoin_offchain.consensus.documents import CandidateRanking, RankingEntry

    entries = tuple(RankingEntry(i, EvaluationStatus.VALID, -(2**255)) for i in range(MAX_MODELS_BOUND))
    largest = CandidateRanking(2**256 - 1, 2**256 - 1, 2**256 - 1, True, entries).encode()
    assert len(largest) == MAX_RANKING_DOCUMENT_SIZE
