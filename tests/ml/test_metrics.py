"""The metric registry: ids and names, exactness against scikit-learn, rounding, edge cases."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest
from sklearn import metrics as skm

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.metrics import (
    METRICS,
    SCALE,
    Metric,
    MetricKind,
    UnknownMetric,
    agree,
    better,
    confusion_matrix,
    format_score,
    kappa_value,
    metric_by_id,
    metric_by_name,
    parse_score,
    round_to_units,
    score,
)

CASES_PER_METRIC = 1_000


def test_registry_matches_protocol_section_3() -> None:
    expected = [
        (0, "accuracy", True, MetricKind.LABEL),
        (1, "macro_f1", True, MetricKind.LABEL),
        (2, "kappa", True, MetricKind.LABEL),
        (3, "roc_auc", True, MetricKind.SCORE),
        (4, "rmse", False, MetricKind.REGRESSION),
        (5, "mae", False, MetricKind.REGRESSION),
        (6, "r2", True, MetricKind.REGRESSION),
    ]
    assert [(m.id, m.name, m.higher_is_better, m.kind) for m in METRICS] == expected
    for metric in METRICS:
        assert metric_by_id(metric.id) is metric
        assert metric_by_name(metric.name) is metric


@pytest.mark.parametrize("lookup", [lambda: metric_by_name("f1"), lambda: metric_by_id(7)])
def test_unknown_metric_is_a_user_error_listing_valid_names(lookup: Callable[[], Metric]) -> None:
    with pytest.raises(UserError, match="accuracy") as info:
        lookup()
    assert isinstance(info.value, UnknownMetric)


def _floor_units(value: float) -> int:
    """sklearn's float result floored to units; exact when not within 1e-9 of a unit edge."""
    return math.floor(value * SCALE + 1e-9)


