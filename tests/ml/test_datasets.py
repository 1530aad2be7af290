"""Datasets: CSV and ARFF reading, schema errors, the supplier's split and commitment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ml.conftest import bundled
from wekacoin_offchain.errors import UserError
from wekacoin_offchain.ml.datasets import (
    Dataset,
    DatasetError,
    dataset_to_csv,
    load_dataset,
    parse_dataset,
    split_dataset,
)

ARFF = """% a Weka file
@relation weather
@attribute outlook {sunny, overcast, rainy}
@attribute temperature numeric
@attribute windy {TRUE, FALSE}
@attribute play {yes, no}
@data
sunny,85,FALSE,no
overcast,83,FALSE,yes
rainy,70,TRUE,no
"""


def test_csv_round_trip_keeps_every_float32_exactly(iris: Dataset) -> None:
    again = parse_dataset(dataset_to_csv(iris), fmt="csv", classification=True)
    assert np.array_equal(again.features, iris.features)
    assert np.array_equal(again.target, iris.target)
    assert again.class_labels == iris.class_labels
    assert again.feature_names == iris.feature_names and again.target_name == "class"
    assert again.features.dtype == np.float32 and again.target.dtype == np.int64


def test_regression_csv_round_trip(diabetes: Dataset) -> None:
    again = parse_dataset(dataset_to_csv(diabetes), fmt="csv", classification=False)
    assert again.class_labels is None
    assert np.array_equal(again.target, diabetes.target)
    assert np.array_equal(again.features, diabetes.features)


def test_arff_nominal_features_become_indices_and_target_keeps_declared_order() -> None:
    data = parse_dataset(ARFF.encode(), fmt="arff", classification=True)
    assert data.feature_names == ("outlook", "temperature", "windy")
    assert data.features.tolist() == [[0, 85, 1], [1, 83, 1], [2, 70, 0]]
    assert data.class_labels == ("yes", "no")  # declaration order, not sorted
    assert data.target.tolist() == [1, 0, 1]


def test_class_order_is_numeric_when_labels_are_numbers() -> None:
    text = b"x,y\n1,10\n2,2\n3,1\n"
    assert parse_dataset(text, fmt="csv", classification=True).class_labels == ("1", "2", "10")
    text = b"x,y\n1,b\n2,a\n3,c\n"
    assert parse_dataset(text, fmt="csv", classification=True).class_labels == ("a", "b", "c")


def test_test_set_is_read_with_the_training_class_order() -> None:
    test = parse_dataset(b"x,y\n1,b\n2,a\n", fmt="csv", classification=True, class_labels=("b", "a"))
    assert test.class_labels == ("b", "a")
    assert test.target.tolist() == [0, 1]
    # A label the training set never had is not a class any model could predict.
    with pytest.raises(DatasetError, match="'z' is not a training class"):
        parse_dataset(b"x,y\n1,b\n2,z\n", fmt="csv", classification=True, class_labels=("b", "a"))


@pytest.mark.parametrize(
    ("text", "fmt", "classification", "message"),
    [
        ("", "csv", True, "empty"),
        ("   \n\n", "csv", True, "empty"),
        ("a,b\n", "csv", True, "no data rows"),
        ("a,b\n1,2\n3\n", "csv", True, "row 2 has 1 fields, the header has 2"),
        ("a,b\nred,1\n", "csv", True, "'a': row 1 holds 'red', not a number"),
        ("a,b\n1,\n", "csv", True, "row 1 is missing a label"),
        ("a,b\n?,1\n", "csv", True, "row 1 is missing a value"),
        ("a,b\nnan,1\n", "csv", True, "not finite"),
        ("a,b\n1e39,1\n", "csv", True, "too large for float32"),
        ("a,b\n1,x\n", "csv", False, "'b': row 1 holds 'x', not a number"),
        ("a\n1\n", "csv", True, "at least one feature"),
        ("a,a,b\n1,2,3\n", "csv", True, "repeats a column name"),
        (ARFF, "arff", False, "regression metric needs a numeric target"),
        (
            "@relation r\n@attribute s string\n@attribute y {a,b}\n@data\n'x',a\n",
            "arff",
            True,
            "string",
        ),
        (
            "@relation r\n@attribute a numeric\n@attribute y {a,b}\n@data\n?,a\n",
            "arff",
            True,
            "missing",
        ),
        ("@relation r\n@data\n1,2\n", "arff", True, "ARFF"),
        ("a,b\n1,2\n", "json", True, "unknown dataset format"),
        ('a,b\n"1,2\n', "csv", True, "not a valid CSV file"),
    ],
)
def test_schema_errors_are_one_clear_user_error(text: str, fmt: str, classification: bool, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        parse_dataset(text.encode(), fmt=fmt, classification=classification)
    assert "\n" not in str(info.value)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        load_dataset(tmp_path / "missing.csv", classification=True)
    (tmp_path / "data.txt").write_text("a,b\n1,2\n")
    with pytest.raises(UserError, match="unknown dataset format"):
        load_dataset(tmp_path / "data.txt", classification=True)
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UserError, match=r"bad\.csv: dataset is not UTF-8"):
        load_dataset(tmp_path / "bad.csv", classification=True)


def test_arff_file_loads(tmp_path: Path) -> None:
    (tmp_path / "weather.arff").write_text(ARFF)
    assert load_dataset(tmp_path / "weather.arff", classification=True).n_rows == 3


def _rows(data: Dataset) -> set[tuple[float, ...]]:
    return {(*features.tolist(), float(target)) for features, target in zip(data.features, data.target, strict=True)}


def test_split_is_stratified_disjoint_and_reproducible() -> None:
    wine = bundled("wine")
    train, test = split_dataset(wine, 0.25, seed=7)
    assert train.n_rows + test.n_rows == wine.n_rows
    assert _rows(train).isdisjoint(_rows(test))  # wine has no duplicate rows
    assert _rows(train) | _rows(test) == _rows(wine)
    for label in range(3):
        share = np.mean(test.target == label) - np.mean(wine.target == label)
        assert abs(share) < 0.03
    again, _ = split_dataset(wine, 0.25, seed=7)
    assert np.array_equal(again.features, train.features)
    other, _ = split_dataset(wine, 0.25, seed=8)
    assert not np.array_equal(other.features, train.features)
    assert train.class_labels == test.class_labels == wine.class_labels


def test_split_regression_and_bad_fractions(diabetes: Dataset) -> None:
    train, test = split_dataset(diabetes, 0.2, seed=0)
    assert test.n_rows == 89 and train.n_rows == 353
    for fraction in (0.0, 1.0, -0.5, 1.5):
        with pytest.raises(UserError, match="strictly between 0 and 1"):
            split_dataset(diabetes, fraction, seed=0)


def test_split_refuses_a_class_too_small_to_stratify() -> None:
    data = parse_dataset(b"x,y\n1,a\n2,a\n3,a\n4,b\n", fmt="csv", classification=True)
    with pytest.raises(UserError, match="cannot split"):
        split_dataset(data, 0.5, seed=0)
