"""Golden CIDs and the deterministic inputs they were computed from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

GOLDEN_FILE = Path(__file__).with_name("ipfs-cids.json")
"""A copy of shared/vectors/ipfs-cids.json: CIDs kubo 0.22 and js-ipfs 0.18.1 gave."""


@dataclass(frozen=True)
class GoldenCase:
    size: int
    cidv0: str
    cidv1: str

    def cid(self, version: int) -> str:
        return self.cidv0 if version == 0 else self.cidv1


def golden_seed() -> bytes:
    seed: str = json.loads(GOLDEN_FILE.read_text())["seed"]
    return seed.encode()


def golden_cases() -> list[GoldenCase]:
    return [GoldenCase(**case) for case in json.loads(GOLDEN_FILE.read_text())["cases"]]


def golden_input(size: int, seed: bytes | None = None) -> bytes:
    """The first `size` bytes of sha256(seed || i as 8-byte big-endian), i = 0, 1, ..."""
    prefix = golden_seed() if seed is None else seed
    blocks = (size + 31) // 32
    stream = b"".join(hashlib.sha256(prefix + i.to_bytes(8, "big")).digest() for i in range(blocks))
    return stream[:size]