def _random_labels(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = int(rng.integers(1, 60))
    classes = int(rng.integers(1, 6))
    y_true = rng.integers(0, classes, n)
    # Mix good and bad predictors so that kappa also goes negative.
    noise = rng.integers(0, classes + 1, n)
    keep = rng.random(n) < rng.random()
    return y_true, np.where(keep, y_true, noise)


@pytest.mark.parametrize(
    ("name", "reference"),
    [
        ("accuracy", skm.accuracy_score),
        ("macro_f1", lambda t, p: skm.f1_score(t, p, average="macro", zero_division=0)),
        ("kappa", lambda t, p: skm.cohen_kappa_score(t, p, replace_undefined_by=0.0)),
    ],
)
def test_label_metrics_agree_with_sklearn_to_the_unit(
    name: str, reference: Callable[[np.ndarray, np.ndarray], float]
) -> None:
    metric = metric_by_name(name)
    rng = np.random.default_rng(20_26)
    for _ in range(CASES_PER_METRIC):
        y_true, y_pred = _random_labels(rng)
        expected = reference(y_true, y_pred)
        # sklearn works in float; our exact value must be within one unit-edge of it.
        got = score(metric, y_true, y_pred)
        assert got == _floor_units(expected), (y_true, y_pred, expected, got)


def test_roc_auc_agrees_with_sklearn_to_the_unit() -> None:
    metric = metric_by_name("roc_auc")
    rng = np.random.default_rng(7)
    for _ in range(CASES_PER_METRIC):
        n = int(rng.integers(2, 80))
        y_true = rng.integers(0, 2, n)
        y_true[0], y_true[1] = 0, 1  # both classes present: sklearn's AUC is defined
        # Coarse scores force many ties, which the rank statistic counts as 1/2.
        scores = np.round(rng.random(n) + 0.3 * y_true, int(rng.integers(0, 3))).astype(np.float32)
        assert score(metric, y_true, scores) == _floor_units(skm.roc_auc_score(y_true, scores))


def test_float_metrics_agree_with_sklearn() -> None:
    rng = np.random.default_rng(11)
    references = {
        "rmse": lambda t, p: math.sqrt(skm.mean_squared_error(t, p)),
        "mae": skm.mean_absolute_error,
        "r2": skm.r2_score,
    }
    for _ in range(200):
        n = int(rng.integers(2, 100))
        y_true = rng.normal(0, 10, n)
        y_pred = y_true + rng.normal(0, 3, n)
        for name, reference in references.items():
            got = score(metric_by_name(name), y_true, y_pred)
            assert abs(got - reference(y_true, y_pred) * SCALE) <= 1  # sklearn's sum order differs


def test_float_metrics_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(3)
    y_true = rng.normal(0, 1e6, 5_000)
    y_pred = y_true + rng.normal(0, 1e3, 5_000)
    order = rng.permutation(5_000)
    for name in ("rmse", "mae", "r2"):
        metric = metric_by_name(name)
        assert score(metric, y_true, y_pred) == score(metric, y_true[order], y_pred[order])


def test_rounding_is_half_even_on_the_exact_binary_value() -> None:
    # 2**-7 = 0.0078125 is exactly 7812.5 units: a true midpoint goes to the even unit.
    assert round_to_units(2.0**-7) == 7_812
    assert round_to_units(3 * 2.0**-7) == 23_438  # 23437.5 units
    assert round_to_units(-(2.0**-7)) == -7_812
    # 5e-7 and 0.1234565 are stored just below their printed midpoints: they round down.
    assert round_to_units(0.0000005) == 0
    assert round_to_units(0.1234565) == 123_456
    assert round_to_units(-0.1234565) == -123_456
    # 2.5e-6 is stored just above its printed midpoint: it rounds up, not to even.
    assert round_to_units(0.0000025) == 3
    with pytest.raises(ValueError):
        round_to_units(math.nan)


def test_label_metric_edge_cases() -> None:
    accuracy, macro_f1, kappa = (metric_by_name(n) for n in ("accuracy", "macro_f1", "kappa"))
    one_class = np.zeros(10, dtype=np.int64)
    assert score(accuracy, one_class, one_class) == SCALE
    assert score(macro_f1, one_class, one_class) == SCALE
    # p_e = 1: kappa is 0/0; the protocol gives it the no-skill score 0.
    assert score(kappa, one_class, one_class) == 0
    assert kappa_value([[10]]) == Fraction(0)
    all_wrong_true, all_wrong_pred = np.array([0, 1, 0, 1]), np.array([1, 0, 1, 0])
    assert score(accuracy, all_wrong_true, all_wrong_pred) == 0
    assert score(macro_f1, all_wrong_true, all_wrong_pred) == 0
    assert score(kappa, all_wrong_true, all_wrong_pred) == -SCALE


def test_negative_kappa_is_floored_toward_minus_infinity() -> None:
    y_true = np.array([2, 0, 0, 2, 1, 1, 0])
    y_pred = np.array([0, 1, 1, 1, 2, 1, 1])
    assert kappa_value(confusion_matrix(y_true, y_pred)) == Fraction(-4, 17)
    # -4/17 = -0.2352941...: floor gives -235295 where truncation would give -235294.
    assert score(metric_by_name("kappa"), y_true, y_pred) == -235_295


def test_roc_auc_edge_cases() -> None:
    auc = metric_by_name("roc_auc")
    assert score(auc, [1, 1, 1], [0.1, 0.2, 0.3]) == SCALE // 2  # one class: no-skill value
    assert score(auc, [0, 1], [0.5, 0.5]) == SCALE // 2  # a tie counts 1/2
    assert score(auc, [0, 0, 1], [0.9, 0.8, 0.1]) == 0
    assert score(auc, [0, 1, 1], [0.1, 0.3, 0.2]) == SCALE
    with pytest.raises(UserError, match="binary"):
        score(auc, [0, 1, 2], [0.1, 0.3, 0.2])


def test_r2_edge_cases_follow_sklearn() -> None:
    r2 = metric_by_name("r2")
    assert score(r2, [3.0, 3.0], [3.0, 3.0]) == SCALE
    assert score(r2, [3.0, 3.0], [3.0, 4.0]) == 0
    assert score(r2, [1.0, 2.0, 3.0], [3.0, 3.0, 3.0]) < 0


def test_better_and_agree() -> None:
    assert better(metric_by_name("accuracy"), 2, 1) and not better(metric_by_name("accuracy"), 1, 1)
    assert better(metric_by_name("rmse"), 1, 2) and not better(metric_by_name("rmse"), 2, 1)
    assert agree(100, 103, 3) and not agree(100, 104, 3) and agree(5, 5, 0)


def test_score_text_round_trip() -> None:
    for value in (0, 1, 912_345, SCALE, -5, -1_234_567):
        assert parse_score(format_score(value)) == value
    assert format_score(-5) == "-0.000005"
    assert parse_score("0.5") == 500_000
    with pytest.raises(UserError):
        parse_score("0.1234567")
    with pytest.raises(UserError):
        parse_score("abc")
