"""The fixed metric registry of docs/protocol.md §3: the paper's evaluation script `es`.

A score is an integer with 6 decimals (0.912345 is 912345). Validators on different
machines must agree on it to the unit, so:

- label metrics (accuracy, macro F1, Cohen's kappa) and ROC AUC are computed exactly
  from integer counts with `fractions.Fraction`, then floored (toward -inf, which
  matters for a negative kappa) to 6 decimals;
- float metrics (RMSE, MAE, R²) are computed in float64 with every sum taken by
  `math.fsum`, which returns the correctly rounded exact sum whatever the order of its
  terms, and every other step a single IEEE-754 operation; the result is then rounded
  half-even to 6 decimals from its exact binary value (through `Decimal`), never from a
  printed form.

Undefined values are given the score of a no-skill model instead of NaN, so that every
model always gets an integer score: Cohen's kappa is 0 when the expected agreement is 1
(both label vectors are the same single class), ROC AUC is 0.5 when the test set holds a
single class, and R² follows scikit-learn (1 for a perfect fit of a constant target,
else 0).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from wekacoin_offchain.errors import UserError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SCALE = 10**6
"""Scores carry 6 decimals: the integer score is the metric value times `SCALE`."""

_DECIMAL_UNIT = Decimal(1) / SCALE


class UnknownMetric(UserError):
    """A metric name or id outside the registry."""


class MetricKind(enum.Enum):
    """What a model must output for the metric (the model I/O contract, docs/evaluation.md)."""

    LABEL = "label"  # class indices
    SCORE = "score"  # probability of the positive class (binary tasks)
    REGRESSION = "regression"  # predicted values

    @property
    def is_classification(self) -> bool:
        return self is not MetricKind.REGRESSION


@dataclass(frozen=True)
class Metric:
    """One entry of the registry; `id` is what the chain stores."""

    id: int
    name: str
    higher_is_better: bool
    kind: MetricKind


METRICS: tuple[Metric, ...] = (
    Metric(0, "accuracy", True, MetricKind.LABEL),
    Metric(1, "macro_f1", True, MetricKind.LABEL),
    Metric(2, "kappa", True, MetricKind.LABEL),
    Metric(3, "roc_auc", True, MetricKind.SCORE),
    Metric(4, "rmse", False, MetricKind.REGRESSION),
    Metric(5, "mae", False, MetricKind.REGRESSION),
    Metric(6, "r2", True, MetricKind.REGRESSION),
)
"""The registry, indexed by metric id."""

_BY_NAME = {metric.name: metric for metric in METRICS}


def _valid_names() -> str:
    return ", ".join(metric.name for metric in METRICS)


def metric_by_name(name: str) -> Metric:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownMetric(f"unknown metric {name!r}; valid metrics: {_valid_names()}") from None


def metric_by_id(metric_id: int) -> Metric:
    if not 0 <= metric_id < len(METRICS):
        raise UnknownMetric(
            f"unknown metric id {metric_id}; valid ids: " + ", ".join(f"{m.id} {m.name}" for m in METRICS)
        )
    return METRICS[metric_id]


def better(metric: Metric, a: int, b: int) -> bool:
    """Whether score `a` is strictly better than score `b` under the metric's direction."""
    return a > b if metric.higher_is_better else a < b


def agree(a: int, b: int, tolerance: int) -> bool:
    """Whether two scores agree: they differ by at most `tolerance` units (SCORE_TOLERANCE)."""
    if tolerance < 0:
        raise ValueError("tolerance must be non-negative")
    return abs(a - b) <= tolerance


def format_score(score: int) -> str:
    """The human form of an integer score: 912345 -> '0.912345', -5 -> '-0.000005'."""
    sign = "-" if score < 0 else ""
    whole, fraction = divmod(abs(score), SCALE)
    return f"{sign}{whole}.{fraction:06d}"


def parse_score(text: str) -> int:
    """The inverse of `format_score`; also accepts fewer decimals ('0.5' -> 500000)."""
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        raise UserError(f"not a score: {text!r} (expected a decimal such as 0.912345)") from None
    scaled = value * SCALE
    if not value.is_finite() or scaled != scaled.to_integral_value():
        raise UserError(f"not a score: {text!r} (at most 6 decimals)")
    return int(scaled)


def floor_to_units(value: Fraction) -> int:
    """An exact rational metric value as a 6-decimal score, floored toward -inf."""
    return math.floor(value * SCALE)


def round_to_units(value: float) -> int:
    """A float64 metric value as a 6-decimal score, rounded half-even from its exact value."""
    if not math.isfinite(value):
        raise ValueError(f"metric value is not finite: {value}")
    return int(Decimal(value).quantize(_DECIMAL_UNIT, rounding=ROUND_HALF_EVEN) * SCALE)


# --- label metrics: exact, from a confusion matrix of integer counts ---------------------


def confusion_matrix(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> list[list[int]]:
    """Counts over the union of labels seen in either vector (as scikit-learn does)."""
    import numpy as np  # here, not at the top: consensus reads the registry without numpy

    true = np.asarray(y_true).ravel()
    pred = np.asarray(y_pred).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"{true.size} true labels but {pred.size} predictions")
    if true.size == 0:
        raise ValueError("cannot score an empty set")
    labels, codes = np.unique(np.concatenate([true, pred]), return_inverse=True)
    k = labels.size
    counts = np.bincount(codes[: true.size] * k + codes[true.size :], minlength=k * k)
    return [[int(c) for c in row] for row in counts.reshape(k, k)]


def accuracy_value(cm: Sequence[Sequence[int]]) -> Fraction:
    total = sum(map(sum, cm))
    return Fraction(sum(cm[i][i] for i in range(len(cm))), total)


