"""The sandboxed evaluator: real models score VALID, hostile ones end as a status.

After every hostile model the same evaluator must still score a good model: a model can
fail, the evaluator cannot.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.ml.conftest import bundled
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.datasets import Dataset, split_dataset
from wekacoin_offchain.ml.evaluator import (
    EvaluationStatus,
    Evaluator,
    Invalid,
    Unevaluated,
    Valid,
    _parse_reply,
    evaluate_model,
)
from wekacoin_offchain.ml.metrics import metric_by_name
from wekacoin_offchain.ml.onnx_models import FittedModel, fit_model, model_score
from wekacoin_offchain.paths import PROJECT_ROOT

ACCURACY = metric_by_name("accuracy")
LIMITS = {"timeout_s": 20.0, "memory_mb": 512}


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator() as shared:
        yield shared


@pytest.fixture(scope="module")
def iris_model(iris: Dataset) -> FittedModel:
    return fit_model(iris, "logistic", ACCURACY)


def _expect_still_working(evaluator: Evaluator, iris: Dataset, iris_model: FittedModel) -> None:
    result = evaluator.evaluate(iris_model.model_bytes, iris.features, iris.target, ACCURACY, **LIMITS)
    assert result == Valid(iris_model.train_score)


def test_status_codes_are_stable() -> None:
    assert [(s.name, int(s)) for s in EvaluationStatus] == [
        ("VALID", 1),
        ("INVALID", 2),
        ("UNEVALUATED", 3),
    ]
    assert Valid(5).status == 1 and Invalid("x").status == 2 and Unevaluated().status == 3
    assert Invalid("x").score is None and Unevaluated().score is None


@pytest.mark.parametrize(
    ("name", "kind", "metric"),
    [
        ("iris", "logistic", "accuracy"),
        ("wine", "forest", "kappa"),
        ("breast_cancer", "logistic", "roc_auc"),
        ("digits", "tree", "macro_f1"),
        ("diabetes", "ridge", "r2"),
        ("diabetes", "knn", "mae"),
    ],
)
def test_real_models_are_valid_and_deterministic(evaluator: Evaluator, name: str, kind: str, metric: str) -> None:
    train, test = split_dataset(bundled(name), 0.3, seed=1)
    chosen = metric_by_name(metric)
    fitted = fit_model(train, kind, chosen, seed=1)
    kwargs = {
        "expected_size": len(fitted.model_bytes),
        "claimed_train_score": fitted.train_score,
        "train_features": train.features,
        "train_labels": train.target,
        **LIMITS,
    }
    first = evaluator.evaluate(fitted.model_bytes, test.features, test.target, chosen, **kwargs)
    second = evaluator.evaluate(fitted.model_bytes, test.features, test.target, chosen, **kwargs)
    assert isinstance(first, Valid) and first == second
    assert first.score == model_score(fitted.model_bytes, test, chosen)  # the same as in-process


def test_module_level_evaluate_model(iris: Dataset, iris_model: FittedModel) -> None:
    result = evaluate_model(iris_model.model_bytes, iris.features, iris.target, ACCURACY)
    assert result == Valid(iris_model.train_score)


# --- hostile models ------------------------------------------------------------------------


def _model(
    nodes: list,  # type: ignore[type-arg]
    initializers: list | None = None,  # type: ignore[type-arg]
    *,
    output: tuple[str, int, list] = ("label", TensorProto.INT64, ["N"]),  # type: ignore[type-arg]
    input_name: str = "features",
    opsets: tuple[tuple[str, int], ...] = (("", 17),),
) -> bytes:
    graph = helper.make_graph(
        nodes,
        "hostile",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info(*output)],
        initializers or [],
    )
    opset_ids = [helper.make_opsetid(domain, version) for domain, version in opsets]
    return helper.make_model(graph, opset_imports=opset_ids).SerializeToString()


def _ints(name: str, *values: int) -> TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def _row_count() -> list:  # type: ignore[type-arg]
    return [helper.make_node("Shape", ["features"], ["n"], start=0, end=1)]


def _wrong_output_shape() -> bytes:
    """Labels of shape [N, 2]: the contract wants [N] or [N, 1]."""
    return _model(
        [
            *_row_count(),
            helper.make_node("Concat", ["n", "two"], ["shape"], axis=0),
            helper.make_node(
                "ConstantOfShape",
                ["shape"],
                ["label"],
                value=helper.make_tensor("v", TensorProto.INT64, [1], [0]),
            ),
        ],
        [_ints("two", 2)],
        output=("label", TensorProto.INT64, ["N", 2]),
    )


def _float_labels() -> bytes:
    """Labels as float32: the contract wants int64."""
    return _model(
        [helper.make_node("ReduceSum", ["features", "axis"], ["label"], keepdims=0)],
        [_ints("axis", 1)],
        output=("label", TensorProto.FLOAT, ["N"]),
    )


def _custom_domain() -> bytes:
    return _model(
        [helper.make_node("Evil", ["features"], ["label"], domain="com.attacker")],
        opsets=(("", 17), ("com.attacker", 1)),
    )


def _external_data() -> bytes:
    weights = numpy_helper.from_array(np.zeros(4, dtype=np.int64), "weights")
    weights.data_location = TensorProto.EXTERNAL
    weights.ClearField("raw_data")
    weights.external_data.add(key="location", value="/etc/passwd")
    return _model([helper.make_node("Identity", ["weights"], ["label"])], [weights])


def _memory_bomb() -> bytes:
    """ConstantOfShape [N, 10^9] int64: 8 GB per row, whatever the machine has."""
    return _model(
        [
            *_row_count(),
            helper.make_node("Concat", ["n", "huge"], ["shape"], axis=0),
            helper.make_node(
                "ConstantOfShape",
                ["shape"],
                ["block"],
                value=helper.make_tensor("v", TensorProto.INT64, [1], [1]),
            ),
            helper.make_node("ReduceSum", ["block", "axis"], ["label"], keepdims=0),
        ],
        [_ints("huge", 10**9), _ints("axis", 1)],
    )


def _endless_loop() -> bytes:
    """A Loop with 2**62 iterations that does nothing: it runs past any time limit."""
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Identity", ["x_in"], ["x_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x_in", TensorProto.INT64, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("x_out", TensorProto.INT64, None),
        ],
    )
    return _model(
        [
            *_row_count(),
            helper.make_node(
                "ConstantOfShape",
                ["n"],
                ["zeros"],
                value=helper.make_tensor("v", TensorProto.INT64, [1], [0]),
            ),
            helper.make_node("Loop", ["trips", "go", "zeros"], ["label"], body=body),
        ],
        [
            numpy_helper.from_array(np.array(2**62, dtype=np.int64), "trips"),
            numpy_helper.from_array(np.array(True), "go"),
        ],
    )


def _local_function() -> bytes:
    """A model-local function posing as a standard operator (domain "")."""
    function = helper.make_function(
        "",
        "Relabel",
        ["x"],
        ["y"],
        [helper.make_node("Identity", ["x"], ["y"])],
        [helper.make_opsetid("", 17)],
    )
    model = helper.make_model(
        helper.make_graph(
            [helper.make_node("Relabel", ["features"], ["label"], domain="")],
            "hostile",
            [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4])],
            [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])],
        ),
        opset_imports=[helper.make_opsetid("", 17)],
        functions=[function],
    )
    return model.SerializeToString()


HOSTILE = {
    "random bytes": (
        lambda: bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
        "not an ONNX model",
    ),
    "wrong output shape": (_wrong_output_shape, "has shape [150, 2], expected [150] or [150, 1]"),
    "float labels": (_float_labels, "is float32, expected int64"),
    "custom op domain": (_custom_domain, "domain 'com.attacker' is not allowed"),
    "external data": (_external_data, "external data files are not allowed"),
    "no output for the metric": (
        lambda: _model([], output=("scores", TensorProto.INT64, ["N"])),
        "no output named 'label' or 'output_label'",
    ),
    "memory bomb": (_memory_bomb, "memory limit exceeded"),
    "model-local function": (_local_function, "model-local functions are not allowed"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_model_is_invalid_and_evaluator_survives(
    evaluator: Evaluator, iris: Dataset, iris_model: FittedModel, case: str
) -> None:
    build, reason = HOSTILE[case]
    result = evaluator.evaluate(build(), iris.features, iris.target, ACCURACY, **LIMITS)
    assert isinstance(result, Invalid) and reason in result.reason, result
    _expect_still_working(evaluator, iris, iris_model)


def test_truncated_model_is_invalid(evaluator: Evaluator, iris: Dataset, iris_model: FittedModel) -> None:
    truncated = iris_model.model_bytes[: len(iris_model.model_bytes) * 2 // 3]
    result = evaluator.evaluate(truncated, iris.features, iris.target, ACCURACY, **LIMITS)
    assert isinstance(result, Invalid)
    _expect_still_working(evaluator, iris, iris_model)


def test_endless_model_is_unevaluated_then_the_next_one_runs(
    evaluator: Evaluator, iris: Dataset, iris_model: FittedModel
) -> None:
    result = evaluator.evaluate(_endless_loop(), iris.features, iris.target, ACCURACY, timeout_s=1.0, memory_mb=512)
    assert result == Unevaluated("time limit of 1 s reached")
    _expect_still_working(evaluator, iris, iris_model)


def test_claimed_training_score_must_agree(evaluator: Evaluator, iris: Dataset, iris_model: FittedModel) -> None:
    claimed = iris_model.train_score + 5
    common = {"train_features": iris.features, "train_labels": iris.target, **LIMITS}
    result = evaluator.evaluate(
        iris_model.model_bytes,
        iris.features,
        iris.target,
        ACCURACY,
        claimed_train_score=claimed,
        **common,
    )
    assert isinstance(result, Invalid) and "does not agree with the claimed" in result.reason
    within = evaluator.evaluate(
        iris_model.model_bytes,
        iris.features,
        iris.target,
        ACCURACY,
        claimed_train_score=claimed,
        tolerance=5,
        **common,
    )
    assert within == Valid(iris_model.train_score)


def test_size_must_match_the_revealed_size(evaluator: Evaluator, iris: Dataset, iris_model: FittedModel) -> None:
    size = len(iris_model.model_bytes)
    result = evaluator.evaluate(iris_model.model_bytes, iris.features, iris.target, ACCURACY, expected_size=size + 1)
    assert result == Invalid(f"the model is {size} bytes, expected {size + 1}")


def test_a_crash_of_the_worker_is_invalid_and_the_next_model_runs(
    evaluator: Evaluator, iris: Dataset, iris_model: FittedModel
) -> None:
    _expect_still_working(evaluator, iris, iris_model)
    worker = evaluator._worker
    assert worker is not None
    # Kill the worker half a second into an endless model, as a segfaulting kernel would.
    threading.Timer(0.5, worker.process.kill).start()
    result = evaluator.evaluate(_endless_loop(), iris.features, iris.target, ACCURACY, timeout_s=20, memory_mb=512)
    assert result == Invalid("the model crashed the evaluation process")
    _expect_still_working(evaluator, iris, iris_model)
    evaluator._worker.process.kill()  # type: ignore[union-attr]  # dies while idle
    evaluator._worker.process.wait()  # type: ignore[union-attr]
    _expect_still_working(evaluator, iris, iris_model)


def test_caller_mistakes_are_user_errors(evaluator: Evaluator, iris: Dataset, iris_model: FittedModel) -> None:
    with pytest.raises(UserError, match="150 rows but 149 labels"):
        evaluator.evaluate(iris_model.model_bytes, iris.features, iris.target[:-1], ACCURACY)
    with pytest.raises(UserError, match="binary"):
        evaluator.evaluate(iris_model.model_bytes, iris.features, iris.target, metric_by_name("roc_auc"))
    with pytest.raises(UserError, match="features must be finite"):
        evaluator.evaluate(iris_model.model_bytes, iris.features * np.inf, iris.target, ACCURACY)
    with pytest.raises(ValueError, match="needs the training data"):
        evaluator.evaluate(iris_model.model_bytes, iris.features, iris.target, ACCURACY, claimed_train_score=1)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b'{"status": "valid", "score": 912345}', Valid(912345)),
        (b'{"status": "valid", "score": -3}', Valid(-3)),
        (b'{"status": "invalid", "reason": "bad\\nline\\u0000"}', Invalid("bad line")),
        (b'{"status": "valid", "score": true}', None),
        (b'{"status": "valid", "score": 1.5}', None),
        (b'{"status": "valid"}', None),
        (b'{"status": "invalid", "reason": 7}', None),
        (b'["valid", 1]', None),
        (b"\x80\x04K\x01.", None),  # a pickle is never unpickled
    ],
)
def test_worker_replies_are_strict_json(reply: bytes, expected: Valid | Invalid | None) -> None:
    assert _parse_reply(reply) == expected


def test_a_long_reason_is_cut_to_one_bounded_line() -> None:
    result = _parse_reply(json.dumps({"status": "invalid", "reason": "x" * 1_000}).encode())
    assert isinstance(result, Invalid) and len(result.reason) == 300


ORPHANING_PARENT = """
import os, sys, threading
import numpy as np
from tests.ml.test_evaluator import _endless_loop
from wekacoin_offchain.ml.evaluator import Evaluator
from wekacoin_offchain.ml.metrics import metric_by_name

