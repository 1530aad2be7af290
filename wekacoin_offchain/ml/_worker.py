"""The evaluation worker: a separate process that runs untrusted ONNX models.

Started by `evaluator.Evaluator` as `python -m wekacoin_offchain.ml._worker REQ_FD REPLY_FD`.
It reads jobs (pickled by the trusted parent) from REQ_FD and answers each with a small
JSON document on REPLY_FD: never pickle in that direction, so that a process a model
might have subverted cannot run code in the parent. While a job runs, the address space
is capped at its size when the job arrived plus the job's `memory_mb`, and CPU time is
capped well past the job's wall-time limit as a backstop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import resource
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from wekacoin_offchain.ml.contract import (
    ContractViolation,
    check_model,
    open_session,
    parse_model,
    predict,
)
from wekacoin_offchain.ml.metrics import Metric, agree, format_score, score

_MIB = 1 << 20


@dataclass(frozen=True)
class Job:
    """One model to evaluate; the parent has already checked the data's shapes and labels."""

    model_bytes: bytes
    metric: Metric
    features: npt.NDArray[np.float32]
    labels: npt.NDArray[Any]
    memory_mb: int
    timeout_s: float
    claimed_train_score: int | None
    train_features: npt.NDArray[np.float32] | None
    train_labels: npt.NDArray[Any] | None
    tolerance: int


def send_job(requests: Connection, job: Job) -> None:
    """Send a job: the model's bytes go as their own message, written straight from the
    caller's buffer, so the pickled part (data and settings) never holds a second copy."""
    requests.send(dataclasses.replace(job, model_bytes=b""))
    requests.send_bytes(job.model_bytes)


def receive_job(requests: Connection) -> Job:
    job: Job = requests.recv()
    return dataclasses.replace(job, model_bytes=requests.recv_bytes())


def valid(value: int) -> dict[str, Any]:
    return {"status": "valid", "score": value}


def invalid(reason: str) -> dict[str, Any]:
    return {"status": "invalid", "reason": reason}


def evaluate(job: Job) -> dict[str, Any]:
    """docs/protocol.md §8.4 for one model whose bytes already match the CID and size."""
    model = parse_model(job.model_bytes)
    check_model(model, job.features.shape[1], job.metric)
    del model  # onnxruntime parses the bytes itself; free the copy before running
    session = open_session(job.model_bytes)
    if job.claimed_train_score is not None:
        assert job.train_features is not None and job.train_labels is not None
        train_predictions = predict(session, job.train_features, job.metric)
        train_score = score(job.metric, job.train_labels, train_predictions)
        if not agree(train_score, job.claimed_train_score, job.tolerance):
            return invalid(
                f"training score {format_score(train_score)} does not agree with the "
                f"claimed {format_score(job.claimed_train_score)}"
            )
    predictions = predict(session, job.features, job.metric)
    return valid(score(job.metric, job.labels, predictions))


def address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def soft_limit(which: int, value: int) -> Iterator[None]:
    """Lower the soft limit `which` to `value` (never above the hard limit) for a while."""
    soft, hard = resource.getrlimit(which)
    resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(which, (soft, hard))


def run_limited(job: Job) -> dict[str, Any]:
    memory = soft_limit(resource.RLIMIT_AS, address_space_bytes() + job.memory_mb * _MIB)
    # The parent kills the worker when the wall time runs out, long before this CPU limit
    # (one thread: CPU time <= wall time). It only stops a worker whose parent died mid-job
    # from spinning on forever; SIGXCPU then ends it.
    cpu = soft_limit(resource.RLIMIT_CPU, math.ceil(cpu_seconds() + 2 * job.timeout_s + 1))
    try:
        with memory, cpu:
            return evaluate(job)
    except ContractViolation as exc:
        return invalid(str(exc))
    except MemoryError:
        return invalid("the model exceeded the memory limit")
    except Exception as exc:  # whatever a model provokes ends as a status
        # Every validator runs this same code, so even an unforeseen failure is reported
        # alike by all of them; the reason names it for whoever reads the logs.
        return invalid(f"evaluation failed: {type(exc).__name__}: {exc}")


def serve(requests: Connection, replies: Connection) -> None:
    replies.send_bytes(b'{"status": "ready"}')
    while True:
        try:
            job = receive_job(requests)
        except EOFError:  # the parent closed the pipe: time to go
            return
        replies.send_bytes(json.dumps(run_limited(job)).encode())


def main(argv: list[str]) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing model leaves no core file
    request_fd, reply_fd = int(argv[1]), int(argv[2])
    serve(Connection(request_fd, writable=False), Connection(reply_fd, readable=False))


if __name__ == "__main__":
    main(sys.argv)