def macro_f1_value(cm: Sequence[Sequence[int]]) -> Fraction:
    """Mean over the labels of 2TP / (2TP + FP + FN); no denominator is 0 on the union."""
    k = len(cm)
    row_sums = [sum(row) for row in cm]  # true counts: TP + FN
    col_sums = [sum(cm[i][j] for i in range(k)) for j in range(k)]  # predicted: TP + FP
    per_label = (Fraction(2 * cm[j][j], row_sums[j] + col_sums[j]) for j in range(k))
    return sum(per_label, Fraction(0)) / k


def kappa_value(cm: Sequence[Sequence[int]]) -> Fraction:
    """Cohen's kappa (p_o - p_e) / (1 - p_e); 0 (no skill) when p_e = 1 makes it 0/0."""
    k = len(cm)
    total = sum(map(sum, cm))
    row_sums = [sum(row) for row in cm]
    col_sums = [sum(cm[i][j] for i in range(k)) for j in range(k)]
    observed = Fraction(sum(cm[i][i] for i in range(k)), total)
    expected = Fraction(sum(r * c for r, c in zip(row_sums, col_sums, strict=True)), total * total)
    if expected == 1:
        return Fraction(0)
    return (observed - expected) / (1 - expected)


# --- ROC AUC: exact rank statistic --------------------------------------------------------


def roc_auc_value(y_true: npt.ArrayLike, positive_scores: npt.ArrayLike) -> Fraction:
    """Mann-Whitney U / (P * N): the share of (positive, negative) pairs ranked right, ties 1/2.

    `y_true` holds class indices 0 (negative) and 1 (positive). With a single class the AUC
    is undefined; it is then 1/2, the no-skill value.
    """
    import numpy as np  # here, not at the top: consensus reads the registry without numpy

    true = np.asarray(y_true).ravel()
    scores = np.asarray(positive_scores, dtype=np.float64).ravel()
    if true.shape != scores.shape:
        raise ValueError(f"{true.size} true labels but {scores.size} scores")
    if not np.isin(true, (0, 1)).all():
        raise UserError("roc_auc needs a binary target with class indices 0 and 1")
    if not np.isfinite(scores).all():
        raise ValueError("scores are not all finite")
    positives = int(np.count_nonzero(true == 1))
    negatives = true.size - positives
    if positives == 0 or negatives == 0:
        return Fraction(1, 2)
    # Twice the rank sum of the positives, with tied scores sharing their mean rank: a tie
    # group occupying 1-based ranks first..last has mean rank (first + last) / 2.
    _, group_of, group_sizes = np.unique(scores, return_inverse=True, return_counts=True)
    last_rank = np.cumsum(group_sizes)
    twice_mean_rank = 2 * last_rank - group_sizes + 1  # first + last = (last - size + 1) + last
    twice_rank_sum = int(twice_mean_rank[group_of[true == 1]].sum(dtype=np.int64))
    twice_u = twice_rank_sum - positives * (positives + 1)
    return Fraction(twice_u, 2 * positives * negatives)


# --- float metrics: float64, order-independent sums ---------------------------------------


def _regression_inputs(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    import numpy as np  # here, not at the top: consensus reads the registry without numpy

    true = np.asarray(y_true, dtype=np.float64).ravel()
    pred = np.asarray(y_pred, dtype=np.float64).ravel()
    if true.shape != pred.shape:
        raise ValueError(f"{true.size} true values but {pred.size} predictions")
    if true.size == 0:
        raise ValueError("cannot score an empty set")
    if not (np.isfinite(true).all() and np.isfinite(pred).all()):
        raise ValueError("values are not all finite")
    return true, pred


def rmse_value(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    true, pred = _regression_inputs(y_true, y_pred)
    residuals = true - pred  # element-wise IEEE operations: the same bits on every machine
    return math.sqrt(math.fsum(residuals * residuals) / true.size)


def mae_value(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    import numpy as np  # here, not at the top: consensus reads the registry without numpy

    true, pred = _regression_inputs(y_true, y_pred)
    return math.fsum(np.abs(true - pred)) / true.size


def r2_value(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float:
    """1 - SS_res / SS_tot; a constant target scores 1 if fitted exactly, else 0 (sklearn)."""
    true, pred = _regression_inputs(y_true, y_pred)
    residuals = true - pred
    ss_res = math.fsum(residuals * residuals)
    deviations = true - math.fsum(true) / true.size
    ss_tot = math.fsum(deviations * deviations)
    if ss_tot == 0:
        return 1.0 if ss_res == 0 else 0.0
    return 1.0 - ss_res / ss_tot


def score(metric: Metric, y_true: npt.ArrayLike, y_pred_or_proba: npt.ArrayLike) -> int:
    """The 6-decimal integer score of predictions (labels, positive-class scores or values)."""
    match metric.name:
        case "accuracy":
            return floor_to_units(accuracy_value(confusion_matrix(y_true, y_pred_or_proba)))
        case "macro_f1":
            return floor_to_units(macro_f1_value(confusion_matrix(y_true, y_pred_or_proba)))
        case "kappa":
            return floor_to_units(kappa_value(confusion_matrix(y_true, y_pred_or_proba)))
        case "roc_auc":
            return floor_to_units(roc_auc_value(y_true, y_pred_or_proba))
        case "rmse":
            return round_to_units(rmse_value(y_true, y_pred_or_proba))
        case "mae":
            return round_to_units(mae_value(y_true, y_pred_or_proba))
        case "r2":
            return round_to_units(r2_value(y_true, y_pred_or_proba))
    raise UnknownMetric(f"unknown metric {metric.name!r}; valid metrics: {_valid_names()}")
