"""Datasets: CSV with a header or Weka's ARFF, the target in the LAST column (paper II-B).

Every dataset becomes float32 features and a target: class indices (int64) for a
classification metric, float64 values for a regression metric. Choices (docs/evaluation.md):

- Nominal ARFF features become the index of their value in the attribute's declaration;
  any further encoding (one-hot, ...) is the model's business. CSV features must be
  numbers. String and date attributes, missing values (`?` or an empty cell) and
  non-finite numbers are refused: the supplier imputes before publishing.
- Class labels are strings. Their order, which fixes the class indices a model outputs,
  is the declaration order of a nominal ARFF target, else numeric order when every label
  is a number, else lexicographic order. The published TRAINING file defines it: a test
  set is read with the training set's labels (`class_labels=`); a test label the
  training set never had is appended after them, so no model can predict it.
- Errors name data rows from 1, the header and blank lines not counted.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import arff
import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split

from wekacoin_offchain.errors import UserError

FORMATS = ("csv", "arff")
_MISSING = ("", "?")


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
    except UserError as exc:
        raise UserError(f"{path}: {exc}") from None


def parse_dataset(
    data: bytes,
    *,
    fmt: str,
    classification: bool,
    class_labels: Sequence[str] | None = None,
) -> Dataset:
    """Parse dataset bytes (as fetched from the content store) in format `fmt`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError("dataset is not UTF-8 text") from None
    if not text.strip():
        raise UserError("dataset is empty")
    match fmt:
        case "csv":
            columns = _read_csv(text)
        case "arff":
            columns = _read_arff(text)
        case _:
            raise UserError(f"unknown dataset format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _assemble(columns, classification=classification, class_labels=class_labels)


@dataclass(frozen=True)
class _Column:
    name: str
    cells: list[Any]  # str for CSV; float, nominal index, str or None for ARFF
    nominal_values: tuple[str, ...] | None = None  # ARFF nominal declaration
    kind: str = "text"  # "text" (CSV), "numeric", "nominal", "string" or "date" (ARFF)


def _read_csv(text: str) -> list[_Column]:
    try:
        # strict: an unterminated quote is an error, not the rest of the file in one cell
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        rows = [row for row in reader if any(map(str.strip, row))]
    except csv.Error as exc:
        raise UserError(f"not a valid CSV file: {exc}") from None
    header = [name.strip() for name in rows[0]]
    if len(set(header)) != len(header):
        raise UserError("header repeats a column name")
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise UserError(f"row {number} has {len(row)} fields, the header has {len(header)}")
    return [_Column(name, [row[i].strip() for row in rows[1:]]) for i, name in enumerate(header)]


def _read_arff(text: str) -> list[_Column]:
    try:
        parsed = arff.loads(text, encode_nominal=True)
    except arff.ArffException as exc:
        raise UserError(f"not a valid ARFF file: {exc}") from None
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
    if len(columns) < 2:
        raise UserError("need at least one feature column and the target (last) column")
    *feature_columns, target_column = columns
    n_rows = len(target_column.cells)
    if n_rows == 0:
        raise UserError("no data rows")
    features = np.empty((n_rows, len(feature_columns)), dtype=np.float32)
    for j, column in enumerate(feature_columns):
        features[:, j] = _feature_values(column)
    if classification:
        labels = _label_cells(target_column)
        known = _class_order(target_column, labels) if class_labels is None else class_labels
        all_labels = tuple(known) + tuple(_sorted_labels(set(labels) - set(known)))
        index = {label: i for i, label in enumerate(all_labels)}
        target: npt.NDArray[Any] = np.array([index[label] for label in labels], dtype=np.int64)
        return Dataset(
            features,
            target,
            tuple(c.name for c in feature_columns),
            target_column.name,
            all_labels,
        )
    values = _numeric_cells(target_column, role="target")
    return Dataset(features, values, tuple(c.name for c in feature_columns), target_column.name, None)


def _feature_values(column: _Column) -> npt.NDArray[np.float32]:
    if column.kind == "nominal":
        # liac-arff already gives the index of the value in the declaration.
        if any(cell is None for cell in column.cells):
            raise UserError(f"column {column.name!r} has missing values; impute them first")
        return np.asarray(column.cells, dtype=np.float32)
    with np.errstate(over="ignore"):  # an overflow becomes inf, refused just below
        values = _numeric_cells(column, role="feature").astype(np.float32)
    if not np.isfinite(values).all():
        raise UserError(f"column {column.name!r} has a value too large for float32")
    return values


def _numeric_cells(column: _Column, *, role: str) -> npt.NDArray[np.float64]:
    if column.kind in ("nominal", "string", "date"):
        raise UserError(
            f"{role} column {column.name!r} is {column.kind}, a number is needed"
            + (" (a regression metric needs a numeric target)" if role == "target" else "")
        )
    values = np.empty(len(column.cells), dtype=np.float64)
    for row, cell in enumerate(column.cells):
        if cell is None or cell in _MISSING:
            raise UserError(f"{role} column {column.name!r}: row {row + 1} is missing a value")
        try:
            values[row] = float(cell)
        except ValueError:
            raise UserError(f"{role} column {column.name!r}: row {row + 1} holds {cell!r}, not a number") from None
        if not math.isfinite(values[row]):
            raise UserError(f"{role} column {column.name!r}: row {row + 1} is not finite")
    return values


def _label_cells(column: _Column) -> list[str]:
    labels = []
    for row, cell in enumerate(column.cells):
        if cell is None or cell in _MISSING:
            raise UserError(f"target column {column.name!r}: row {row + 1} is missing a label")
        if column.nominal_values is not None:
            labels.append(column.nominal_values[cell])
        elif isinstance(cell, float):
            labels.append(repr(cell))
        else:
            labels.append(str(cell))
    return labels


def _class_order(column: _Column, labels: Iterable[str]) -> tuple[str, ...]:
    if column.nominal_values is not None:
        return column.nominal_values
    return tuple(_sorted_labels(set(labels)))


def _sorted_labels(labels: set[str]) -> list[str]:
    try:
        return sorted(labels, key=lambda label: (float(label), label))
    except ValueError:
        return sorted(labels)


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
