"""Throughput of the embedded content store, as a ratio to plain hashlib SHA-256.

    .venv/bin/python benchmarks/bench_storage.py [--size-mib 64] [--repeat 5] [--dir DIR]

Every row handles one file of random bytes. Two baselines, both plain hashlib SHA-256
over the same bytes: `hashlib.file_digest` of the same file (what `sha256sum FILE`
does: read it and hash it, the like-for-like cost of reading a file into a CID), and
SHA-256 of the bytes already in memory (hashing alone). The target is a ratio of at
least 0.5: the store costs at most twice a plain hash of the file.

Adds go to a fresh store each time, so they write every block; reads verify every
block. The store lives in DIR (default: the system's temporary directory); creating
~260 block files costs what the filesystem charges, so compare a run with
`--dir /dev/shm` to tell the store's own cost from the disk's.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aleph_cid
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.storage import LocalBlockStore

TARGET_RATIO = 0.5


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float


def best_time(run: Callable[[], object], repeat: int, prepare: Callable[[], None] = lambda: None) -> float:
    times = []
    for _ in range(repeat):
        prepare()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(workdir: Path, size: int, repeat: int) -> tuple[float, float, list[Row]]:
    data = os.urandom(size)
    source = workdir / "input.bin"
    source.write_bytes(data)
    numbers = itertools.count()
    store = [LocalBlockStore(workdir / "store")]

    def fresh_store() -> None:
        store[0] = LocalBlockStore(workdir / f"store-{next(numbers)}")

    def add(version: int, only_hash: bool = False) -> Callable[[], object]:
        return lambda: store[0].add_file(source, version, only_hash=only_hash)

    def read_all(cid: str) -> None:
        for _ in store[0].open(cid):
            pass

    def file_digest() -> bytes:
        with source.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()

    def aleph_v1() -> str:
        hasher = aleph_cid.CidHasher.for_ipfs_v1_raw_leaves()
        with source.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                hasher.update(chunk)
        return hasher.finalize()

    in_memory = best_time(lambda: hashlib.sha256(data).digest(), repeat)
    of_file = best_time(file_digest, repeat)
    rows = [
        Row("add --cid-version 1 (blocks written)", best_time(add(1), repeat, fresh_store)),
        Row("add --cid-version 0 (blocks written)", best_time(add(0), repeat, fresh_store)),
        Row("add --only-hash --cid-version 1", best_time(add(1, only_hash=True), repeat)),
        Row("add --only-hash --cid-version 0", best_time(add(0, only_hash=True), repeat)),
    ]
    cid_v1, cid_v0 = store[0].add_file(source, 1), store[0].add_file(source, 0)
    rows += [
        Row("read CIDv1, every block verified", best_time(lambda: read_all(cid_v1), repeat)),
        Row("read CIDv0, every block verified", best_time(lambda: read_all(cid_v0), repeat)),
    ]
    assert aleph_v1() == cid_v1, "aleph-cid and the embedded store disagree"
    rows.append(Row("aleph-cid only-hash CIDv1 (Rust; not the store)", best_time(aleph_v1, repeat)))
    return of_file, in_memory, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="where the input file and the stores go")
    arguments = parser.parse_args()
    size = arguments.size_mib << 20

    with tempfile.TemporaryDirectory(prefix="wekacoin-bench-", dir=arguments.dir) as work:
        of_file, in_memory, rows = measure(Path(work), size, arguments.repeat)

    place = arguments.dir or Path(tempfile.gettempdir())
    table = Table(title=f"Embedded content store in {place}: {arguments.size_mib} MiB, best of {arguments.repeat}")
    for column in (
        "operation",
        "seconds",
        "MiB/s",
        "ratio to SHA-256 of the file",
        "ratio to SHA-256 in memory",
    ):
        table.add_column(column, justify="left" if column == "operation" else "right")
    baselines = [
        Row("hashlib.file_digest SHA-256 of the file (baseline)", of_file),
        Row("hashlib SHA-256 of the bytes in memory", in_memory),
    ]
    for row in baselines + rows:
        table.add_row(
            row.name,
            f"{row.seconds:.3f}",
            f"{size / row.seconds / (1 << 20):.0f}",
            f"{of_file / row.seconds:.2f}",
            f"{in_memory / row.seconds:.2f}",
        )
    console = Console(width=140)
    console.print(table)
    store_rows = rows[:-1]
    worst = max(store_rows, key=lambda row: row.seconds)
    ratio = of_file / worst.seconds
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    console.print(
        f"slowest store operation: {worst.name}, ratio {ratio:.2f} to SHA-256 of the file: "
        f"{verdict} the target {TARGET_RATIO}"
    )


if __name__ == "__main__":
    main()
