"""A DAG bomb: a few hundred KB of valid UnixFS blocks naming a file of about 1.25 TiB.

One raw leaf of 256 KiB, linked 174 times from each node of three levels above it: every
block hashes to its CID, and each level multiplies the declared size by 174.
"""

from __future__ import annotations

from dataclasses import dataclass

from wekacoin_offchain.storage.cids import DAG_PB, RAW, sha256_cid
from wekacoin_offchain.storage.dagpb import PbLink, encode_pb_node, encode_unixfs_file
from wekacoin_offchain.storage.layout import CHUNK_SIZE, MAX_LINKS


@dataclass(frozen=True)
class Bomb:
    root: str
    declared_size: int
    blocks: tuple[tuple[str, bytes, str], ...]  # (cid, bytes, codec), children first

    @property
    def stored_bytes(self) -> int:
        return sum(len(data) for _, data, _ in self.blocks)


def dag_bomb(levels: int = 3) -> Bomb:
    leaf = bytes(CHUNK_SIZE)
    child = sha256_cid(leaf, RAW, 1)
    child_size, child_dag = CHUNK_SIZE, CHUNK_SIZE
    blocks = [(child.text, leaf, RAW)]
    for _ in range(levels):
        encoded = encode_pb_node(
            [PbLink(child.to_bytes(), child_dag)] * MAX_LINKS,
            encode_unixfs_file(b"", child_size * MAX_LINKS, [child_size] * MAX_LINKS),
        )
        child = sha256_cid(encoded, DAG_PB, 1)
        child_size, child_dag = child_size * MAX_LINKS, child_dag * MAX_LINKS + len(encoded)
        blocks.append((child.text, encoded, DAG_PB))
    return Bomb(child.text, child_size, tuple(blocks))
