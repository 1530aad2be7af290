"""Attack: a large dataset exhausts the validators' memory while it is parsed.

Parsing ran outside the sandbox and built a Python string per cell: a CSV took about 12
to 18 times its size in memory (12 times for this 6.6 MB file), so a supplier publishing
a file of a few GB took down every validator whose machine had less than 18 times that
(cost: the file's storage). Now CSV is parsed in one streaming pass straight into arrays,
holding less than the file's own size beside it, and files above MAX_DATASET_SIZE are
refused before parsing.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from wekacoin_offchain.limits import MAX_DATASET_SIZE
from wekacoin_offchain.ml.datasets import Dataset, DatasetError, dataset_to_csv, parse_dataset


def _wide_csv() -> bytes:
    rng = np.random.default_rng(0)
    n_rows, n_features = 20_000, 30
    dataset = Dataset(
        rng.normal(size=(n_rows, n_features)).astype(np.float32),
        (np.arange(n_rows) % 3).astype(np.int64),
        tuple(f"f{i}" for i in range(n_features)),
        "class",
        ("a", "b", "c"),
    )
    return dataset_to_csv(dataset)


@pytest.mark.parametrize("classification", [True, False])
def test_parsing_holds_less_than_the_file_beside_it(classification: bool) -> None:
    data = _wide_csv()
    if not classification:
        data = data.replace(b",a\n", b",1\n").replace(b",b\n", b",2\n").replace(b",c\n", b",3\n")
    tracemalloc.start()
    try:
        parsed = parse_dataset(data, fmt="csv", classification=classification)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.n_rows == 20_000
    assert peak < len(data), f"parsing took {peak / len(data):.1f} times the file's size"


def test_a_file_above_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(DatasetError, match="above the protocol's cap"):
        parse_dataset(b"\n" * (MAX_DATASET_SIZE + 1), fmt="csv", classification=True)
