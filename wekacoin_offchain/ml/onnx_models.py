"""Models as ONNX data: the supplier's baseline and the trainer's scikit-learn models.

Both follow the I/O contract of `contract.py`. A model's reported score (the baseline
score, a trainer's committed `train_score`) is computed on the training data through
the same onnxruntime path the validators use, so that they reproduce it exactly.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper, numpy_helper
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.base import BaseEstimator
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.contract import (
    INPUT_NAME,
    ML_OPSET,
    OPSET,
    OUTPUT_NAMES,
    open_session,
    predict,
)
from wekacoin_offchain.ml.datasets import Dataset, check_metric_fits
from wekacoin_offchain.ml.metrics import Metric, MetricKind, score

_PRODUCER = "wekacoin"


class UnknownModelKind(UserError):
    """A model kind outside `MODEL_KINDS`, or one that does not fit the task."""


@dataclass(frozen=True)
class FittedModel:
    """Serialized ONNX bytes and the model's score on the training data (6 decimals)."""

    model_bytes: bytes
    train_score: int


def check_task(dataset: Dataset, metric: Metric) -> None:
    """The dataset suits the metric (a `DatasetError` if not): see `datasets.check_metric_fits`."""
    check_metric_fits(dataset, metric)


def model_score(model_bytes: bytes, dataset: Dataset, metric: Metric) -> int:
    """Score a trusted model in this process (the trainer's or supplier's own model)."""
    predictions = predict(open_session(model_bytes), dataset.features, metric)
    return score(metric, dataset.target, predictions)


# --- the supplier's baseline -----------------------------------------------------------------


def baseline_model(train: Dataset, metric: Metric) -> FittedModel:
    """Majority class (classification) or mean target (regression), scored on `train`.

    A classification baseline outputs `label` (the most frequent class, the lowest index
    on a tie) and `probabilities` (the class frequencies, identical on every row).
    """
    check_task(train, metric)
    if train.is_classification:
        counts = np.bincount(train.target, minlength=len(train.class_labels or ()))
        outputs = {
            OUTPUT_NAMES[MetricKind.LABEL]: np.array([int(np.argmax(counts))], dtype=np.int64),
            OUTPUT_NAMES[MetricKind.SCORE]: (counts / counts.sum()).astype(np.float32)[None, :],
        }
    else:
        mean = math.fsum(train.target.tolist()) / train.n_rows  # order-independent sum
        outputs = {OUTPUT_NAMES[MetricKind.REGRESSION]: np.array([[mean]], dtype=np.float32)}
    model_bytes = serialize(_constant_rows_model(train.n_features, outputs))
    return FittedModel(model_bytes, model_score(model_bytes, train, metric))


