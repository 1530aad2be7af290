"""Ranking documents through a real content store (the wiring above consensus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.consensus.builders import INVALID, VALID, ranking
from wekacoin_offchain.consensus import RankingHashMismatchError
from wekacoin_offchain.rankings_io import fetch_document_bytes, fetch_ranking, store_ranking
from wekacoin_offchain.storage import LocalBlockStore


def test_store_and_fetch_round_trip(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path / "store")
    document = ranking([(1, VALID, 10), (2, INVALID, 0)])
    cid = store_ranking(store, document)
    assert cid == store.add_bytes(document.encode(), cid_version=1, only_hash=True)
    assert store.cat(cid) == document.encode()
    assert fetch_ranking(store, cid, document.ranking_hash) == document
    with pytest.raises(RankingHashMismatchError):
        fetch_ranking(store, cid, bytes(32))


def test_an_unfetchable_document_gives_none(tmp_path: Path) -> None:
    store = LocalBlockStore(tmp_path / "store")
    absent = store.add_bytes(b"never stored", only_hash=True)
    assert fetch_document_bytes(store, absent) is None
    assert fetch_document_bytes(store, "not a cid") is None
