from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ape
import pytest

from wekacoin_offchain.chain import Deployment, deploy_contracts


@pytest.fixture(scope="module")
def ape_chain() -> Iterator[Any]:
    """ape's default local network (py-evm in process), as a user's `ape console` has it."""
    with ape.networks.ethereum.local.use_provider("test"):
        yield ape.chain


@pytest.fixture(scope="module")
def accounts(ape_chain: Any) -> Any:
    return ape.accounts.test_accounts


@pytest.fixture(scope="module")
def deployment(ape_chain: Any, accounts: Any) -> Deployment:
    deployment = deploy_contracts(accounts[0])
    for account in accounts[1:5]:
        deployment.token.transfer(account, 1_000 * 10**18, sender=accounts[0])
    return deployment


@pytest.fixture(autouse=True)
def _isolate(ape_chain: Any) -> Iterator[None]:
    # Each test starts from the module's deployment: the snapshot is restored after it.
    snapshot = ape_chain.snapshot()
    yield
    ape_chain.restore(snapshot)