def _constant_rows_model(n_features: int, rows: dict[str, npt.NDArray[Any]]) -> onnx.ModelProto:
    """A graph repeating one constant row per input row: Expand(row, [N] + row dims)."""
    nodes = [helper.make_node("Shape", [INPUT_NAME], ["n_rows"], start=0, end=1)]
    initializers = []
    outputs = []
    for name, row in rows.items():
        initializers += [
            numpy_helper.from_array(row, f"{name}_row"),
            numpy_helper.from_array(np.array(row.shape[1:], dtype=np.int64), f"{name}_dims"),
        ]
        nodes += [
            helper.make_node("Concat", ["n_rows", f"{name}_dims"], [f"{name}_shape"], axis=0),
            helper.make_node("Expand", [f"{name}_row", f"{name}_shape"], [name]),
        ]
        elem_type = helper.np_dtype_to_tensor_dtype(row.dtype)
        outputs.append(helper.make_tensor_value_info(name, elem_type, ["N", *row.shape[1:]]))
    graph = helper.make_graph(
        nodes,
        "wekacoin_baseline",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", n_features])],
        outputs,
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(model)
    return model


# --- the trainer's models --------------------------------------------------------------------


@dataclass(frozen=True)
class ModelKind:
    """A named scikit-learn pipeline; `None` where the kind does not apply to the task."""

    name: str
    description: str
    classifier: Callable[[int], BaseEstimator] | None
    regressor: Callable[[int], BaseEstimator] | None


def _scaled(estimator: BaseEstimator) -> Pipeline:
    return make_pipeline(StandardScaler(), estimator)


MODEL_KINDS: dict[str, ModelKind] = {
    kind.name: kind
    for kind in (
        ModelKind(
            "logistic",
            "standardized logistic regression",
            lambda seed: _scaled(LogisticRegression(max_iter=2_000, random_state=seed)),
            None,
        ),
        ModelKind("linear", "ordinary least squares", None, lambda seed: LinearRegression()),
        ModelKind("ridge", "standardized ridge regression", None, lambda seed: _scaled(Ridge())),
        ModelKind(
            "tree",
            "decision tree",
            lambda seed: DecisionTreeClassifier(random_state=seed),
            lambda seed: DecisionTreeRegressor(random_state=seed),
        ),
        ModelKind(
            "forest",
            "random forest of 100 trees",
            lambda seed: RandomForestClassifier(n_estimators=100, random_state=seed, n_jobs=1),
            lambda seed: RandomForestRegressor(n_estimators=100, random_state=seed, n_jobs=1),
        ),
        ModelKind(
            "knn",
            "standardized 5-nearest neighbours",
            lambda seed: _scaled(KNeighborsClassifier()),
            lambda seed: _scaled(KNeighborsRegressor()),
        ),
        ModelKind(
            "mlp",
            "standardized multi-layer perceptron (one hidden layer of 64)",
            lambda seed: _scaled(MLPClassifier(hidden_layer_sizes=(64,), max_iter=1_000, random_state=seed)),
            lambda seed: _scaled(MLPRegressor(hidden_layer_sizes=(64,), max_iter=2_000, random_state=seed)),
        ),
    )
}


def kinds_for(classification: bool) -> list[str]:
    return [
        name
        for name, kind in MODEL_KINDS.items()
        if (kind.classifier if classification else kind.regressor) is not None
    ]


def make_estimator(kind_name: str, classification: bool, seed: int) -> BaseEstimator:
    task = "classification" if classification else "regression"
    kind = MODEL_KINDS.get(kind_name)
    factory = None if kind is None else (kind.classifier if classification else kind.regressor)
    if factory is None:
        raise UnknownModelKind(
            f"unknown model kind {kind_name!r} for {task}; choose one of: " + ", ".join(kinds_for(classification))
        )
    return factory(seed)


def fit_model(train: Dataset, kind_name: str, metric: Metric, seed: int = 0) -> FittedModel:
    """Fit the named pipeline on `train`, export it to ONNX and score it on `train`."""
    check_task(train, metric)
    estimator = make_estimator(kind_name, train.is_classification, seed)
    with warnings.catch_warnings():
        # A model that stops before converging is still a model; its score says how good.
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(train.features, train.target)
    model_bytes = export_onnx(estimator, train.n_features)
    return FittedModel(model_bytes, model_score(model_bytes, train, metric))


def export_onnx(estimator: BaseEstimator, n_features: int) -> bytes:
    """Convert a fitted estimator to contract-following ONNX bytes, deterministically."""
    final = estimator.steps[-1][1] if isinstance(estimator, Pipeline) else estimator
    classifier = hasattr(final, "predict_proba")
    model = to_onnx(
        estimator,
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        target_opset={"": OPSET, "ai.onnx.ml": ML_OPSET},
        options={id(final): {"zipmap": False}} if classifier else None,
    )
    # skl2onnx names a classifier's outputs (label, probabilities) as the contract does,
    # but not every regressor's single output: k-NN's is `variable1`, `variable` being an
    # inner value. Swapping the two names is a bijection, so no scope breaks.
    contract_names = (
        [OUTPUT_NAMES[MetricKind.LABEL], OUTPUT_NAMES[MetricKind.SCORE]]
        if classifier
        else [OUTPUT_NAMES[MetricKind.REGRESSION]]
    )
    for output, wanted in zip(model.graph.output, contract_names, strict=True):
        _rename_values(model.graph, {output.name: wanted, wanted: output.name})
    return serialize(model)


def serialize(model: onnx.ModelProto) -> bytes:
    """Bytes that depend only on the graph's structure and numbers.

    ONNX protobufs hold no maps, so protobuf itself serializes deterministically; what
    varies is metadata (tool versions, free text) and the names of intermediate values
    and nodes, which skl2onnx draws from a process-wide counter (k-NN's Scan bodies get
    a different `UU001UU` on each export). Those are renamed canonically, in order of
    first appearance; the graph's input and output names (the contract) are kept.
    """
    model.producer_name = _PRODUCER
    model.producer_version = ""
    model.doc_string = ""
    model.graph.doc_string = ""
    del model.metadata_props[:]
    public = {value.name for value in (*model.graph.input, *model.graph.output)}
    canonical: dict[str, str] = {}
    for name in _value_names(model.graph):
        if name and name not in public and name not in canonical:
            canonical[name] = f"t{len(canonical)}"
    _rename_values(model.graph, canonical)
    for number, node in enumerate(_nodes(model.graph)):
        node.name = f"n{number}"
        node.doc_string = ""
    serialized: bytes = model.SerializeToString(deterministic=True)
    return serialized


def _nodes(graph: onnx.GraphProto) -> Iterator[onnx.NodeProto]:
    for node in graph.node:
        yield node
        for subgraph in _subgraphs(node):
            yield from _nodes(subgraph)


def _subgraphs(node: onnx.NodeProto) -> Iterator[onnx.GraphProto]:
    for attribute in node.attribute:
        if attribute.HasField("g"):
            yield attribute.g
        yield from attribute.graphs


def _value_names(graph: onnx.GraphProto) -> Iterator[str]:
    """Every value name of the graph and its subgraphs, in a fixed traversal order."""
    yield from (value.name for value in graph.input)
    yield from (tensor.name for tensor in graph.initializer)
    for node in graph.node:
        yield from node.input
        for subgraph in _subgraphs(node):
            yield from _value_names(subgraph)
        yield from node.output
    yield from (value.name for value in (*graph.output, *graph.value_info))


def _rename_values(graph: onnx.GraphProto, names: dict[str, str]) -> None:
    """Apply one renaming everywhere: a bijection on names keeps every scope intact."""
    for value in (*graph.input, *graph.output, *graph.value_info, *graph.initializer):
        value.name = names.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [names.get(name, name) for name in node.input]
        node.output[:] = [names.get(name, name) for name in node.output]
        for subgraph in _subgraphs(node):
            _rename_values(subgraph, names)
