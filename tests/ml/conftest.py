"""Real datasets bundled with scikit-learn (no downloads) as WekaCoin datasets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sklearn import datasets as sk_datasets

from wekacoin_offchain.ml.datasets import Dataset

_LOADERS: dict[str, tuple[Callable[..., object], bool]] = {
    "iris": (sk_datasets.load_iris, True),
    "wine": (sk_datasets.load_wine, True),
    "breast_cancer": (sk_datasets.load_breast_cancer, True),
    "digits": (sk_datasets.load_digits, True),
    "diabetes": (sk_datasets.load_diabetes, False),
}


def bundled(name: str) -> Dataset:
    """A bundled scikit-learn dataset; class labels are the original class numbers."""
    loader, classification = _LOADERS[name]
    bunch = loader()
    features = np.asarray(bunch.data, dtype=np.float32)  # type: ignore[attr-defined]
    target = np.asarray(bunch.target)  # type: ignore[attr-defined]
    names = tuple(str(n) for n in getattr(bunch, "feature_names", range(features.shape[1])))
    if classification:
        labels = tuple(str(c) for c in sorted(set(target.tolist())))
        return Dataset(features, target.astype(np.int64), names, "class", labels)
    return Dataset(features, target.astype(np.float64), names, "target", None)


@pytest.fixture(scope="session")
def iris() -> Dataset:
    return bundled("iris")


@pytest.fixture(scope="session")
def diabetes() -> Dataset:
    return bundled("diabetes")


@pytest.fixture(scope="session")
def breast_cancer() -> Dataset:
    return bundled("breast_cancer")
