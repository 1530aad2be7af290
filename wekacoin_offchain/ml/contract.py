"""The one input/output contract every WekaCoin model follows, and how a model is run.

- Exactly one graph input (initializers aside), whatever its name: float32 or float64,
  shape [N, F] (N free; F free or equal to the dataset's feature count). The features
  are fed in the input's type (float32 features widen to float64 exactly).
- The output the metric reads, by name, first match:
  - label metrics: `label`, else `output_label` (int64, [N] or [N, 1], class indices);
  - roc_auc: `probabilities` (float, [N, 2], column 1 is the positive class, index 1),
    else `output_probability` (skl2onnx's ZipMap: one map per row, key 1 read);
  - regression: `variable`, else the model's only output (float, [N] or [N, 1]).
  These are the names skl2onnx gives: zipmap off (the project's own exports, input
  `features`) or `to_onnx(model, X)` as is (input `X`, ZipMap outputs). Other outputs
  may exist and are not read.
- Only the standard operator domains (`ai.onnx`, written "" or "ai.onnx", and
  `ai.onnx.ml`), no model-local functions, no external data, and nothing that draws
  random numbers (`RANDOM_OPERATORS`, Dropout in training mode) anywhere in the model.

onnxruntime runs single-threaded and sequentially with only the basic,
hardware-independent graph optimisations, so every validator computes the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from wekacoin_offchain.ml.metrics import Metric, MetricKind

INPUT_NAME = "features"
"""The input name of the project's own exports; a model's input may have any name."""
OUTPUT_NAMES = {
    MetricKind.LABEL: "label",
    MetricKind.SCORE: "probabilities",
    MetricKind.REGRESSION: "variable",
}
ZIPMAP_OUTPUT_NAMES = {
    MetricKind.LABEL: "output_label",
    MetricKind.SCORE: "output_probability",
}
"""What `skl2onnx.to_onnx(model, X)` names a classifier's outputs (ZipMap on)."""
_INPUT_DTYPES = {onnx.TensorProto.FLOAT: np.dtype(np.float32), onnx.TensorProto.DOUBLE: np.dtype(np.float64)}
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
ALLOWED_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml"})
OPSET = 17
ML_OPSET = 3
"""Opsets the project's own exports target (any opset onnxruntime supports is accepted)."""


class ContractViolation(Exception):
    """The model breaks the I/O contract or the sandbox rules; the message is the reason."""


def output_name(metric: Metric) -> str:
    """The output the project's own exports give the metric."""
    return OUTPUT_NAMES[metric.kind]


def read_output(output_names: Sequence[str], metric: Metric) -> str:
    """The output a model's score is read from (see the module doc), or a ContractViolation."""
    preferred = OUTPUT_NAMES[metric.kind]
    if preferred in output_names:
        return preferred
    zipmap = ZIPMAP_OUTPUT_NAMES.get(metric.kind)
    if zipmap is not None and zipmap in output_names:
        return zipmap
    if metric.kind is MetricKind.REGRESSION and len(output_names) == 1:
        return output_names[0]
    names = " or ".join(repr(name) for name in (preferred, zipmap) if name)
    raise ContractViolation(f"the model has no output named {names} (needed by {metric.name})")


def session_options() -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Basic optimisations (constant folding, redundant-node removal) keep semantics and do
    # not depend on the CPU; the extended/layout ones may pick CPU-specific kernels.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.use_deterministic_compute = True
    options.log_severity_level = 3  # errors only: a hostile model must not flood logs
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.load_model_format", "ONNX")  # never ORT format
    return options


def parse_model(model_bytes: bytes) -> onnx.ModelProto:
    try:
        return onnx.load_model_from_string(model_bytes)
    except Exception as exc:  # protobuf raises several types for garbage bytes
        raise ContractViolation(f"not an ONNX model: {type(exc).__name__}") from None


RANDOM_OPERATORS = frozenset(
    {"RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike", "Multinomial", "Bernoulli"}
)
"""Operators that draw random numbers: each validator would draw different ones and report
a different score, so no two honest members would agree (docs/evaluation.md)."""