evaluator = Evaluator()
evaluator.evaluate(b"warm-up", np.zeros((1, 4)), [0], metric_by_name("accuracy"))
print(evaluator._worker.process.pid, flush=True)
threading.Timer(0.3, os._exit, [0]).start()  # the parent dies mid-job
accuracy = metric_by_name("accuracy")
evaluator.evaluate(_endless_loop(), np.zeros((1, 4)), [0], accuracy, timeout_s=0.5)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_a_worker_orphaned_mid_job_stops_on_its_own() -> None:
    parent = subprocess.run(
        [sys.executable, "-c", ORPHANING_PARENT],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,  # where `tests` imports from
    )
    worker_pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 30
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker_pid)


def test_sending_a_model_makes_no_copy_of_it(evaluator: Evaluator) -> None:
    """The model's bytes go to the worker straight from the caller's buffer: the parent
    holds one copy of a model, not two (a 50 MB model cost 56 MB more before)."""
    big = numpy_helper.from_array(np.ones((1, 5_000_000), dtype=np.float32), "big")  # 20 MB, unused
    graph = helper.make_graph(
        [helper.make_node("Slice", ["features", "zero", "one", "one"], ["variable"])],
        "large",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, ["N", 1])],
        [big, _ints("zero", 0), _ints("one", 1)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()
    features = np.zeros((5, 4), dtype=np.float32)
    tracemalloc.start()
    try:
        result = evaluator.evaluate(model, features, np.zeros(5), metric_by_name("mae"), **LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result == Valid(0)
    assert peak < len(model) // 10
