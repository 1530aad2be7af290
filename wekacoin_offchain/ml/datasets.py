"""Datasets: CSV with a header or Weka's ARFF, the target in the LAST column (paper II-B).

Every dataset becomes float32 features and a target: class indices (int64) for a
classification metric, float64 values for a regression metric. Choices (docs/evaluation.md):

- Nominal ARFF features become the index of their value in the attribute's declaration;
  any further encoding (one-hot, ...) is the model's business. CSV features must be
  numbers. String and date attributes, missing values (`?` or an empty cell) and
  non-finite numbers are refused: the supplier imputes before publishing.
- Class labels are strings. Their order, which fixes the class indices a model outputs,
  is the declaration order of a nominal ARFF target, else numeric order when every label
  is a finite number (equal values by spelling), else code-point order: a total order
  that no hash seed or set order can change. The published TRAINING file defines it: a
  test set is read with the training set's labels (`class_labels=`), and a test label the
  training set never had is an error, as is a test header other than the training one
  (`check_task_data`).
- Errors name data rows from 1, the header and blank lines not counted. Every problem with
  the bytes is a `DatasetError`; no other exception leaves the parser.
- CSV is parsed in one streaming pass straight into arrays (4 bytes a feature cell), so
  the memory held is the file's bytes plus about as much again, never a Python object per
  cell; files above `MAX_DATASET_SIZE` are refused before parsing.
"""

from __future__ import annotations

import csv
import io
import math
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import arff
import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split

from wekacoin_offchain.errors import UserError
from wekacoin_offchain.limits import MAX_DATASET_SIZE
from wekacoin_offchain.ml.errors import DatasetError
from wekacoin_offchain.ml.metrics import Metric, MetricKind

FORMATS = ("csv", "arff")
_MISSING = ("", "?")

__all__ = ["DatasetError"]  # re-exported: the error type callers catch comes with the parser


@dataclass(frozen=True)
class Dataset:
    """A table ready for a model: `features[i]` is row i, `target[i]` its label or value."""

    features: npt.NDArray[np.float32]  # [N, F]
    target: npt.NDArray[Any]  # int64 class indices, or float64 values
    feature_names: tuple[str, ...]
    target_name: str
    class_labels: tuple[str, ...] | None  # index -> label; None for regression

    @property
    def is_classification(self) -> bool:
        return self.class_labels is not None

    @property
    def n_rows(self) -> int:
        return int(self.features.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.features.shape[1])

    @property
    def header(self) -> tuple[str, ...]:
        return (*self.feature_names, self.target_name)

    def take(self, rows: npt.NDArray[np.intp]) -> Dataset:
        """The rows at `rows`, in that order, with the same schema and class labels."""
        return Dataset(
            self.features[rows],
            self.target[rows],
            self.feature_names,
            self.target_name,
            self.class_labels,
        )


# --- reading ------------------------------------------------------------------------------


def format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UserError(f"{path}: unknown dataset format {path.suffix!r}; use .csv or .arff")
    return fmt


