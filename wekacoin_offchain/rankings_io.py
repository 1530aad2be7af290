"""Ranking documents to and from the content store: the wiring above `consensus`.

`consensus` works on bytes (a document's canonical encoding and its hash); the agents
and the audit move those bytes through a `ContentStore` with these three functions.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from wekacoin_offchain.consensus.documents import CandidateRanking, RankingHashMismatchError
from wekacoin_offchain.limits import MAX_RANKING_DOCUMENT_SIZE
from wekacoin_offchain.storage import ContentStore, StorageError


def store_ranking(store: ContentStore, ranking: CandidateRanking) -> str:
    """Add the document bytes to the content store; return its CID (CIDv1)."""
    return store.add_bytes(ranking.encode(), cid_version=1)


def fetch_ranking(store: ContentStore, cid: str, expected_hash: bytes) -> CandidateRanking:
    """Fetch a proposal's document and check it against the hash posted on chain."""
    data = store.cat(cid, MAX_RANKING_DOCUMENT_SIZE)
    if keccak(data) != expected_hash:
        raise RankingHashMismatchError(
            f"document {cid} hashes to 0x{keccak(data).hex()}, not the posted 0x{expected_hash.hex()}"
        )
    return CandidateRanking.decode(data)


def fetch_document_bytes(store: ContentStore, cid: str) -> bytes | None:
    """The raw bytes of a proposal's document, or None when the store cannot give them.

    Agreement treats an unfetchable document as a discarded proposal rather than an
    error (docs/protocol.md §9.3), so this is the fetch that builds a `Proposal`.
    """
    try:
        return store.cat(cid, MAX_RANKING_DOCUMENT_SIZE)
    except StorageError:
        return None
