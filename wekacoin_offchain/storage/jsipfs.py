"""Start and stop a real IPFS daemon here: js-ipfs from `node_modules`, loopback only.

No kubo binary can be installed on this project's machines (its npm package downloads
the binary at install time), so tests and demos of the Kubo RPC path run js-ipfs
0.66.1 (`npm ci` installs it from package-lock.json), which serves the same RPC API
and gives the same CIDs. Each daemon gets a throwaway repository and free ports on
127.0.0.1, with bootstrap, MDNS, delegates, routing and preload off, so no connection
leaves the machine.

Several daemons connect to each other over loopback (`connected_daemons`): content
added through one node's RPC is served through another's by bitswap, as between agents
on different machines. Run `python -m wekacoin_offchain.storage.jsipfs [--nodes N]` to
keep one or more running by hand.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from wekacoin_offchain.storage.errors import StoreUnavailableError

CLI_JS = Path("node_modules/ipfs/src/cli.js")
POLYFILL = Path("tools/ipfs/promise-with-resolvers.mjs")
"""Node 20 lacks Promise.withResolvers, which js-ipfs's dependencies call."""

_LOOPBACK_ANY_PORT = "/ip4/127.0.0.1/tcp/0"
_API_LINE = re.compile(r"HTTP API listening on (/\S+?)(/http)?$")
_READY_LINE = "Daemon is ready"


def find_project_root(start: Path | None = None) -> Path:
    """The directory holding `node_modules/ipfs` and `tools/ipfs`, searched upward.

    Searched from `start` (default: the working directory), then from this package's
    own location (an editable install lives in the repository).
    """
    origins = [start or Path.cwd(), Path(__file__).resolve().parent]
    for origin in origins:
        for directory in (origin.resolve(), *origin.resolve().parents):
            if (directory / POLYFILL).is_file():
                if (directory / CLI_JS).is_file():
                    return directory
                raise StoreUnavailableError(
                    f"js-ipfs is not installed in {directory}: run `npm ci` there "
                    "(it installs ipfs@0.66.1 from package-lock.json)"
                )
    raise StoreUnavailableError(
        "cannot find the WekaCoin repository (tools/ipfs/ and node_modules/): "
        "run this from the repository after `npm ci`"
    )


def loopback_only(config: dict[str, Any]) -> dict[str, Any]:
    """A js-ipfs config that listens on 127.0.0.1 only, on free ports, and calls no one."""
    result = copy.deepcopy(config)
    addresses = result.setdefault("Addresses", {})
    addresses.update(
        Swarm=[_LOOPBACK_ANY_PORT],
        API=_LOOPBACK_ANY_PORT,
        Gateway=_LOOPBACK_ANY_PORT,
        Announce=[],
        NoAnnounce=[],
        Delegates=[],
    )
    addresses.pop("RPC", None)  # the gRPC-over-websocket server: not needed, one port less
    result["Bootstrap"] = []
    result["Discovery"] = {
        "MDNS": {"Enabled": False, "Interval": 10},
        "webRTCStar": {"Enabled": False},
    }
    result["Routing"] = {"Type": "none"}
    result.setdefault("Swarm", {})["DisableNatPortMap"] = True
    result.setdefault("Pubsub", {})["Enabled"] = False
    return result


