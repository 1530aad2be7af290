from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
WEKACOIN = ROOT / ".venv" / "bin" / "wekacoin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Anvil:
    url: str

    def rpc(self, method: str, *params: object) -> object:
        reply = httpx.post(self.url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10)
        reply.raise_for_status()
        return reply.json().get("result")

    def mine(self, blocks: int) -> None:
        self.rpc("anvil_mine", hex(blocks))

    def height(self) -> int:
        return int(str(self.rpc("eth_blockNumber")), 16)


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    """A real anvil node on a free loopback port, for the processes under test."""
    if not ANVIL.exists():
        pytest.fail("anvil is not installed: run `npm ci` in the repository (or `make setup`)")
    port = free_port()
    process = subprocess.Popen([str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--hardfork", "prague", "--silent"])
    node = Anvil(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                node.height()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("anvil did not start") from None
                time.sleep(0.1)
        yield node
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Cli:
    """Runs the real `wekacoin` command in a working directory, against one node."""

    workdir: Path
    network: str

    def run(self, *args: str, network: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(WEKACOIN), *args]
        env = {**os.environ, "WEKACOIN_NETWORK": self.network} if network else dict(os.environ)
        return subprocess.run(argv, cwd=self.workdir, env=env, capture_output=True, text=True, timeout=300)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"wekacoin {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout
