"""Attack: an IPFS RPC endpoint that lies.

A member reads content through a daemon it does not control (a shared gateway, a
compromised node). Before the fix `KuboRpcStore.cat` returned whatever bytes the
endpoint sent, never re-hashed against the CID, so a hostile endpoint chose the
model, dataset or ranking document a validator evaluated (cost: running an endpoint);
a non-JSON reply to `add` was a traceback. Now every block is re-hashed by the embedded
store's verification code, the CID `add` answers is checked against the one computed
locally, and every malformed reply is a `StorageError`. The endpoint here is a real HTTP
server on 127.0.0.1 that serves wrong bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest

from tests.storage.golden import golden_input
from wekacoin_offchain.storage import (
    CHUNK_SIZE,
    CorruptBlockError,
    KuboRpcStore,
    LocalBlockStore,
    StorageError,
)
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon

DATA = golden_input(2 * CHUNK_SIZE + 5, b"hostile")


class HostileEndpoint(BaseHTTPRequestHandler):
    """Answers the Kubo RPC calls the client makes, wrongly, as `mode` says."""

    mode = "wrong bytes"
    blocks: ClassVar[dict[str, bytes]] = {}

    def do_POST(self) -> None:
        url = urlparse(self.path)
        arg = parse_qs(url.query).get("arg", [""])[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if url.path == "/api/v0/cat":  # a client that asks for the whole file gets it wrong too
            url, arg = url._replace(path="/api/v0/block/get"), "file"
        match (url.path, self.mode):
            case ("/api/v0/add", "not JSON"):
                self._reply(b"<html>Welcome to nginx!</html>")
            case ("/api/v0/add", "JSON without a CID"):
                self._reply(b'{"Name": "data", "Size": "5"}\n')
            case ("/api/v0/add", "a CID that is not the content's"):
                self._reply(
                    b'{"Name": "data", "Hash": "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"}\n'
                )
            case ("/api/v0/block/get", "wrong bytes"):
                self._reply(b"\x00" * len(self.blocks.get(arg, b"x")))
            case ("/api/v0/block/get", "one flipped bit"):
                block = bytearray(self.blocks[arg])
                block[-1] ^= 1
                self._reply(bytes(block))
            case ("/api/v0/block/get", "truncated"):
                block = self.blocks[arg]
                self.send_response(200)
                self.send_header("Content-Length", str(len(block)))
                self.end_headers()
                self.wfile.write(block[: len(block) // 2])
                self.close_connection = True
            case ("/api/v0/block/get", "endless"):
                self.send_response(200)
                self.end_headers()
                for _ in range(64):
                    self.wfile.write(b"\x01" * (64 << 10))
                self.close_connection = True
            case ("/api/v0/block/get", "garbage HTTP"):
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                self.close_connection = True
            case _:
                self._reply(b'{"Message": "no"}', status=500)

    def _reply(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def hostile() -> Iterator[KuboRpcStore]:
    # The blocks the honest file is made of, so "one flipped bit" can corrupt a real one.
    from wekacoin_offchain.storage.layout import build_file_dag, split_bytes

    HostileEndpoint.blocks = {block.cid.text: block.data for block in build_file_dag(split_bytes(DATA), 1)}
    HostileEndpoint.blocks["file"] = DATA
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with KuboRpcStore(f"http://127.0.0.1:{server.server_address[1]}", fetch_timeout=2.0) as store:
            yield store
    finally:
        server.shutdown()
        server.server_close()


CID = LocalBlockStore("/nonexistent-never-written").add_bytes(DATA, only_hash=True)


@pytest.mark.parametrize("mode", ["wrong bytes", "one flipped bit", "truncated", "endless", "garbage HTTP"])
def test_reads_are_verified(hostile: KuboRpcStore, mode: str) -> None:
    HostileEndpoint.mode = mode
    with pytest.raises(StorageError):
        hostile.cat(CID)
    with pytest.raises(StorageError):
        b"".join(hostile.open(CID))


def test_wrong_bytes_are_named_corrupt(hostile: KuboRpcStore) -> None:
    HostileEndpoint.mode = "wrong bytes"
    with pytest.raises(CorruptBlockError, match="does not hash to its CID"):
        hostile.cat(CID)


@pytest.mark.parametrize("mode", ["not JSON", "JSON without a CID", "a CID that is not the content's"])
def test_malformed_add_replies_are_storage_errors(hostile: KuboRpcStore, mode: str) -> None:
    HostileEndpoint.mode = mode
    with pytest.raises(StorageError):
        hostile.add_bytes(DATA)


@pytest.mark.ipfs
def test_the_real_daemon_passes_the_same_checks(ipfs_daemon: JsIpfsDaemon) -> None:
    with KuboRpcStore(ipfs_daemon.api) as store:
        assert store.add_bytes(DATA) == CID
        assert store.cat(CID, max_size=len(DATA)) == DATA
