"""The chunk tree: merkle.py against an independent naive tree and against chunk_merkle.vy."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from wekacoin_offchain.crypto import (
    CHUNK_SIZE,
    MAX_OBJECT_SIZE,
    challenge_index,
    chunk_proof,
    merkle_root,
    num_chunks,
    object_commitment,
    verify_chunk,
)
from wekacoin_offchain.crypto.merkle import PADDING_LEAF, leaf_hash, node_hash, object_root
from wekacoin_offchain.errors import UserError

SIZES = [
    0,
    1,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    2 * CHUNK_SIZE,
    3 * CHUNK_SIZE + 7,
    5 * CHUNK_SIZE,
    8 * CHUNK_SIZE,
    9 * CHUNK_SIZE + 1,
    13 * CHUNK_SIZE - 5,
]


def naive_levels(data: bytes) -> list[list[bytes]]:
    """Every level of the padded tree, built bottom-up in memory: the layout written plainly."""
    chunks = [data[start : start + CHUNK_SIZE] for start in range(0, len(data), CHUNK_SIZE)] or [b""]
    width = 1
    while width < len(chunks):
        width *= 2
    levels = [[leaf_hash(chunk) for chunk in chunks] + [PADDING_LEAF] * (width - len(chunks))]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below), 2)])
    return levels


def random_object(size: int) -> bytes:
    return random.Random(size).randbytes(size)


@pytest.mark.parametrize("size", SIZES)
def test_streaming_tree_matches_the_naive_tree(size: int) -> None:
    data = random_object(size)
    levels = naive_levels(data)
    assert merkle_root(data) == object_root(levels[-1][0], size)
    for index in range(num_chunks(size)):
        chunk, path = chunk_proof(data, index)
        assert chunk == data[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]
        assert path == tuple(levels[level][(index >> level) ^ 1] for level in range(len(levels) - 1))


def _tamperings(
    root: bytes, size: int, index: int, chunk: bytes, path: tuple[bytes, ...], data: bytes
) -> dict[str, tuple[Any, ...]]:
    """Ways to answer a challenge wrongly: each must fail."""
    count = num_chunks(size)
    cases: dict[str, tuple[Any, ...]] = {
        "another root": (bytes(32), size, index, chunk, path),
        "index past the end": (root, size, count, chunk, path),
        "path one level long": (root, size, index, chunk, (*path, bytes(32))),
        "size off by one chunk": (root, size + CHUNK_SIZE, index, chunk, path),
        "size off by one byte": (root, size + 1, index, chunk, path),
    }
    if path:
        cases["path one level short"] = (root, size, index, chunk, path[:-1])
    if chunk:
        cases["chunk byte flipped"] = (root, size, index, bytes([chunk[0] ^ 1]) + chunk[1:], path)
        cases["chunk truncated"] = (root, size, index, chunk[:-1], path)
    if len(chunk) < CHUNK_SIZE:
        cases["short chunk zero-padded"] = (root, size, index, chunk + b"\x00", path)
    if count > 1:
        other = (index + 1) % count
        other_chunk, other_path = chunk_proof(data, other)
        cases["chunk of another index"] = (root, size, index, other_chunk, other_path)
        cases["right chunk and path, wrong index"] = (root, size, other, chunk, path)
        cases["path of another chunk"] = (root, size, index, chunk, other_path)
    return cases


@pytest.mark.parametrize("size", SIZES)
def test_python_and_module_agree_on_every_index_valid_and_tampered(size: int, merkle_harness: Any) -> None:
    data = random_object(size)
    root = merkle_root(data)
    assert merkle_harness.num_chunks(size) == num_chunks(size)
    for index in range(num_chunks(size)):
        chunk, path = chunk_proof(data, index)
        assert verify_chunk(root, size, index, chunk, path)
        assert merkle_harness.verify_chunk(root, size, index, chunk, list(path))
        for name, case in _tamperings(root, size, index, chunk, path, data).items():
            assert not verify_chunk(*case), name
            assert not merkle_harness.verify_chunk(*case[:4], list(case[4])), name


def test_a_storage_path_of_another_object_fails(merkle_harness: Any) -> None:
    first, second = random_object(3 * CHUNK_SIZE), random_object(3 * CHUNK_SIZE + 1)[1:]
    chunk, path = chunk_proof(second, 1)
    assert not verify_chunk(merkle_root(first), len(first), 1, chunk, path)
    assert not merkle_harness.verify_chunk(merkle_root(first), len(first), 1, chunk, list(path))


def test_sizes_beyond_the_depth_bound_fail(merkle_harness: Any) -> None:
    assert not verify_chunk(bytes(32), MAX_OBJECT_SIZE + 1, 0, bytes(CHUNK_SIZE), [bytes(32)] * 32)
    assert not merkle_harness.verify_chunk(bytes(32), MAX_OBJECT_SIZE + 1, 0, bytes(CHUNK_SIZE), [bytes(32)] * 32)
    with pytest.raises(UserError):
        num_chunks(MAX_OBJECT_SIZE + 1)


def test_the_empty_object_is_one_empty_chunk() -> None:
    assert num_chunks(0) == 1
    assert merkle_root(b"") == object_root(leaf_hash(b""), 0)
    assert chunk_proof(b"", 0) == (b"", ())


def test_a_file_streams_to_the_same_commitment(tmp_path: Path) -> None:
    data = random_object(7 * CHUNK_SIZE + 3)
    path = tmp_path / "model.onnx"
    path.write_bytes(data)
    assert object_commitment(path) == object_commitment(data)
    assert object_commitment(str(path)).size == len(data)
    assert chunk_proof(path, 6) == chunk_proof(data, 6)
    with pytest.raises(UserError, match="cannot read"):
        merkle_root(tmp_path / "missing")


def test_proofs_of_missing_chunks_are_refused() -> None:
    with pytest.raises(UserError, match="out of range"):
        chunk_proof(random_object(CHUNK_SIZE), 1)


def test_challenge_index_twin(merkle_harness: Any) -> None:
    rng = random.Random(7)
    for _ in range(60):
        seed, validator = rng.randbytes(32), "0x" + rng.randbytes(20).hex()
        object_id, count = rng.randrange(2**256), rng.choice([1, 2, 3, 1000, 2**32, rng.randrange(1, 2**32)])
        expected = challenge_index(seed, validator, object_id, count)
        assert 0 <= expected < count
        assert merkle_harness.challenge_index(seed, validator, object_id, count) == expected


def test_challenge_index_changes_with_seed_validator_and_object() -> None:
    seed, validator = bytes(32), "0x" + "11" * 20
    base = challenge_index(seed, validator, 1, 2**32)
    assert challenge_index(b"\x01" + bytes(31), validator, 1, 2**32) != base
    assert challenge_index(seed, "0x" + "12" * 20, 1, 2**32) != base
    assert challenge_index(seed, validator, 2, 2**32) != base
    with pytest.raises(UserError):
        challenge_index(seed, validator, 1, 0)
