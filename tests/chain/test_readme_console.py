"""The README's `ape console` transcript runs as written (with the console's namespace)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ape
import pytest

pytestmark = pytest.mark.ape

README = Path(__file__).resolve().parents[2] / "README.md"


def test_console_transcript(ape_chain: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (transcript,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)  # the transcript writes its store under ./wekacoin-data
    namespace: dict[str, Any] = {"accounts": ape.accounts, "chain": ape_chain}
    exec(compile(transcript, str(README), "exec"), namespace)
    pol = namespace["d"].pol
    assert pol.task(namespace["task_id"]).supplier == namespace["supplier"].address
    assert pol.model(namespace["model_id"]).trainer == namespace["trainer"].address
