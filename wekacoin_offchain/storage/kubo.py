"""A ContentStore over the Kubo RPC API (kubo, or js-ipfs which serves the same API).

A thin httpx client over the documented endpoints (https://docs.ipfs.tech/reference/kubo/rpc/):
`add`, `block/get`, `pin/add`, `block/stat`. The daemon is not trusted: files are read
block by block and every block is re-hashed against its CID by the embedded store's own
code (`unixfs.read_file`), and the CID `add` answers is compared with the one computed
here; a malformed, wrong or truncated reply is a `StorageError`. ipfshttpclient is not used: it is unmaintained
since 2021 and its `connect()` refuses any kubo newer than 0.8.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import httpx

from wekacoin_offchain.storage.base import StrPath, open_to_add
from wekacoin_offchain.storage.cids import ContentId, canonical_cid, checked_cid_version, parse_cid
from wekacoin_offchain.storage.errors import (
    ContentNotFoundError,
    StorageError,
    StoreUnavailableError,
)
from wekacoin_offchain.storage.layout import CHUNK_SIZE, build_file_dag, read_chunks, split_bytes
from wekacoin_offchain.storage.unixfs import MAX_BLOCK_SIZE, read_file, verified_block

DEFAULT_API = "/ip4/127.0.0.1/tcp/5001"
"""Where a user's kubo listens by default."""

_ADDRESS_PROTOCOLS = ("ip4", "ip6", "dns", "dns4", "dns6")


def api_base_url(api: str) -> str:
    """`http://host:port` for an API multiaddr (`/ip4/127.0.0.1/tcp/5001[/http]`) or URL."""
    text = api.strip()
    if text.startswith(("http://", "https://")):
        return text.rstrip("/")
    parts = text.strip("/").split("/")
    valid = (
        text.startswith("/")
        and len(parts) in (4, 5)
        and parts[0] in _ADDRESS_PROTOCOLS
        and parts[2] == "tcp"
        and parts[3].isdigit()
        and parts[4:] in ([], ["http"], ["https"])
    )
    if not valid:
        raise StorageError(
            f"not an IPFS API address: {api!r} "
            "(expected a multiaddr like /ip4/127.0.0.1/tcp/5001 or a URL like http://127.0.0.1:5001)"
        )
    scheme = "https" if parts[4:] == ["https"] else "http"
    host = f"[{parts[1]}]" if parts[0] in ("ip6", "dns6") and ":" in parts[1] else parts[1]
    return f"{scheme}://{host}:{parts[3]}"


