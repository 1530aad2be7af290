from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.anvil import Anvil, running_anvil

# A deployer, a supplier, six trainers and five validators: ape's 16 test accounts, all
# of which anvil must fund with ether (it funds 10 unless told).
TEST_ACCOUNTS = 16


@pytest.fixture(scope="module")
def anvil() -> Iterator[Anvil]:
    """A real anvil node on a free loopback port, automining, with every test account funded."""
    with running_anvil(TEST_ACCOUNTS) as node:
        yield node
