from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.anvil import ROOT, Anvil, running_anvil

WEKACOIN = ROOT / ".venv" / "bin" / "wekacoin"


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    """A real anvil node on a free loopback port, for the processes under test."""
    with running_anvil() as node:
        yield node


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
