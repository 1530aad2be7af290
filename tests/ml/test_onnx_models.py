"""Baselines and trainer exports: the I/O contract, deterministic bytes, honest train scores."""

from __future__ import annotations

import math

import numpy as np
import onnx
import pytest

from tests.ml.conftest import bundled
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.contract import INPUT_NAME, check_model, parse_model
from wekacoin_offchain.ml.datasets import Dataset
from wekacoin_offchain.ml.metrics import SCALE, metric_by_name, round_to_units
from wekacoin_offchain.ml.onnx_models import (
    UnknownModelKind,
    baseline_model,
    export_onnx,
    fit_model,
    kinds_for,
    make_estimator,
    model_score,
)


def test_classification_baseline_predicts_the_majority_class(iris: Dataset) -> None:
    skewed = iris.take(np.arange(20, 150))  # classes 1 and 2 have 50 rows, class 0 has 30
    baseline = baseline_model(skewed, metric_by_name("accuracy"))
    assert baseline.train_score == math.floor(50 / 130 * SCALE)
    model = parse_model(baseline.model_bytes)
    check_model(model, iris.n_features, metric_by_name("accuracy"))
    check_model(model, iris.n_features, metric_by_name("roc_auc"))  # has probabilities too
    assert baseline_model(skewed, metric_by_name("kappa")).train_score == 0  # no skill


def test_roc_auc_baseline_is_chance(breast_cancer: Dataset) -> None:
    assert baseline_model(breast_cancer, metric_by_name("roc_auc")).train_score == SCALE // 2


def test_regression_baseline_predicts_the_mean(diabetes: Dataset) -> None:
    mean = np.float32(diabetes.target.mean())
    assert baseline_model(diabetes, metric_by_name("r2")).train_score == round_to_units(
        1 - float(np.sum((diabetes.target - mean) ** 2) / np.sum((diabetes.target - diabetes.target.mean()) ** 2))
    )
    rmse = baseline_model(diabetes, metric_by_name("rmse")).train_score
    assert rmse == round_to_units(math.sqrt(float(np.mean((diabetes.target - float(mean)) ** 2))))


def test_baseline_refuses_a_metric_that_does_not_fit_the_target(iris: Dataset, diabetes: Dataset) -> None:
    with pytest.raises(UserError, match="numeric values"):
        baseline_model(iris, metric_by_name("rmse"))
    with pytest.raises(UserError, match="class labels"):
        baseline_model(diabetes, metric_by_name("accuracy"))
    with pytest.raises(UserError, match="exactly two classes"):
        baseline_model(iris, metric_by_name("roc_auc"))


@pytest.mark.parametrize("kind", kinds_for(classification=True))
def test_every_classifier_kind_follows_the_contract(kind: str) -> None:
    wine = bundled("wine")
    fitted = fit_model(wine, kind, metric_by_name("macro_f1"), seed=3)
    check_model(parse_model(fitted.model_bytes), wine.n_features, metric_by_name("macro_f1"))
    assert fitted.train_score > 600_000
    assert fitted.train_score == model_score(fitted.model_bytes, wine, metric_by_name("macro_f1"))


@pytest.mark.parametrize("kind", kinds_for(classification=False))
def test_every_regressor_kind_follows_the_contract(kind: str, diabetes: Dataset) -> None:
    small = diabetes.take(np.arange(120))  # keeps the MLP quick
    fitted = fit_model(small, kind, metric_by_name("r2"), seed=3)
    model = parse_model(fitted.model_bytes)
    check_model(model, small.n_features, metric_by_name("r2"))
    assert [value.name for value in model.graph.input] == [INPUT_NAME]
    assert fitted.train_score > 0


@pytest.mark.parametrize("kind", ["forest", "knn", "mlp"])
def test_exports_are_byte_for_byte_deterministic(kind: str, iris: Dataset) -> None:
    estimator = make_estimator(kind, classification=True, seed=5).fit(iris.features, iris.target)
    assert export_onnx(estimator, iris.n_features) == export_onnx(estimator, iris.n_features)
    first = fit_model(iris, kind, metric_by_name("accuracy"), seed=5)
    assert first == fit_model(iris, kind, metric_by_name("accuracy"), seed=5)


def test_exports_carry_no_tool_version() -> None:
    iris = bundled("iris")
    model = onnx.load_model_from_string(fit_model(iris, "logistic", metric_by_name("accuracy")).model_bytes)
    assert model.producer_name == "wekacoin" and model.producer_version == ""


def test_roc_auc_models_score_on_positive_class_probability(breast_cancer: Dataset) -> None:
    fitted = fit_model(breast_cancer, "logistic", metric_by_name("roc_auc"))
    assert 990_000 < fitted.train_score <= SCALE


def test_unknown_or_unsuitable_model_kind(iris: Dataset, diabetes: Dataset) -> None:
    with pytest.raises(UnknownModelKind, match="choose one of: logistic, tree, forest, knn, mlp"):
        fit_model(iris, "svm", metric_by_name("accuracy"))
    with pytest.raises(UnknownModelKind, match="for regression"):
        fit_model(diabetes, "logistic", metric_by_name("rmse"))
    with pytest.raises(UnknownModelKind, match="for classification"):
        fit_model(iris, "ridge", metric_by_name("accuracy"))
