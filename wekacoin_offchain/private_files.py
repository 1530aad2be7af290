"""Files only their owner may read (salts, the secret book, BLS keys, hidden test sets).

`write_private` never lets the bytes sit in a world-readable file, whatever the umask:
they go to a temporary file that `tempfile.mkstemp` creates with mode 0600 in the
target's directory, are flushed to disk, and the file is renamed over the target. A
reader sees the old file or the new one, and a kill mid-write leaves the old one whole.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` with mode 0600, atomically (replacing any previous file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    # The rename is durable once the directory entry is.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