def load_dataset(path: str | Path, *, classification: bool, class_labels: Sequence[str] | None = None) -> Dataset:
    """Read a .csv or .arff file; `class_labels` are the training set's (see module doc)."""
    path = Path(path)
    fmt = format_of(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return parse_dataset(data, fmt=fmt, classification=classification, class_labels=class_labels)
    except DatasetError as exc:
        raise DatasetError(f"{path}: {exc}") from None


def parse_dataset(
    data: bytes,
    *,
    fmt: str,
    classification: bool,
    class_labels: Sequence[str] | None = None,
) -> Dataset:
    """Parse dataset bytes (as fetched from the content store) in format `fmt`.

    `class_labels` are the training set's when `data` is a test set: every label must
    be one of them. Raises `DatasetError` (only) when the bytes are not a dataset.
    """
    if len(data) > MAX_DATASET_SIZE:
        raise DatasetError(f"dataset is {len(data)} bytes, above the protocol's cap of {MAX_DATASET_SIZE}")
    match fmt:
        case "csv":
            return _parse_csv(data, classification=classification, class_labels=class_labels)
        case "arff":
            return _assemble(_read_arff(_text(data)), classification=classification, class_labels=class_labels)
        case _:
            raise DatasetError(f"unknown dataset format {fmt!r}; use one of {', '.join(FORMATS)}")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError("dataset is not UTF-8 text") from None
    if not text.strip():
        raise DatasetError("dataset is empty")
    return text


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    """The non-blank rows of CSV bytes, decoded as they are read (no text copy of the file)."""
    # strict: an unterminated quote is an error, not the rest of the file in one cell
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    try:
        for row in csv.reader(stream, strict=True):
            if any(map(str.strip, row)):
                yield row
    except UnicodeDecodeError:
        raise DatasetError("dataset is not UTF-8 text") from None
    except csv.Error as exc:
        raise DatasetError(f"not a valid CSV file: {exc}") from None


def _parse_csv(data: bytes, *, classification: bool, class_labels: Sequence[str] | None) -> Dataset:
    rows = _csv_rows(data)
    first = next(rows, None)
    if first is None:
        raise DatasetError("dataset is empty")
    header = [name.strip() for name in first]
    _check_header(header)
    n_features = len(header) - 1
    features = array("f")  # grows in place; becomes the [N, F] matrix without a copy
    values = array("d")  # regression targets
    codes = array("q")  # class labels by order of first appearance
    seen: dict[str, int] = {}
    n_rows = 0
    for n_rows, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise DatasetError(f"row {n_rows} has {len(row)} fields, the header has {len(header)}")
        for column in range(n_features):
            features.append(_number(row[column], header[column], n_rows, "feature"))
        label = row[-1].strip()
        if classification:
            if label in _MISSING:
                raise DatasetError(f"target column {header[-1]!r}: row {n_rows} is missing a label")
            codes.append(seen.setdefault(label, len(seen)))
        else:
            values.append(_number(label, header[-1], n_rows, "target"))
    if n_rows == 0:
        raise DatasetError("no data rows")
    matrix = np.frombuffer(features, dtype=np.float32).reshape(n_rows, n_features)
    if not np.isfinite(matrix).all():
        column = int(np.argwhere(~np.isfinite(matrix))[0][1])
        raise DatasetError(f"column {header[column]!r} has a value too large for float32")
    if not classification:
        return Dataset(matrix, np.frombuffer(values, dtype=np.float64), tuple(header[:-1]), header[-1], None)
    first_seen = tuple(seen)
    order = _label_order(first_seen, class_labels)
    position = {label: index for index, label in enumerate(order)}
    recode = np.array([position[label] for label in first_seen], dtype=np.int64)
    return Dataset(matrix, recode[np.frombuffer(codes, dtype=np.int64)], tuple(header[:-1]), header[-1], order)


def _check_header(header: list[str]) -> None:
    if len(header) < 2:
        raise DatasetError("need at least one feature column and the target (last) column")
    if len(set(header)) != len(header):
        raise DatasetError("header repeats a column name")


def _number(cell: str, column: str, row: int, role: str) -> float:
    text = cell.strip()
    if text in _MISSING:
        raise DatasetError(f"{role} column {column!r}: row {row} is missing a value")
    try:
        value = float(text)
    except ValueError:
        raise DatasetError(f"{role} column {column!r}: row {row} holds {text[:40]!r}, not a number") from None
    if not math.isfinite(value):
        raise DatasetError(f"{role} column {column!r}: row {row} is not finite")
    return value


def _label_order(labels: Sequence[str], class_labels: Sequence[str] | None) -> tuple[str, ...]:
    """The training set's order when given (every label must be in it), else `class_order`."""
    if class_labels is None:
        return class_order(labels)
    known = tuple(class_labels)
    known_set = set(known)
    unknown = [label for label in labels if label not in known_set]
    if unknown:
        raise DatasetError(
            f"test label {unknown[0][:40]!r} is not a training class (training classes: "
            + ", ".join(repr(label[:40]) for label in known[:20])
            + ")"
        )
    return known


def class_order(labels: Iterable[str]) -> tuple[str, ...]:
    """The classes' total order: numeric when every label is a finite number, ties (`1`,
    `1.0`) by spelling; else by code point. It depends on the labels only."""
    distinct = set(labels)
    numbers = {label: _finite(label) for label in distinct}
    if all(value is not None for value in numbers.values()):
        return tuple(sorted(distinct, key=lambda label: (numbers[label], label)))
    return tuple(sorted(distinct))


def _finite(label: str) -> float | None:
    try:
        value = float(label)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class _Column:
    name: str
    cells: list[Any]  # float, nominal index, str or None (ARFF)
    nominal_values: tuple[str, ...] | None = None  # ARFF nominal declaration
    kind: str = "numeric"  # "numeric", "nominal", "string" or "date"


def _read_arff(text: str) -> list[_Column]:
    try:
        parsed = arff.loads(text, encode_nominal=True)
    except Exception as exc:  # liac-arff raises ArffException, and ValueError/IndexError on odd input
        raise DatasetError(f"not a valid ARFF file: {exc}") from None
    columns = []
    for i, (name, declared) in enumerate(parsed["attributes"]):
        cells = [row[i] for row in parsed["data"]]
        if isinstance(declared, list):
            columns.append(_Column(name, cells, tuple(declared), "nominal"))
        else:
            kind = {"NUMERIC": "numeric", "REAL": "numeric", "INTEGER": "numeric"}.get(
                declared.upper(), declared.split()[0].lower()
            )
            columns.append(_Column(name, cells, None, kind))
    return columns


def _assemble(columns: list[_Column], *, classification: bool, class_labels: Sequence[str] | None) -> Dataset:
    _check_header([column.name for column in columns])
    *feature_columns, target_column = columns
    n_rows = len(target_column.cells)
    if n_rows == 0:
        raise DatasetError("no data rows")
    features = np.empty((n_rows, len(feature_columns)), dtype=np.float32)
    for j, column in enumerate(feature_columns):
        features[:, j] = _feature_values(column)
    names = tuple(c.name for c in feature_columns)
    if classification:
        labels = _label_cells(target_column)
        declared = target_column.nominal_values
        if class_labels is None and declared is not None:
            order = declared
        else:
            order = _label_order(list(dict.fromkeys(labels)), class_labels)
        index = {label: i for i, label in enumerate(order)}
        target: npt.NDArray[Any] = np.array([index[label] for label in labels], dtype=np.int64)
        return Dataset(features, target, names, target_column.name, tuple(order))
    values = _numeric_cells(target_column, role="target")
    return Dataset(features, values, names, target_column.name, None)


def _feature_values(column: _Column) -> npt.NDArray[np.float32]:
    if column.kind == "nominal":
        # liac-arff already gives the index of the value in the declaration.
        if any(cell is None for cell in column.cells):
            raise DatasetError(f"column {column.name!r} has missing values; impute them first")
        return np.asarray(column.cells, dtype=np.float32)
    with np.errstate(over="ignore"):  # an overflow becomes inf, refused just below
        values = _numeric_cells(column, role="feature").astype(np.float32)
    if not np.isfinite(values).all():
        raise DatasetError(f"column {column.name!r} has a value too large for float32")
    return values


def _numeric_cells(column: _Column, *, role: str) -> npt.NDArray[np.float64]:
    if column.kind in ("nominal", "string", "date"):
        raise DatasetError(
            f"{role} column {column.name!r} is {column.kind}, a number is needed"
            + (" (a regression metric needs a numeric target)" if role == "target" else "")
        )
    values = np.empty(len(column.cells), dtype=np.float64)
    for row, cell in enumerate(column.cells):
        if cell is None or cell in _MISSING:
            raise DatasetError(f"{role} column {column.name!r}: row {row + 1} is missing a value")
        values[row] = float(cell)
        if not math.isfinite(values[row]):
            raise DatasetError(f"{role} column {column.name!r}: row {row + 1} is not finite")
    return values


def _label_cells(column: _Column) -> list[str]:
    labels = []
    for row, cell in enumerate(column.cells):
        if cell is None or cell in _MISSING:
            raise DatasetError(f"target column {column.name!r}: row {row + 1} is missing a label")
        if column.nominal_values is not None:
            labels.append(column.nominal_values[cell])
        elif isinstance(cell, float):
            labels.append(repr(cell))
        else:
            labels.append(str(cell))
    return labels


# --- a task's data ----------------------------------------------------------------------------


def check_metric_fits(dataset: Dataset, metric: Metric) -> None:
    """The dataset suits the metric: classes for label metrics, two classes for roc_auc."""
    if dataset.is_classification != metric.kind.is_classification:
        wanted = "class labels" if metric.kind.is_classification else "numeric values"
        raise DatasetError(f"metric {metric.name} needs a target of {wanted}")
    if metric.kind is MetricKind.SCORE and len(dataset.class_labels or ()) != 2:
        raise DatasetError(f"roc_auc needs exactly two classes, the dataset has {len(dataset.class_labels or ())}")


def check_task_data(train: Dataset, test: Dataset, metric: Metric) -> None:
    """A task's released test set matches its training set (docs/evaluation.md).

    The headers are equal (same feature names in the same order, same target name),
    the test set was read with the training classes (`parse_dataset(class_labels=)`),
    and both suit the metric. Anything else makes the task invalid: a `DatasetError`.
    """
    check_metric_fits(train, metric)
    if test.header != train.header:
        raise DatasetError(
            f"the test header ({_short_header(test)}) is not the training header ({_short_header(train)})"
        )
    if test.class_labels != train.class_labels:
        raise DatasetError("the test labels were not read with the training classes")


def _short_header(dataset: Dataset) -> str:
    text = ",".join(dataset.header)
    return text if len(text) <= 80 else text[:77] + "..."


# --- writing ------------------------------------------------------------------------------


def dataset_to_csv(dataset: Dataset) -> bytes:
    """Deterministic CSV bytes (same dataset, same bytes, so the same CID).

    float32 features are written in their shortest round-trip form, so reading the file
    back gives the very same features.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*dataset.feature_names, dataset.target_name])
    labels = dataset.class_labels
    for features, target in zip(dataset.features, dataset.target, strict=True):
        target_cell = labels[int(target)] if labels is not None else repr(float(target))
        writer.writerow([*(str(value) for value in features), target_cell])
    return out.getvalue().encode("utf-8")


def write_dataset(dataset: Dataset, path: str | Path) -> bytes:
    """Write the dataset as CSV to `path` and return the bytes written."""
    data = dataset_to_csv(dataset)
    Path(path).write_bytes(data)
    return data


# --- the supplier's split and commitment ----------------------------------------------------


def split_dataset(dataset: Dataset, test_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """Shuffle and split into (train, test); stratified by class for classification."""
    if not 0 < test_fraction < 1:
        raise UserError(f"test fraction must be strictly between 0 and 1, got {test_fraction}")
    rows = np.arange(dataset.n_rows)
    try:
        train_rows, test_rows = train_test_split(
            rows,
            test_size=test_fraction,
            random_state=seed,
            stratify=dataset.target if dataset.is_classification else None,
        )
    except ValueError as exc:  # too few rows, or a class too small to stratify
        raise UserError(f"cannot split this dataset: {exc}") from None
    return dataset.take(train_rows), dataset.take(test_rows)
