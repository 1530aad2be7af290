"""Models exported the plain way people export them are accepted.

`skl2onnx.to_onnx(model, X)` names the input `X` and, for classifiers, adds ZipMap
outputs (`output_label`, and `output_probability`, a sequence of maps); with float64
`X` the input is double. Each is evaluated like a contract-named export: the label output
for label metrics, the probability of class 1 for roc_auc, the single output for a
regressor.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from skl2onnx import to_onnx
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from tests.ml.conftest import bundled
from wekacoin_offchain.ml.datasets import split_dataset
from wekacoin_offchain.ml.evaluator import Evaluator, Invalid, Valid
from wekacoin_offchain.ml.metrics import metric_by_name, score

LIMITS = {"timeout_s": 30.0, "memory_mb": 512}


@pytest.fixture(scope="module")
def evaluator() -> Iterator[Evaluator]:
    with Evaluator() as shared:
        yield shared


CLASSIFIERS: dict[str, Any] = {
    "logistic": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2_000)),
    "forest": lambda: RandomForestClassifier(n_estimators=20, random_state=0),
    "tree": lambda: DecisionTreeClassifier(random_state=0),
}


# float64 X only for the forest: skl2onnx's ZipMap takes float tensors, so for the
# other two it writes a graph onnxruntime itself refuses to load (docs/evaluation.md:
# export with float32 X).
@pytest.mark.parametrize(
    ("kind", "dtype"),
    [("logistic", np.float32), ("tree", np.float32), ("forest", np.float32), ("forest", np.float64)],
    ids=["logistic", "tree", "forest", "forest-double"],
)
@pytest.mark.parametrize("metric_name", ["accuracy", "roc_auc"])
def test_plain_classifier_exports(evaluator: Evaluator, kind: str, metric_name: str, dtype: type) -> None:
    train, test = split_dataset(bundled("breast_cancer"), 0.3, seed=1)
    estimator = CLASSIFIERS[kind]().fit(train.features, train.target)
    model = to_onnx(estimator, train.features[:1].astype(dtype))
    outputs = [output.name for output in model.graph.output]
    assert [value.name for value in model.graph.input] == ["X"] and outputs == ["output_label", "output_probability"]
    metric = metric_by_name(metric_name)
    result = evaluator.evaluate(model.SerializeToString(), test.features, test.target, metric, **LIMITS)
    assert isinstance(result, Valid), result
    if metric_name == "accuracy":
        expected = score(metric, test.target, estimator.predict(test.features.astype(dtype)))
    else:
        expected = score(metric, test.target, estimator.predict_proba(test.features.astype(dtype))[:, 1])
    assert abs(result.score - expected) <= 10_000  # float32 inside the graph, float64 in sklearn


def test_a_multiclass_zipmap_export_scores_its_labels(evaluator: Evaluator) -> None:
    train, test = split_dataset(bundled("iris"), 0.3, seed=1)
    estimator = DecisionTreeClassifier(random_state=0).fit(train.features, train.target)
    model = to_onnx(estimator, train.features[:1])
    metric = metric_by_name("macro_f1")
    result = evaluator.evaluate(model.SerializeToString(), test.features, test.target, metric, **LIMITS)
    assert result == Valid(score(metric, test.target, estimator.predict(test.features)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float", "double"])
@pytest.mark.parametrize("estimator", [LinearRegression(), KNeighborsRegressor()], ids=["linear", "knn"])
def test_plain_regressor_exports(evaluator: Evaluator, estimator: Any, dtype: type) -> None:
    train, test = split_dataset(bundled("diabetes"), 0.3, seed=1)
    estimator.fit(train.features, train.target)
    model = to_onnx(estimator, train.features[:1].astype(dtype))
    assert len(model.graph.output) == 1
    metric = metric_by_name("mae")
    result = evaluator.evaluate(model.SerializeToString(), test.features, test.target, metric, **LIMITS)
    assert isinstance(result, Valid), result
    expected = score(metric, test.target, estimator.predict(test.features))
    assert abs(result.score - expected) <= 10_000


def test_string_class_labels_in_the_model_are_invalid(evaluator: Evaluator) -> None:
    """A classifier fitted on label strings outputs strings, not the task's class indices."""
    train, test = split_dataset(bundled("iris"), 0.3, seed=1)
    names = np.array(["setosa", "versicolor", "virginica"])
    estimator = DecisionTreeClassifier(random_state=0).fit(train.features, names[train.target])
    model = to_onnx(estimator, train.features[:1])
    result = evaluator.evaluate(
        model.SerializeToString(), test.features, test.target, metric_by_name("accuracy"), **LIMITS
    )
    assert isinstance(result, Invalid) and "int64" in result.reason


def test_two_inputs_are_still_refused(evaluator: Evaluator) -> None:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "b"], ["variable"])],
        "two",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 4]) for name in ("a", "b")],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, ["N", 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    features = np.zeros((3, 4), dtype=np.float32)
    result = evaluator.evaluate(model.SerializeToString(), features, np.zeros(3), metric_by_name("mae"), **LIMITS)
    assert isinstance(result, Invalid) and "exactly one input" in result.reason
