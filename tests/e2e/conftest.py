from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.cli.conftest import ANVIL, Anvil, free_port

# A deployer, a supplier, six trainers and five validators: ape's 16 test accounts, all
# of which anvil must fund with ether (it funds 10 unless told).
TEST_ACCOUNTS = 16


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    """A real anvil node on a free loopback port, automining, with every test account funded."""
    if not ANVIL.exists():
        pytest.fail("anvil is not installed: run `npm ci` in the repository (or `make setup`)")
    port = free_port()
    command = [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--hardfork", "prague", "--accounts", str(TEST_ACCOUNTS), "--silent"]
    process = subprocess.Popen(command)
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