def check_model(model: onnx.ModelProto, n_features: int, metric: Metric) -> None:
    """Refuse, before onnxruntime sees it, anything outside the contract or the sandbox."""
    _check_deterministic(model)
    for opset in model.opset_import:
        if opset.domain not in ALLOWED_DOMAINS:
            raise ContractViolation(f"operator domain {opset.domain!r} is not allowed")
    if len(model.functions):
        raise ContractViolation("model-local functions are not allowed")
    for graph in _graphs(model.graph):
        for node in graph.node:
            if node.domain not in ALLOWED_DOMAINS:
                raise ContractViolation(f"operator {node.domain}.{node.op_type} is not allowed")
    for tensor in _tensors(model.graph):
        if tensor.data_location == onnx.TensorProto.EXTERNAL or len(tensor.external_data):
            raise ContractViolation("external data files are not allowed")
    _check_input(model.graph, n_features)
    _check_output(model.graph, metric)
    # No onnx.checker pass here: onnxruntime resolves and type-checks the whole graph when
    # it loads it (a failure is INVALID too), and the checker would add a second full walk.


def _check_deterministic(model: onnx.ModelProto) -> None:
    """No random operator anywhere: main graph, subgraphs, or model-local functions.

    Functions are refused anyway; they are searched first so that the reason names the
    random operator a hostile model hides there.
    """
    node_lists = [graph.node for graph in _graphs(model.graph)]
    for function in model.functions:
        node_lists.append(function.node)
        node_lists.extend(
            subgraph.node
            for node in function.node
            for attribute in node.attribute
            for subgraph in _node_graphs(attribute)
        )
    for nodes in node_lists:
        constants = _constant_flags(nodes)
        for node in nodes:
            if node.op_type in RANDOM_OPERATORS:
                raise ContractViolation(f"random operator {node.op_type} is not allowed (scores must be reproducible)")
            if node.op_type == "Dropout" and _dropout_may_train(node, constants, model.graph):
                raise ContractViolation("Dropout in training mode is not allowed (it draws random numbers)")


def _node_graphs(attribute: onnx.AttributeProto) -> Iterator[onnx.GraphProto]:
    if attribute.HasField("g"):
        yield from _graphs(attribute.g)
    for subgraph in attribute.graphs:
        yield from _graphs(subgraph)


def _constant_flags(nodes: Iterable[onnx.NodeProto]) -> dict[str, onnx.TensorProto]:
    """Tensors set by `Constant` nodes with a `value` attribute, by output name."""
    return {
        node.output[0]: attribute.t
        for node in nodes
        if node.op_type == "Constant" and node.output
        for attribute in node.attribute
        if attribute.name == "value"
    }


def _dropout_may_train(
    node: onnx.NodeProto, constants: dict[str, onnx.TensorProto], main_graph: onnx.GraphProto
) -> bool:
    """True unless the Dropout is provably in inference mode.

    Opset 12+: the optional third input `training_mode` must be absent, or a constant
    (initializer of the main graph or a Constant node) holding false. Before opset 7:
    `is_test` must not be 0.
    """
    for attribute in node.attribute:
        if attribute.name == "is_test" and attribute.i == 0:
            return True
    if len(node.input) < 3 or not node.input[2]:
        return False
    flag_name = node.input[2]
    initializers = {tensor.name: tensor for tensor in main_graph.initializer}
    tensor = constants.get(flag_name) or initializers.get(flag_name)
    if tensor is None:
        return True  # computed at run time, or fed: cannot be shown false
    values = numpy_helper.to_array(tensor)
    return values.size != 1 or bool(values.reshape(-1)[0])


def _check_input(graph: onnx.GraphProto, n_features: int) -> None:
    initialized = {tensor.name for tensor in graph.initializer}
    inputs = [value for value in graph.input if value.name not in initialized]
    if len(inputs) != 1:
        raise ContractViolation(f"the model must have exactly one input, it has {len(inputs)}")
    name = inputs[0].name
    tensor_type = inputs[0].type.tensor_type
    if not inputs[0].type.HasField("tensor_type") or tensor_type.elem_type not in _INPUT_DTYPES:
        raise ContractViolation(f"input {name!r} must be a float32 or float64 tensor")
    dims = tensor_type.shape.dim
    if not tensor_type.HasField("shape") or len(dims) != 2:
        raise ContractViolation(f"input {name!r} must have shape [N, F]")
    if dims[1].HasField("dim_value") and dims[1].dim_value != n_features:
        raise ContractViolation(f"the model takes {dims[1].dim_value} features, the dataset has {n_features}")