class KuboRpcStore:
    """Content in an IPFS daemon reached over its RPC API.

    `fetch_timeout` bounds each block of `cat` and `open`, and `pin`, which may fetch from the network
    (kubo searches peers for a CID it lacks); past it the content counts as not found.
    `has` asks the daemon for its local copy only (`offline`); js-ipfs ignores that flag
    and waits for the network instead, so `has_timeout` bounds its answer.
    """

    def __init__(self, api: str = DEFAULT_API, *, fetch_timeout: float = 60.0, has_timeout: float = 2.0) -> None:
        self.api = api
        self.base_url = api_base_url(api)
        self.fetch_timeout = fetch_timeout
        self.has_timeout = has_timeout
        # trust_env=False: a proxy set for the internet must not carry calls to a local daemon.
        self._client = httpx.Client(
            base_url=f"{self.base_url}/api/v0/",
            timeout=httpx.Timeout(fetch_timeout + 10.0, connect=5.0),
            trust_env=False,
        )

    def __repr__(self) -> str:
        return f"KuboRpcStore({self.api!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> KuboRpcStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- adding -------------------------------------------------------------------

    def add_bytes(self, data: bytes, cid_version: int = 1, only_hash: bool = False) -> str:
        data = bytes(data)
        expected = _file_cid(split_bytes(data), cid_version)
        return self._checked(self._add("data", data, cid_version, only_hash), expected)

    def add_file(self, path: StrPath, cid_version: int = 1, only_hash: bool = False) -> str:
        with open_to_add(path) as stream:
            expected = _file_cid(read_chunks(stream), cid_version)
            stream.seek(0)
            # httpx sends a file object in pieces: the upload streams.
            return self._checked(self._add(Path(path).name, stream, cid_version, only_hash), expected)

    def _checked(self, answered: str, expected: str) -> str:
        """The daemon's CID, if it is the one computed here from the same bytes."""
        if answered != expected:
            raise StorageError(f"the IPFS daemon at {self.api} answered add with {answered}, not {expected}")
        return answered

    def _add(self, name: str, content: bytes | IO[bytes], cid_version: int, only_hash: bool) -> str:
        version = checked_cid_version(cid_version)
        params = {
            "cid-version": str(version),
            # Explicit, not the daemon's defaults: these are what fix the CID.
            "raw-leaves": _flag(version == 1),
            "chunker": f"size-{CHUNK_SIZE}",
            "only-hash": _flag(only_hash),
            "pin": _flag(not only_hash),
        }
        if version == 1:
            # js-ipfs prints CIDv1 in base58btc by default (and refuses base32 for CIDv0).
            params["cid-base"] = "base32"
        response = self._post("add", params, files={"file": (name, content, "application/octet-stream")})
        if response.status_code != 200:
            raise StorageError(f"the IPFS daemon at {self.api} refused to add: {_message(response)}")
        return _added_cid(response, self.api)

    # --- reading ------------------------------------------------------------------

    def open(self, cid: str, max_size: int | None = None) -> Iterator[bytes]:
        """Stream the file block by block (`block/get`), each block re-hashed against its CID.

        The daemon is not trusted: its blocks go through the embedded store's verification
        (`unixfs.read_file`), so wrong, truncated or oversized replies are storage errors,
        and the file's declared size is checked against `max_size` from the root block,
        before this returns.
        """
        return read_file(cid, self._get_block, max_size)

    def cat(self, cid: str, max_size: int | None = None) -> bytes:
        return b"".join(self.open(cid, max_size))

    def _get_block(self, cid: ContentId) -> bytes:
        request = self._client.build_request(
            "POST", "block/get", params={"arg": cid.text, "timeout": _duration(self.fetch_timeout)}
        )
        response = self._send(request, stream=True)
        try:
            if response.status_code != 200:
                response.read()
                raise ContentNotFoundError(f"cannot get {cid} from {self.api}: {_message(response)}")
            data = bytearray()
            # Never more than one block's worth: a daemon streaming without end is cut off.
            for piece in response.iter_bytes():
                data += piece
                if len(data) > MAX_BLOCK_SIZE:
                    break
        except httpx.HTTPError as exc:  # cut off, or a malformed HTTP reply
            raise StoreUnavailableError(f"the IPFS daemon at {self.api} broke off block {cid} ({exc})") from None
        finally:
            response.close()
        return verified_block(cid, bytes(data), f"the IPFS daemon at {self.api}")

    def pin(self, cid: str) -> str:
        content_id = parse_cid(cid)
        params = {
            "arg": content_id.text,
            "recursive": "true",
            "timeout": _duration(self.fetch_timeout),
        }
        response = self._post("pin/add", params)
        if response.status_code != 200:
            raise ContentNotFoundError(f"cannot pin {content_id} on {self.api}: {_message(response)}")
        return content_id.text

    def has(self, cid: str) -> bool:
        content_id = parse_cid(cid)
        params = {"arg": content_id.text, "offline": "true", "timeout": _duration(self.has_timeout)}
        response = self._post("block/stat", params)
        # Any refusal for a well-formed CID means "not here" (kubo: not found locally;
        # js-ipfs: the lookup timed out waiting for the network).
        return response.status_code == 200

    # --- transport ----------------------------------------------------------------

    def _post(self, endpoint: str, params: dict[str, str], **kwargs: Any) -> httpx.Response:
        return self._send(self._client.build_request("POST", endpoint, params=params, **kwargs))

    def _send(self, request: httpx.Request, stream: bool = False) -> httpx.Response:
        try:
            return self._client.send(request, stream=stream)
        except httpx.TransportError as exc:
            raise StoreUnavailableError(
                f"no IPFS API answers at {self.api} ({type(exc).__name__}): start a daemon "
                "there, or use the embedded store (--store-dir)"
            ) from None


def _added_cid(response: httpx.Response, api: str) -> str:
    """The file's CID from an `add` answer: one JSON object per line, the file's own last."""
    try:
        entries = [json.loads(line) for line in response.text.splitlines() if line.strip()]
        hashes = [entry["Hash"] for entry in entries if isinstance(entry, dict) and "Hash" in entry]
    except (ValueError, UnicodeDecodeError):
        raise StorageError(f"the IPFS daemon at {api} answered add with something other than JSON") from None
    if not hashes or not isinstance(hashes[-1], str):
        raise StorageError(f"the IPFS daemon at {api} answered add without a CID")
    return canonical_cid(hashes[-1])


def _file_cid(chunks: Iterable[bytes], cid_version: int) -> str:
    """The CID `ipfs add` gives these chunks (the embedded store's layout, nothing stored)."""
    *_, root = build_file_dag(chunks, checked_cid_version(cid_version))
    return root.cid.text


def _duration(seconds: float) -> str:
    """A duration as kubo (Go) and js-ipfs both parse it: `60s`, `0.5s`."""
    return f"{seconds:g}s"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _message(response: httpx.Response) -> str:
    """The daemon's one-line reason (its JSON `Message`), else the HTTP status."""
    try:
        message = response.json().get("Message")
    except (ValueError, AttributeError):
        message = None
    return str(message) if message else f"HTTP {response.status_code}"
