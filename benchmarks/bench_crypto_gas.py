"""Gas of the on-chain sortition checks, beside published EVM VRF verifiers.

Run: .venv/bin/python benchmarks/bench_crypto_gas.py

How gas is measured: titanoboa (py-evm, Prague rules) runs each call as a message call
from an externally owned account; "execution" is the gas that call consumes
(`boa.env.get_gas_used()` after `reset_gas_used()`), precompiles included. "As a
transaction" adds what a transaction calling the function directly would pay on top:
21,000 intrinsic gas and calldata at 16 gas per non-zero and 4 per zero byte (the
EIP-7623 floor, 10 gas per calldata token, is lower for every row here, so it does not
bind). A contract calling the verifier pays execution plus its own call overhead instead.

The storage challenge runs `chunk_merkle._verify_chunk` through its test harness on one
full 1,024-byte chunk, for trees of depth 0, 10, 20 and 32 (objects of 1 KiB, 1 MiB,
1 GiB and 4 TiB); the paths are synthetic (random siblings folded into a root), which
costs exactly what a real object of that size costs.

Also printed: how long the Python side takes per operation, with the arkworks backend
the package uses and the py_ecc reference it is tested against, and how fast
`object_commitment` hashes an object into its chunk tree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import boa
from rich.console import Console
from rich.table import Table

from wekacoin_offchain.crypto import (
    CHUNK_SIZE,
    SIGNATURE_DST,
    SecretKey,
    bls_reference,
    hash_to_g1,
    object_commitment,
    prove_possession,
    public_key_bytes,
    sign,
    verify,
    verify_chunk,
    vrf_prove,
)
from wekacoin_offchain.crypto.merkle import leaf_hash, node_hash, object_root
from wekacoin_offchain.paths import PROJECT_ROOT

REPOSITORY = PROJECT_ROOT
VRF_TARGET = 130_000
PEERS = [
    ("Chainlink VRF (callback gas budget)", 200_000),
    ("witnet vrf-solidity fastVerify (secp256k1 ECVRF)", 170_000),
]
SEED = bytes.fromhex("5eed" * 16)
CONTRACT = "0x" + "42" * 20


def calldata_gas(calldata: bytes) -> int:
    return sum(4 if byte == 0 else 16 for byte in calldata)


def measure(function: Any, *args: Any) -> tuple[int, int]:
    """(execution gas, gas as a direct transaction) of one call."""
    boa.env.reset_gas_used()
    function(*args)
    execution = boa.env.get_gas_used()
    return execution, execution + 21_000 + calldata_gas(function.prepare_calldata(*args))


def synthetic_chunk_proof(depth: int, rng: random.Random) -> tuple[bytes, int, int, bytes, list[bytes]]:
    """A valid (root, size, index, chunk, path) for an object of 2**depth full chunks."""
    size, index = CHUNK_SIZE << depth, rng.randrange(1 << depth)
    chunk, path = rng.randbytes(CHUNK_SIZE), [rng.randbytes(32) for _ in range(depth)]
    node = leaf_hash(chunk)
    for level, sibling in enumerate(path):
        node = node_hash(sibling, node) if (index >> level) & 1 else node_hash(node, sibling)
    root = object_root(node, size)
    assert verify_chunk(root, size, index, chunk, path)
    return root, size, index, chunk, path


def gas_table() -> Table:
    verifier = boa.load(str(REPOSITORY / "contracts" / "BLSVerifier.vy"))
    harness = boa.load(str(REPOSITORY / "tests" / "crypto" / "harness" / "chunk_merkle_harness.vy"))
    key = SecretKey.from_seed(bytes(range(32)))
    public_key = public_key_bytes(key)
    proof, output = vrf_prove(key, 31_337, CONTRACT, 1, 0, SEED)
    vrf_message = bytes(160)

    rows: list[tuple[str, int, int]] = []
    assert verifier.vrf_verify(public_key, 31_337, CONTRACT, 1, 0, SEED, proof) == output
    rows.append(
        ("vrf_verify (one VRF check)", *measure(verifier.vrf_verify, public_key, 31_337, CONTRACT, 1, 0, SEED, proof))
    )
    account = "0x" + "11" * 20
    rows.append(
        ("verify_possession", *measure(verifier.verify_possession, public_key, account, prove_possession(key, account)))
    )
    rows.append(
        (
            "verify (160-byte message)",
            *measure(verifier.verify, public_key, vrf_message, sign(key, vrf_message), SIGNATURE_DST),
        )
    )
    rows.append(("hash_to_g1 (160-byte message)", *measure(verifier.hash_to_g1, vrf_message, SIGNATURE_DST)))
    rng = random.Random(0)
    for depth, label in ((0, "1 KiB"), (10, "1 MiB"), (20, "1 GiB"), (32, "4 TiB")):
        root, size, index, chunk, path = synthetic_chunk_proof(depth, rng)
        assert harness.verify_chunk(root, size, index, chunk, path)
        rows.append(
            (
                f"storage challenge, depth {depth} ({label} object)",
                *measure(harness.verify_chunk, root, size, index, chunk, path),
            )
        )

    table = Table(title="On-chain gas (titanoboa 0.2.8, py-evm Prague)")
    table.add_column("operation")
    table.add_column("execution gas", justify="right")
    table.add_column("as a transaction", justify="right")
    for name, execution, transaction in rows:
        table.add_row(name, f"{execution:,}", f"{transaction:,}")
    vrf_execution = rows[0][1]
    table.add_section()
    table.add_row(f"target for vrf_verify: below {VRF_TARGET:,}", "met" if vrf_execution < VRF_TARGET else "MISSED", "")
    table.add_row("precompiles alone (2-pair pairing, 2 map, add, 2 modexp, 5 sha256)", "~115,200", "")
    for peer, gas in PEERS:
        table.add_row(f"peer: {peer}", f"{gas:,}", "")
    return table


def median_seconds(operation: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        operation()
        timings.append(time.perf_counter() - start)
    return sorted(timings)[len(timings) // 2]


def python_table() -> Table:
    key = SecretKey.from_seed(bytes(range(32)))
    public_key, message = public_key_bytes(key), bytes(160)
    signature = sign(key, message)
    table = Table(title="Python BLS, median milliseconds per operation")
    table.add_column("operation")
    table.add_column("arkworks (used)", justify="right")
    table.add_column("py_ecc (reference)", justify="right")
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        (
            "hash_to_g1",
            lambda: hash_to_g1(message, SIGNATURE_DST),
            lambda: bls_reference.hash_to_g1(message, SIGNATURE_DST),
        ),
        ("sign", lambda: sign(key, message), lambda: bls_reference.sign(key, message)),
        (
            "verify",
            lambda: verify(public_key, message, signature),
            lambda: bls_reference.verify(public_key, message, signature),
        ),
    ]
    for name, fast, reference in cases:
        table.add_row(name, f"{median_seconds(fast, 21) * 1e3:.2f}", f"{median_seconds(reference, 3) * 1e3:.1f}")
    return table


def commitment_throughput_line(mebibytes: int = 16) -> str:
    data = random.Random(1).randbytes(mebibytes << 20)
    seconds = median_seconds(lambda: object_commitment(data), 3)
    return f"Chunk tree: object_commitment hashes {mebibytes / seconds:.0f} MiB/s ({CHUNK_SIZE}-byte chunks, one core)"


def main() -> None:
    console = Console(width=110)
    console.print(gas_table())
    console.print(python_table())
    console.print(commitment_throughput_line())


if __name__ == "__main__":
    main()
