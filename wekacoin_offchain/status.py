"""The status a committee member gives a model: the one enum evaluation and consensus share.

It lives outside `ml` so that `consensus` can read and write ranking documents without
importing the evaluator (and with it numpy, onnxruntime and subprocess).
"""

from __future__ import annotations

import enum


class EvaluationStatus(enum.IntEnum):
    """Stable codes for the chain and ranking documents; 0 is reserved for "no status"."""

    VALID = 1
    INVALID = 2
    UNEVALUATED = 3
