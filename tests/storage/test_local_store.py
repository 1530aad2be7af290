"""The embedded block store: exact CIDs, verified reads, streaming, pins, user errors."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.storage import (
    CHUNK_SIZE,
    ContentNotFoundError,
    ContentStore,
    CorruptBlockError,
    InvalidCidError,
    LocalBlockStore,
    MissingFileError,
    StorageError,
    UnsupportedContentError,
)
from wekacoin_offchain.storage.cids import parse_cid

from .golden import GoldenCase, golden_cases, golden_input


def block_files(store: LocalBlockStore) -> list[Path]:
    return sorted((store.root / "blocks").glob("*/*.data"))


def test_it_is_a_content_store(local_store: LocalBlockStore) -> None:
    assert isinstance(local_store, ContentStore)


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: f"{case.size}B")
def test_golden_cids_from_bytes_and_file(
    case: GoldenCase, version: int, local_store: LocalBlockStore, tmp_path: Path
) -> None:
    data = golden_input(case.size)
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    assert local_store.add_bytes(data, cid_version=version) == case.cid(version)
    assert local_store.add_file(path, cid_version=version) == case.cid(version)
    assert local_store.cat(case.cid(version)) == data
    assert local_store.has(case.cid(version))


def test_default_is_cidv1(local_store: LocalBlockStore) -> None:
    assert local_store.add_bytes(b"hello").startswith("bafkrei")


def test_only_hash_stores_nothing(local_store: LocalBlockStore, tmp_path: Path) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(golden_input(3 * CHUNK_SIZE))
    cid = local_store.add_file(path, only_hash=True)
    assert not local_store.has(cid)
    assert block_files(local_store) == []


def test_cidv0_and_cidv1_of_the_same_dag_pb_block_share_it(local_store: LocalBlockStore) -> None:
    v0 = local_store.add_bytes(b"shared", cid_version=0)
    v1 = parse_cid(v0).to_v1().text
    assert local_store.cat(v1) == b"shared"
    assert len(block_files(local_store)) == 1


def test_open_streams_one_block_at_a_time(local_store: LocalBlockStore) -> None:
    data = golden_input(3 * CHUNK_SIZE + 1)
    chunks = list(local_store.open(local_store.add_bytes(data, cid_version=0)))
    assert [len(chunk) for chunk in chunks] == [CHUNK_SIZE] * 3 + [1]
    assert b"".join(chunks) == data


def test_large_files_go_through_in_constant_memory(local_store: LocalBlockStore, tmp_path: Path) -> None:
    path = tmp_path / "large.bin"
    with path.open("wb") as handle:
        for _ in range(24):
            handle.write(os.urandom(1 << 20))
    tracemalloc.start()
    try:
        cid = local_store.add_file(path)
        for _ in local_store.open(cid):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * CHUNK_SIZE  # 24 MiB went through; a few chunks at a time were held


def test_a_corrupted_block_is_reported_never_returned(local_store: LocalBlockStore) -> None:
    data = golden_input(2 * CHUNK_SIZE + 10)
    cid = local_store.add_bytes(data, cid_version=1)
    leaf = max(block_files(local_store), key=lambda path: path.stat().st_size)
    damaged = bytearray(leaf.read_bytes())
    damaged[100] ^= 0x01
    leaf.write_bytes(bytes(damaged))
    with pytest.raises(CorruptBlockError, match="corrupted"):
        local_store.cat(cid)
    with pytest.raises(CorruptBlockError):
        local_store.pin(cid)
    # Adding the content again repairs the block.
    assert local_store.add_bytes(data, cid_version=1) == cid
    assert local_store.cat(cid) == data


def test_a_corrupted_root_fails_before_any_byte(local_store: LocalBlockStore) -> None:
    cid = local_store.add_bytes(b"small", cid_version=0)
    (root,) = block_files(local_store)
    root.write_bytes(root.read_bytes()[:-1])
    with pytest.raises(CorruptBlockError):
        local_store.open(cid)


def test_a_missing_block_below_the_root(local_store: LocalBlockStore) -> None:
    cid = local_store.add_bytes(golden_input(2 * CHUNK_SIZE), cid_version=1)
    leaf = max(block_files(local_store), key=lambda path: path.stat().st_size)
    leaf.unlink()
    assert local_store.has(cid)  # the root is still here
    with pytest.raises(ContentNotFoundError):
        local_store.cat(cid)
    with pytest.raises(ContentNotFoundError):
        local_store.pin(cid)


def test_pin_checks_the_whole_dag_then_records_it(local_store: LocalBlockStore) -> None:
    v0 = local_store.add_bytes(golden_input(CHUNK_SIZE + 1), cid_version=0)
    v1 = local_store.add_bytes(b"other")
    assert local_store.pinned() == []
    assert local_store.pin(v0) == v0
    assert local_store.pin(v1) == v1
    assert local_store.pinned() == sorted([v0, v1])


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            lambda store: store.cat("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
            ContentNotFoundError,
        ),
        (lambda store: store.cat("not-a-cid"), InvalidCidError),
        (
            lambda store: store.open("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ"),
            InvalidCidError,
        ),
        (
            lambda store: store.pin("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
            ContentNotFoundError,
        ),
        (lambda store: store.add_file("/no/such/file"), MissingFileError),
        (lambda store: store.add_file(store.root.parent), MissingFileError),
        (lambda store: store.add_bytes(b"x", cid_version=2), StorageError),
        # a dag-cbor CID: well formed, but not something this store reads
        (
            lambda store: store.cat("bafyreigbtj4x7ip5legnfznufuopl4sg4knzc2cof6duas4b3q2fy6swua"),
            UnsupportedContentError,
        ),
    ],
)
def test_user_mistakes_are_one_line_user_errors(
    local_store: LocalBlockStore, call: object, error: type[UserError]
) -> None:
    with pytest.raises(error) as raised:
        call(local_store)  # type: ignore[operator]
    assert isinstance(raised.value, UserError)
    assert "\n" not in str(raised.value)


def test_has_is_false_for_unknown_content(local_store: LocalBlockStore) -> None:
    assert not local_store.has("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")


def test_an_unwritable_store_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(StorageError, match="cannot write to the store"):
        LocalBlockStore(blocker / "store").add_bytes(b"x")
