"""Datasets, ONNX models, the metric registry and sandboxed evaluation (docs/protocol.md §3, §4 and §8).

This package knows nothing of the chain or the content store: it works on bytes, arrays
and files. docs/evaluation.md states its rules.

Names are imported on first use (PEP 562), so that the evaluation worker, which needs
only the contract and the metrics, starts without importing scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wekacoin_offchain.ml.contract import (
        ALLOWED_DOMAINS as ALLOWED_DOMAINS,
        INPUT_NAME as INPUT_NAME,
        OUTPUT_NAMES as OUTPUT_NAMES,
        ContractViolation as ContractViolation,
        output_name as output_name,
    )
    from wekacoin_offchain.ml.datasets import (
        Dataset as Dataset,
        check_task_data as check_task_data,
        dataset_to_csv as dataset_to_csv,
        load_dataset as load_dataset,
        parse_dataset as parse_dataset,
        split_dataset as split_dataset,
        write_dataset as write_dataset,
    )
    from wekacoin_offchain.ml.errors import DatasetError as DatasetError
    from wekacoin_offchain.ml.evaluator import (
        EvaluationResult as EvaluationResult,
        EvaluationStatus as EvaluationStatus,
        Evaluator as Evaluator,
        Invalid as Invalid,
        Unevaluated as Unevaluated,
        Valid as Valid,
        evaluate_model as evaluate_model,
    )
    from wekacoin_offchain.ml.metrics import (
        METRICS as METRICS,
        SCALE as SCALE,
        Metric as Metric,
        MetricKind as MetricKind,
        UnknownMetric as UnknownMetric,
        agree as agree,
        better as better,
        format_score as format_score,
        metric_by_id as metric_by_id,
        metric_by_name as metric_by_name,
        parse_score as parse_score,
        score as score,
    )
    from wekacoin_offchain.ml.onnx_models import (
        MODEL_KINDS as MODEL_KINDS,
        FittedModel as FittedModel,
        UnknownModelKind as UnknownModelKind,
        baseline_model as baseline_model,
        fit_model as fit_model,
        model_score as model_score,
    )

_SUBMODULE_OF = {
    "ALLOWED_DOMAINS": "contract",
    "ContractViolation": "contract",
    "Dataset": "datasets",
    "DatasetError": "errors",
    "EvaluationResult": "evaluator",
    "EvaluationStatus": "evaluator",
    "Evaluator": "evaluator",
    "FittedModel": "onnx_models",
    "INPUT_NAME": "contract",
    "Invalid": "evaluator",
    "METRICS": "metrics",
    "MODEL_KINDS": "onnx_models",
    "Metric": "metrics",
    "MetricKind": "metrics",
    "OUTPUT_NAMES": "contract",
    "SCALE": "metrics",
    "Unevaluated": "evaluator",
    "UnknownMetric": "metrics",
    "UnknownModelKind": "onnx_models",
    "Valid": "evaluator",
    "agree": "metrics",
    "baseline_model": "onnx_models",
    "better": "metrics",
    "check_task_data": "datasets",
    "dataset_to_csv": "datasets",
    "evaluate_model": "evaluator",
    "fit_model": "onnx_models",
    "format_score": "metrics",
    "load_dataset": "datasets",
    "metric_by_id": "metrics",
    "metric_by_name": "metrics",
    "model_score": "onnx_models",
    "output_name": "contract",
    "parse_dataset": "datasets",
    "parse_score": "metrics",
    "score": "metrics",
    "split_dataset": "datasets",
    "write_dataset": "datasets",
}
__all__ = sorted(_SUBMODULE_OF)


def __getattr__(name: str) -> Any:
    try:
        submodule = _SUBMODULE_OF[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    return getattr(importlib.import_module(f"{__name__}.{submodule}"), name)


def __dir__() -> list[str]:
    return __all__
