"""The README's `ape console` transcript runs as written (with the console's namespace)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import ape
import pytest

import ape_console_extras
from wekacoin_offchain.paths import PROJECT_ROOT

pytestmark = pytest.mark.ape

README = PROJECT_ROOT / "README.md"


def test_console_transcript(ape_chain: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (transcript,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    monkeypatch.chdir(tmp_path)  # the transcript writes its store under ./wekacoin-data
    # What `ape console` has: ape's names, then the project's console extras.
    namespace: dict[str, Any] = {"accounts": ape.accounts, "chain": ape_chain}
    namespace.update({name: getattr(ape_console_extras, name) for name in ape_console_extras.__all__})
    namespace.update(ape_console_extras.ape_init_extras(ape_chain))
    exec(compile(transcript, str(README), "exec"), namespace)
    pol = namespace["d"].pol
    assert pol.task(namespace["task_id"]).supplier == namespace["supplier"].address
    assert pol.model(namespace["model_id"]).trainer == namespace["trainer"].address