class JsIpfsDaemon:
    """One js-ipfs daemon with a temporary repository; a context manager.

    `api` is its RPC address as a multiaddr (`/ip4/127.0.0.1/tcp/PORT`) once started.
    """

    def __init__(self, project_root: Path | None = None, startup_timeout: float = 90.0) -> None:
        self.project_root = project_root or find_project_root()
        self.startup_timeout = startup_timeout
        self.api = ""
        self._process: subprocess.Popen[str] | None = None
        self._repo: Path | None = None
        self._output: deque[str] = deque(maxlen=200)
        self._ready = threading.Event()

    def __enter__(self) -> JsIpfsDaemon:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _node_command(self, *arguments: str) -> list[str]:
        node = shutil.which("node")
        if node is None:
            raise StoreUnavailableError("Node.js (`node`) is not on PATH; js-ipfs needs it")
        polyfill = (self.project_root / POLYFILL).resolve().as_uri()
        return [node, "--import", polyfill, str(self.project_root / CLI_JS), *arguments]

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError("this daemon is already started")
        find_project_root(self.project_root)  # a clear message when node_modules is missing
        self._repo = Path(tempfile.mkdtemp(prefix="wekacoin-js-ipfs-"))
        environment = {**os.environ, "IPFS_PATH": str(self._repo)}
        try:
            initialised = subprocess.run(
                self._node_command("init", "--emptyRepo"),
                env=environment,
                capture_output=True,
                text=True,
                timeout=self.startup_timeout,
            )
            if initialised.returncode != 0:
                raise StoreUnavailableError(
                    f"js-ipfs init failed: {_last_line(initialised.stderr or initialised.stdout)}"
                )
            config_path = self._repo / "config"
            config_path.write_text(json.dumps(loopback_only(json.loads(config_path.read_text())), indent=2))
            self._process = subprocess.Popen(
                self._node_command("daemon", "--enable-preload=false"),
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # a Ctrl-C meant for pytest reaches us, and we stop it
            )
            # The daemon logs for as long as it runs: read it all, or a full pipe stalls it.
            threading.Thread(target=self._read_output, daemon=True).start()
            if not self._ready.wait(self.startup_timeout) or not self.api:
                raise StoreUnavailableError(
                    f"js-ipfs did not become ready in {self.startup_timeout:g} s: "
                    f"{_last_line(chr(10).join(self._output))}"
                )
        except BaseException:
            self.stop()
            raise

    def _read_output(self) -> None:
        process = self._process
        assert process is not None and process.stdout is not None
        for line in process.stdout:
            line = line.rstrip()
            self._output.append(line)
            match = _API_LINE.search(line)
            if match:
                self.api = match.group(1)
            if line == _READY_LINE:
                self._ready.set()
        self._ready.set()  # it exited: let start() see that rather than wait for the timeout

    def stop(self) -> None:
        """Stop the daemon (SIGTERM, then SIGKILL after 10 s) and delete its repository."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._repo is not None:
            shutil.rmtree(self._repo, ignore_errors=True)
            self._repo = None
        self.api = ""

    def identity(self) -> tuple[str, str]:
        """(peer id, a loopback swarm multiaddr ending in `/p2p/<id>`) from the RPC `id`."""
        answer = self._rpc("id")
        peer_id = str(answer["ID"])
        for address in answer.get("Addresses") or ():
            if str(address).startswith("/ip4/127.0.0.1/tcp/") and "/ws" not in str(address):
                text = str(address)
                return peer_id, text if "/p2p/" in text else f"{text}/p2p/{peer_id}"
        raise StoreUnavailableError(f"the js-ipfs daemon at {self.api} has no loopback swarm address")

    def connect(self, other: JsIpfsDaemon) -> None:
        """Dial `other` over the swarm (`swarm/connect`): each then serves the other's blocks."""
        _, address = other.identity()
        self._rpc("swarm/connect", arg=address)

    def _rpc(self, endpoint: str, **params: str) -> dict[str, Any]:
        import httpx  # only the multi-node helpers talk to the daemon here

        from wekacoin_offchain.storage.kubo import api_base_url

        try:
            response = httpx.post(
                f"{api_base_url(self.api)}/api/v0/{endpoint}", params=params, timeout=30.0, trust_env=False
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise StoreUnavailableError(f"the js-ipfs daemon at {self.api} did not answer {endpoint}: {exc}") from None
        if response.status_code != 200 or not isinstance(answer, dict):
            raise StoreUnavailableError(f"the js-ipfs daemon at {self.api} refused {endpoint}: {answer}")
        return answer

    @property
    def output(self) -> str:
        """The daemon's latest log lines, for diagnostics."""
        return "\n".join(self._output)


@contextlib.contextmanager
def connected_daemons(count: int, project_root: Path | None = None) -> Iterator[list[JsIpfsDaemon]]:
    """`count` daemons started side by side, every pair connected; all stopped on exit.

    Loopback only, no discovery: they find each other because each dials the others.
    """
    daemons = [JsIpfsDaemon(project_root) for _ in range(count)]
    failures: list[BaseException] = []

    def start(daemon: JsIpfsDaemon) -> None:
        try:
            daemon.start()
        except BaseException as exc:  # reported below, from the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(daemon,)) for daemon in daemons]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        for i, daemon in enumerate(daemons):
            for other in daemons[i + 1 :]:
                daemon.connect(other)
        yield daemons
    finally:
        for daemon in daemons:
            daemon.stop()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def main(argv: list[str] | None = None) -> None:
    """Run `--nodes N` (default 1) connected daemons until interrupted, printing their API addresses."""
    import argparse

    parser = argparse.ArgumentParser(description="Run js-ipfs daemons on loopback, connected to each other.")
    parser.add_argument("--nodes", type=int, default=1, help="how many daemons (default 1)")
    count = max(1, parser.parse_args(argv).nodes)
    with connected_daemons(count) as daemons:
        for daemon in daemons:
            print(f"js-ipfs RPC API at {daemon.api} (use: wekacoin ... --api {daemon.api})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