def _check_output(graph: onnx.GraphProto, metric: Metric) -> None:
    read_output([value.name for value in graph.output], metric)


def _graphs(graph: onnx.GraphProto) -> Iterator[onnx.GraphProto]:
    """The graph and every subgraph (Loop, If, Scan bodies), depth first."""
    yield graph
    for node in graph.node:
        for attribute in node.attribute:
            yield from _node_graphs(attribute)


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every tensor stored in the model: initializers and tensor-valued attributes."""
    for g in _graphs(graph):
        yield from g.initializer
        for sparse in g.sparse_initializer:
            yield from (sparse.values, sparse.indices)
        for node in g.node:
            for attribute in node.attribute:
                if attribute.HasField("t"):
                    yield attribute.t
                yield from attribute.tensors
                if attribute.HasField("sparse_tensor"):
                    yield from (attribute.sparse_tensor.values, attribute.sparse_tensor.indices)
                for sparse in attribute.sparse_tensors:
                    yield from (sparse.values, sparse.indices)


def open_session(model_bytes: bytes) -> ort.InferenceSession:
    try:
        return ort.InferenceSession(model_bytes, sess_options=session_options(), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for bad graphs
        raise ContractViolation(f"cannot load the model: {_reason(exc)}") from None


def predict(
    session: ort.InferenceSession, features: npt.NDArray[np.float32], metric: Metric
) -> npt.NDArray[np.generic]:
    """Run the model and return what the metric reads as a vector of N values.

    Raises `ContractViolation` when the model cannot run or its output breaks the contract.
    """
    (model_input,) = session.get_inputs()
    name = read_output([output.name for output in session.get_outputs()], metric)
    # float32 -> float64 is exact: a double-input model sees the very same numbers.
    fed = features.astype(np.float64) if model_input.type == "tensor(double)" else features
    try:
        (output,) = session.run([name], {model_input.name: fed})
    except Exception as exc:  # a failing kernel, a shape error, memory exhausted
        raise ContractViolation(f"the model cannot run: {_reason(exc)}") from None
    n = features.shape[0]
    if metric.kind is MetricKind.SCORE and isinstance(output, list):
        output = _positive_class_column(output, name, n)
    if not isinstance(output, np.ndarray):
        raise ContractViolation(f"output {name!r} is not a tensor")
    if metric.kind is MetricKind.LABEL and output.dtype != np.int64:
        raise ContractViolation(f"output {name!r} is {output.dtype}, expected int64 class indices")
    if metric.kind is not MetricKind.LABEL and output.dtype not in _FLOAT_DTYPES:
        raise ContractViolation(f"output {name!r} is {output.dtype}, expected float32 or float64")
    if metric.kind is MetricKind.SCORE:
        if output.shape != (n, 2):
            raise ContractViolation(f"output {name!r} has shape {list(output.shape)}, expected [{n}, 2]")
        values = output[:, 1]
    else:
        if output.shape not in ((n,), (n, 1)):
            raise ContractViolation(f"output {name!r} has shape {list(output.shape)}, expected [{n}] or [{n}, 1]")
        values = output.reshape(n)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise ContractViolation(f"output {name!r} holds non-finite values")
    return values


def _positive_class_column(rows: list[Any], name: str, n: int) -> npt.NDArray[np.float64]:
    """A ZipMap output (one {class index: probability} map per row) as the [N, 2] tensor
    the contract's `probabilities` would be."""
    if len(rows) != n or not all(isinstance(row, dict) and set(row) == {0, 1} for row in rows):
        raise ContractViolation(f"output {name!r} must map the class indices 0 and 1 to probabilities, on every row")
    return np.array([[row[0], row[1]] for row in rows], dtype=np.float64)


def _reason(exc: Exception) -> str:
    text = str(exc)
    # onnxruntime reports an allocation refused under RLIMIT_AS through its arena or as
    # std::bad_alloc; name the cause instead of quoting an arena source path.
    if "Failed to allocate memory" in text or "bad_alloc" in text:
        return "memory limit exceeded"
    return _short(exc)


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] if text else type(exc).__name__
