"""The embedded content store: a directory of blocks keyed by multihash.

Layout under `root_dir` (the same scheme as kubo's flatfs `blocks/`, so it reads
familiarly, though this is not a kubo repository):

    blocks/<shard>/<KEY>.data   one block's bytes; KEY is the block's multihash in
                                upper-case base32 without padding (`CIQ...` for
                                sha2-256), shard is KEY's next-to-last two characters
    pins/<cidv1>                a pinned root; the file holds the CID as pinned

Blocks are keyed by multihash, not by CID, so a dag-pb block reached as CIDv0 and as
CIDv1 is stored once; the codec comes from the CID used to read it.

Integrity: every block read is hashed and compared with its CID before any of its bytes
are used or returned (`unixfs.read_file`, shared with the Kubo client), so a corrupted or truncated block file is reported
(CorruptBlockError), never served. Writes go to a temporary file renamed into place,
so a reader never sees half a block, and adds write children before parents, so a
stored root means a complete DAG unless a block was lost or damaged since (which a
read then reports). Adding content again repairs a damaged block. Blocks are not
fsync'ed: a crash can lose the latest blocks, never make a read return wrong bytes.
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from wekacoin_offchain.storage.base import StrPath, open_to_add
from wekacoin_offchain.storage.cids import ContentId, checked_cid_version, parse_cid
from wekacoin_offchain.storage.errors import ContentNotFoundError, CorruptBlockError, StorageError
from wekacoin_offchain.storage.layout import build_file_dag, read_chunks, split_bytes
from wekacoin_offchain.storage.unixfs import MAX_BLOCK_SIZE, hashes_to, read_file, readable_cid, verified_block


class LocalBlockStore:
    """A ContentStore in a local directory, giving exactly the CIDs `ipfs add` gives."""

    def __init__(self, root_dir: StrPath) -> None:
        self.root = Path(root_dir)
        self._blocks_dir = self.root / "blocks"
        self._pins_dir = self.root / "pins"

    def __repr__(self) -> str:
        return f"LocalBlockStore({str(self.root)!r})"

    # --- adding -------------------------------------------------------------------

    def add_bytes(self, data: bytes, cid_version: int = 1, only_hash: bool = False) -> str:
        return self._add(split_bytes(bytes(data)), checked_cid_version(cid_version), only_hash)

    def add_file(self, path: StrPath, cid_version: int = 1, only_hash: bool = False) -> str:
        version = checked_cid_version(cid_version)
        with open_to_add(path) as stream:
            return self._add(read_chunks(stream), version, only_hash)

    def _add(self, chunks: Iterable[bytes], cid_version: int, only_hash: bool) -> str:
        root: ContentId | None = None
        for block in build_file_dag(chunks, cid_version):
            if not only_hash:
                self._put_block(block.cid, block.data)
            root = block.cid
        assert root is not None  # even an empty file has one block
        return root.text

    def _put_block(self, cid: ContentId, data: bytes) -> None:
        path = self._block_path(cid)
        if path.exists() and hashes_to(path.read_bytes(), cid):
            return
        try:
            descriptor, temporary = self._temporary_beside(path)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"cannot write to the store at {self.root}: {exc.strerror}") from None

    @staticmethod
    def _temporary_beside(path: Path) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        except FileNotFoundError:  # a new shard: make it only then, not once per block
            path.parent.mkdir(parents=True, exist_ok=True)
            return tempfile.mkstemp(dir=path.parent, prefix=".incoming-")

    def put_block(self, cid: str, data: bytes) -> str:
        """Store one block as `ipfs block put` does, after checking it hashes to `cid`.

        For blocks fetched from elsewhere (another node, a backup): nothing unverified
        enters the store. Returns the canonical CID.
        """
        content_id = readable_cid(cid)
        self._put_block(content_id, verified_block(content_id, bytes(data), "the caller"))
        return content_id.text

    # --- reading ------------------------------------------------------------------

    def open(self, cid: str, max_size: int | None = None) -> Iterator[bytes]:
        """The file's bytes, one verified block at a time (see `unixfs.read_file`).

        The root block is read and checked, and the file's declared size compared with
        `max_size`, before this returns.
        """
        return read_file(cid, self._read_block, max_size)

    def cat(self, cid: str, max_size: int | None = None) -> bytes:
        return b"".join(self.open(cid, max_size))

    def has(self, cid: str) -> bool:
        content_id = parse_cid(cid)
        return content_id.is_sha2_256 and self._block_path(content_id).is_file()

    def _read_block(self, cid: ContentId) -> bytes:
        path = self._block_path(cid)
        try:
            with path.open("rb") as handle:
                # A block file larger than any block is damaged: never read it in.
                oversized = os.fstat(handle.fileno()).st_size > MAX_BLOCK_SIZE
                data = b"" if oversized else handle.read()
        except FileNotFoundError:
            raise ContentNotFoundError(f"{cid} is not in the store at {self.root}") from None
        if oversized or not hashes_to(data, cid):
            raise CorruptBlockError(
                f"block {cid} at {path} is corrupted (its bytes do not hash to its CID); "
                "add the content again to repair it"
            )
        return data

    def _block_path(self, cid: ContentId) -> Path:
        key = base64.b32encode(cid.multihash).decode("ascii").rstrip("=")
        return self._blocks_dir / key[-3:-1] / f"{key}.data"

    # --- pinning ------------------------------------------------------------------

    def pin(self, cid: str) -> str:
        """Check that every block under `cid` is here and intact, then record the pin.

        This store never deletes blocks, so a pin is a checked promise, not a guard
        against garbage collection: the DAG was complete and verified when pinned.
        """
        content_id = readable_cid(cid)
        for _ in self.open(content_id.text):
            pass
        self._pins_dir.mkdir(parents=True, exist_ok=True)
        (self._pins_dir / content_id.to_v1().text).write_text(content_id.text + "\n")
        return content_id.text

    def pinned(self) -> list[str]:
        """The pinned CIDs, in the form they were pinned, sorted."""
        if not self._pins_dir.is_dir():
            return []
        return sorted(path.read_text().strip() for path in self._pins_dir.iterdir())
