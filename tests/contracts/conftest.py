from __future__ import annotations

from collections.abc import Iterator

import boa
import pytest

from tests.fixtures.actors import Protocol
from tests.fixtures.boa_chain import deploy_on_boa


@pytest.fixture(scope="module")
def protocol() -> Iterator[Protocol]:
    """A fresh deployment per test module, with a supplier and three trainers funded."""
    with boa.env.anchor():
        holder = boa.env.generate_address()
        deployment = deploy_on_boa(boa.env.generate_address(), holder=holder)
        yield Protocol(deployment=deployment, holder=holder)


@pytest.fixture(autouse=True)
def _rollback_after_each_test() -> Iterator[None]:
    # Every test starts from the module's deployment: state changes are undone.
    with boa.env.anchor():
        yield


@pytest.fixture
def supplier(protocol: Protocol) -> str:
    return protocol.new_account()


@pytest.fixture
def trainers(protocol: Protocol) -> list[str]:
    return [protocol.new_account() for _ in range(3)]
