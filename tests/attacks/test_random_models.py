"""Attack: a model that draws random numbers splits the committee.

A trainer submits a model whose output depends on a standard random operator (here
`RandomUniformLike` added to a constant prediction, or Dropout in training mode). Fed
the training rows it can be made to land on its claimed score, but on the test set each
honest validator draws different numbers and reports a different VALID score: no honest
proposal agrees with another, and a colluder reporting INVALID becomes the only genuine
member. Before the fix such a model was evaluated like any other (cost: one model's
gas). Now the model contract refuses every random operator, in the main graph and in any
subgraph, so every validator reports the same INVALID.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from wekacoin_offchain.ml.evaluator import Evaluator, Invalid
from wekacoin_offchain.ml.metrics import metric_by_name

REGRESSION = metric_by_name("mae")
N_FEATURES = 3
LIMITS = {"timeout_s": 20.0, "memory_mb": 512}


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator() as shared:
        yield shared


def _model(nodes: list[onnx.NodeProto], initializers: list[onnx.TensorProto] = (), opset: int = 17) -> bytes:  # type: ignore[assignment]
    graph = helper.make_graph(
        nodes,
        "random",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", N_FEATURES])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, ["N", 1])],
        list(initializers),
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return bytes(model.SerializeToString())


def _first_column() -> list[onnx.NodeProto]:
    return [
        helper.make_node("Slice", ["features", "zero", "one", "one"], ["column"]),
    ]


_SLICE_CONSTANTS = [
    numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
    numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
]


def _random_model(op_type: str, **attributes: object) -> bytes:
    """variable = first feature + noise from `op_type` (a generator of the column's shape)."""
    nodes = _first_column()
    if op_type in ("RandomUniformLike", "RandomNormalLike", "Bernoulli"):
        source = "column" if op_type != "Bernoulli" else "half"
        if op_type == "Bernoulli":
            nodes.append(helper.make_node("Mul", ["column", "zero_f"], ["zeros"]))
            nodes.append(helper.make_node("Add", ["zeros", "half_f"], ["half"]))
        nodes.append(helper.make_node(op_type, [source], ["noise"], **attributes))
    elif op_type in ("RandomUniform", "RandomNormal"):
        nodes.append(helper.make_node(op_type, [], ["noise"], shape=[1, 1], **attributes))
    elif op_type == "Multinomial":
        nodes.append(helper.make_node("Concat", ["column", "column"], ["logits"], axis=1))
        nodes.append(helper.make_node("Multinomial", ["logits"], ["drawn"], sample_size=1, dtype=TensorProto.INT32))
        nodes.append(helper.make_node("Cast", ["drawn"], ["noise"], to=TensorProto.FLOAT))
    nodes.append(helper.make_node("Add", ["column", "noise"], ["variable"]))
    constants = [
        *_SLICE_CONSTANTS,
        numpy_helper.from_array(np.array(0.0, dtype=np.float32), "zero_f"),
        numpy_helper.from_array(np.array(0.5, dtype=np.float32), "half_f"),
    ]
    return _model(nodes, constants)


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, N_FEATURES)).astype(np.float32)
    return features, features[:, 0].astype(np.float64)


@pytest.mark.parametrize(
    "op_type", ["RandomUniformLike", "RandomNormalLike", "RandomUniform", "RandomNormal", "Multinomial", "Bernoulli"]
)
def test_random_operators_are_invalid(evaluator: Evaluator, op_type: str) -> None:
    features, target = _data()
    result = evaluator.evaluate(_random_model(op_type), features, target, REGRESSION, **LIMITS)
    assert isinstance(result, Invalid)
    assert f"random operator {op_type}" in result.reason


def _dropout_model(training_mode: onnx.TensorProto | None, feed_as_node: bool = False) -> bytes:
    nodes = _first_column()
    inputs = ["column", "ratio"]
    constants = [*_SLICE_CONSTANTS, numpy_helper.from_array(np.array(0.5, dtype=np.float32), "ratio")]
    if training_mode is not None:
        inputs.append("training")
        if feed_as_node:
            nodes.append(helper.make_node("Constant", [], ["training"], value=training_mode))
        else:
            constants.append(training_mode)
    nodes.append(helper.make_node("Dropout", inputs, ["variable"]))
    return _model(nodes, constants)


def _flag(value: bool) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(value), "training")


@pytest.mark.parametrize("feed_as_node", [False, True])
def test_dropout_in_training_mode_is_invalid(evaluator: Evaluator, feed_as_node: bool) -> None:
    features, target = _data()
    result = evaluator.evaluate(_dropout_model(_flag(True), feed_as_node), features, target, REGRESSION, **LIMITS)
    assert isinstance(result, Invalid)
    assert "Dropout in training mode" in result.reason


@pytest.mark.parametrize("training_mode", [None, False])
def test_dropout_for_inference_is_accepted(evaluator: Evaluator, training_mode: bool | None) -> None:
    """Inference-mode Dropout is the identity: exported networks keep it, and it is allowed."""
    features, target = _data()
    flag = None if training_mode is None else _flag(training_mode)
    result = evaluator.evaluate(_dropout_model(flag), features, target, REGRESSION, **LIMITS)
    assert result.score == 0


def _if_model(branch_nodes: list[onnx.NodeProto]) -> bytes:
    """variable = If(true) then <branch> else first column: the random draw hides in a subgraph."""
    branch = helper.make_graph(
        branch_nodes, "then", [], [helper.make_tensor_value_info("out", TensorProto.FLOAT, None)]
    )
    other = helper.make_graph(
        [helper.make_node("Identity", ["column"], ["out2"])],
        "else",
        [],
        [helper.make_tensor_value_info("out2", TensorProto.FLOAT, None)],
    )
    nodes = [
        *_first_column(),
        helper.make_node("If", ["condition"], ["variable"], then_branch=branch, else_branch=other),
    ]
    constants = [*_SLICE_CONSTANTS, numpy_helper.from_array(np.array(True), "condition")]
    return _model(nodes, constants)


def test_random_operator_in_a_subgraph_is_invalid(evaluator: Evaluator) -> None:
    features, target = _data()
    nested = _if_model(
        [
            helper.make_node("RandomUniformLike", ["column"], ["noise"]),
            helper.make_node("Add", ["column", "noise"], ["out"]),
        ]
    )
    result = evaluator.evaluate(nested, features, target, REGRESSION, **LIMITS)
    assert isinstance(result, Invalid)
    assert "random operator RandomUniformLike" in result.reason


def test_random_operator_in_a_function_is_invalid(evaluator: Evaluator) -> None:
    features, target = _data()
    model = onnx.load_model_from_string(
        _model(
            [*_first_column(), helper.make_node("Noisy", ["column"], ["variable"], domain="local")], _SLICE_CONSTANTS
        )
    )
    model.opset_import.append(helper.make_opsetid("local", 1))
    model.functions.append(
        helper.make_function(
            "local",
            "Noisy",
            ["x"],
            ["y"],
            [helper.make_node("RandomNormalLike", ["x"], ["n"]), helper.make_node("Add", ["x", "n"], ["y"])],
            [helper.make_opsetid("", 17)],
        )
    )
    result = evaluator.evaluate(model.SerializeToString(), features, target, REGRESSION, **LIMITS)
    assert isinstance(result, Invalid)
    assert "random operator RandomNormalLike" in result.reason
