"""Sandboxed model evaluation (docs/protocol.md §8): VALID(score), INVALID or UNEVALUATED.

Models run in a persistent worker process (`_worker.py`), started once and reused, so an
evaluation costs a pipe round trip rather than a process start and an onnxruntime import.
The worker caps its address space per job (`RLIMIT_AS`); the parent enforces the wall
time and kills the worker when it runs over, and starts a fresh one for the next job.
Whatever a model does (garbage bytes, a crash, memory exhaustion, an endless loop), the
parent only ever sees a status: it reads the worker's replies as JSON, never as pickle.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from wekacoin_offchain.ml._worker import Job, send_job
from wekacoin_offchain.ml.errors import DatasetError
from wekacoin_offchain.ml.metrics import Metric, MetricKind

# Re-exported: callers of the evaluator read the status of its results from here too.
from wekacoin_offchain.status import EvaluationStatus as EvaluationStatus

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 2_048
_WORKER_START_TIMEOUT_S = 120.0  # importing onnxruntime on a loaded machine; not model time
_MAX_REASON_CHARS = 300
_MAX_REPLY_BYTES = 64 << 10  # an honest reply is a short JSON line
_PIPE_BYTES = 1 << 20  # the unprivileged maximum on Linux by default
# One thread per library: extra threads would each reserve address space under RLIMIT_AS.
_WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Valid:
    score: int
    status: ClassVar[EvaluationStatus] = EvaluationStatus.VALID


@dataclass(frozen=True)
class Invalid:
    reason: str
    status: ClassVar[EvaluationStatus] = EvaluationStatus.INVALID
    score: ClassVar[None] = None


@dataclass(frozen=True)
class Unevaluated:
    reason: str = "time limit reached"
    status: ClassVar[EvaluationStatus] = EvaluationStatus.UNEVALUATED
    score: ClassVar[None] = None


EvaluationResult = Valid | Invalid | Unevaluated


class _Worker:
    """One worker process and the two pipe ends that talk to it."""

    def __init__(self) -> None:
        request_read, request_write = os.pipe()
        reply_read, reply_write = os.pipe()
        _enlarge_pipe(request_write)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "wekacoin_offchain.ml._worker",
                str(request_read),
                str(reply_write),
            ],
            pass_fds=(request_read, reply_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # the protocol has its own pipes; model noise goes nowhere
            stderr=subprocess.DEVNULL,
            env={**os.environ, **_WORKER_ENV},
        )
        os.close(request_read)
        os.close(reply_write)
        self.requests = Connection(request_write, readable=False)
        self.replies = Connection(reply_read, writable=False)
        try:
            if not self.replies.poll(_WORKER_START_TIMEOUT_S):
                raise EOFError
            self.replies.recv_bytes()
        except EOFError:
            self.stop()
            raise RuntimeError(
                "the evaluation worker did not start; run `python -m wekacoin_offchain.ml._worker` to see why"
            ) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.requests.close()
        self.replies.close()


def _enlarge_pipe(fd: int) -> None:
    """Let a whole test set fit in the pipe: each 64 KiB refill costs two context switches."""
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: default size works
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


class Evaluator:
    """Evaluates models one at a time in its own worker process; thread-safe, reusable.

    Use one per concurrent evaluation stream, or the module-level `evaluate_model`.
    """

    def __init__(self) -> None:
        self._worker: _Worker | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._stop_worker()

    def evaluate(
        self,
        model_bytes: bytes,
        features: npt.ArrayLike,
        labels: npt.ArrayLike,
        metric: Metric,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
        expected_size: int | None = None,
        claimed_train_score: int | None = None,
        train_features: npt.ArrayLike | None = None,
        train_labels: npt.ArrayLike | None = None,
        tolerance: int = 0,
    ) -> EvaluationResult:
        """See `evaluate_model`."""
        if timeout_s <= 0 or memory_mb <= 0 or tolerance < 0:
            raise ValueError("timeout_s and memory_mb must be positive, tolerance non-negative")
        if expected_size is not None and len(model_bytes) != expected_size:
            return Invalid(f"the model is {len(model_bytes)} bytes, expected {expected_size}")
        test_x, test_y = _checked_data(features, labels, metric, "test")
        train_x = train_y = None
        if claimed_train_score is not None:
            if train_features is None or train_labels is None:
                raise ValueError("checking a claimed training score needs the training data")
            train_x, train_y = _checked_data(train_features, train_labels, metric, "training")
            if train_x.shape[1] != test_x.shape[1]:
                raise DatasetError(f"training data has {train_x.shape[1]} features, test data {test_x.shape[1]}")
        job = Job(
            model_bytes=bytes(model_bytes),
            metric=metric,
            features=test_x,
            labels=test_y,
            memory_mb=memory_mb,
            timeout_s=timeout_s,
            claimed_train_score=claimed_train_score,
            train_features=train_x,
            train_labels=train_y,
            tolerance=tolerance,
        )
        with self._lock:
            return self._run(job, timeout_s)

    def _run(self, job: Job, timeout_s: float) -> EvaluationResult:
        worker = self._live_worker()
        started = time.monotonic()  # the model's clock starts once the worker is ready (issue 14)
        try:
            send_job(worker.requests, job)
        except OSError:  # the worker died between jobs (killed from outside): start afresh
            self._stop_worker()
            started = time.monotonic()
            worker = self._live_worker()
            send_job(worker.requests, job)
        remaining = timeout_s - (time.monotonic() - started)
        if not worker.replies.poll(max(remaining, 0)):
            self._stop_worker()
            return Unevaluated(f"time limit of {timeout_s:g} s reached")
        try:
            reply = worker.replies.recv_bytes(_MAX_REPLY_BYTES)
        except EOFError:  # the worker died under the model: it cannot run
            self._stop_worker()
            return Invalid("the model crashed the evaluation process")
        except OSError:  # longer than any honest reply
            reply = b""
        result = _parse_reply(reply)
        if result is None:
            self._stop_worker()
            return Invalid("the evaluation process sent a malformed reply")
        return result

    def _live_worker(self) -> _Worker:
        if self._worker is not None and self._worker.process.poll() is not None:
            self._stop_worker()  # died while idle: start afresh
        if self._worker is None:
            self._worker = _Worker()
        return self._worker

    def _stop_worker(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


def _checked_data(
    features: npt.ArrayLike, labels: npt.ArrayLike, metric: Metric, which: str
) -> tuple[npt.NDArray[np.float32], npt.NDArray[Any]]:
    """The caller's data in the contract's form; anything else is a `DatasetError` (the
    task's data is unusable), never another exception."""
    try:
        x = np.ascontiguousarray(features, dtype=np.float32)
        y = np.asarray(labels).ravel()
    except (TypeError, ValueError) as exc:  # ragged or non-numeric input
        raise DatasetError(f"{which} data is not numeric: {exc}") from None
    if x.ndim != 2 or x.shape[0] == 0:
        raise DatasetError(f"{which} features must be a non-empty [N, F] matrix")
    if not np.isfinite(x).all():
        raise DatasetError(f"{which} features must be finite")
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise DatasetError(f"{which} data has {x.shape[0]} rows but {y.shape[0]} labels")
    if metric.kind is MetricKind.REGRESSION:
        if y.dtype.kind not in "iuf":
            raise DatasetError(f"{which} target values must be numbers")
        y = y.astype(np.float64)
        if not np.isfinite(y).all():
            raise DatasetError(f"{which} target values must be finite")
    else:
        if y.dtype.kind not in "iu":
            raise DatasetError(f"{which} labels must be integer class indices")
        y = y.astype(np.int64)
        if metric.kind is MetricKind.SCORE and not np.isin(y, (0, 1)).all():
            raise DatasetError(f"roc_auc needs binary {which} labels 0 and 1")
    return x, y


def _parse_reply(reply: bytes) -> EvaluationResult | None:
    """The worker's JSON reply as a result, or None when it is not exactly well-formed."""
    try:
        message = json.loads(reply)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    status, value = message.get("status"), message.get("score")
    if status == "valid" and type(value) is int:
        return Valid(value)
    reason = message.get("reason")
    if status == "invalid" and isinstance(reason, str):
        # One printable line of bounded length: it ends up in logs and in the CLI's output.
        printable = "".join(c if c.isprintable() else " " for c in reason)
        return Invalid(" ".join(printable.split())[:_MAX_REASON_CHARS] or "invalid")
    return None


_default_evaluator: Evaluator | None = None
_default_lock = threading.Lock()


def _shared_evaluator() -> Evaluator:
    global _default_evaluator
    with _default_lock:
        if _default_evaluator is None:
            _default_evaluator = Evaluator()
            atexit.register(_default_evaluator.close)
        return _default_evaluator


def evaluate_model(
    model_bytes: bytes,
    features: npt.ArrayLike,
    labels: npt.ArrayLike,
    metric: Metric,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
    expected_size: int | None = None,
    claimed_train_score: int | None = None,
    train_features: npt.ArrayLike | None = None,
    train_labels: npt.ArrayLike | None = None,
    tolerance: int = 0,
) -> EvaluationResult:
    """Evaluate one model as docs/protocol.md §8.4 says, in the shared sandboxed worker.

    `features` and `labels` are the released test set (labels as class indices, or
    values for regression). `expected_size` is the revealed `model_size`. When
    `claimed_train_score` is given, the model's score on `train_features`/`train_labels`
    must agree with it within `tolerance` units, or the model is INVALID. `timeout_s`
    bounds the whole evaluation (training and test predictions) in wall time: past it
    the model is UNEVALUATED. `memory_mb` is the address space the model may use beyond
    the worker's own, data included.
    """
    return _shared_evaluator().evaluate(
        model_bytes,
        features,
        labels,
        metric,
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        expected_size=expected_size,
        claimed_train_score=claimed_train_score,
        train_features=train_features,
        train_labels=train_labels,
        tolerance=tolerance,
    )
