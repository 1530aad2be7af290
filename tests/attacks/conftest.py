"""Fixtures of the attack tests: a fresh deployment per module, every test rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import deploy_on_boa


@pytest.fixture(scope="module")
def protocol() -> Iterator[Protocol]:
    """The default parameters (weights from bonds until storage is certified)."""
    with boa.env.anchor():
        holder = boa.env.generate_address()
        yield Protocol(deployment=deploy_on_boa(holder, holder=holder), holder=holder)


@pytest.fixture(autouse=True)
def _rollback_after_each_test() -> Iterator[None]:
    with boa.env.anchor():
        yield
