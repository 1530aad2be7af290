"""A `wekacoin ... run` loop outlives its node: anvil stopped and restarted from its state.

Before issue 14 the first step after the node went away ended the loop with a traceback
(`validator run` alike), and the task whose test set the supplier was to release burned.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import pytest

from tests.cli.conftest import Cli
from tests.e2e.test_competition_processes import Agent, accounts_of, fund, wait_for
from tests.fixtures.anvil import Anvil, running_anvil
from wekacoin_offchain.chain.connection import DeploymentRecord
from wekacoin_offchain.demo import DEMO_PARAMETERS, breast_cancer_csv

pytestmark = pytest.mark.slow

SUPPLIER = 1
TRAINING_BLOCKS = 10


def last_transaction_from(anvil: Anvil, sender: str) -> dict[str, str]:
    for number in range(anvil.height(), 0, -1):
        block = cast(dict[str, list[dict[str, str]]], anvil.rpc("eth_getBlockByNumber", hex(number), True))
        for transaction in reversed(block["transactions"]):
            if transaction["from"].lower() == sender.lower():
                return transaction
    raise AssertionError(f"no transaction from {sender}")


def test_supplier_run_survives_a_node_restart_and_later_releases(tmp_path: Path) -> None:
    with running_anvil(state=tmp_path / "anvil-state.json") as anvil:
        cli = Cli(tmp_path, anvil.url)
        (tmp_path / "data.csv").write_bytes(breast_cancer_csv())
        cli.ok("deploy", *(arg for name, value in DEMO_PARAMETERS.items() for arg in ("--param", f"{name}={value}")))
        record = DeploymentRecord.load(tmp_path / "wekacoin-data" / "deployment.json")
        addresses = accounts_of(anvil)
        fund(anvil, record.token, addresses[0], [addresses[SUPPLIER]], 1_000)
        published = cli.ok(
            "supplier", "publish", "data.csv", "--metric", "accuracy", "--reward", "10", "--hosting-fee", "10",
            "--training-blocks", str(TRAINING_BLOCKS), "--account", f"test:{SUPPLIER}", "--store-dir", "store",
        )  # fmt: skip
        release_height = int(re.search(r"released from block (\d+)", published).group(1))  # type: ignore[union-attr]
        supplier = Agent("supplier", ["supplier", "run", "--poll", "0.5", "--account", f"test:{SUPPLIER}",
                                      "--store-dir", "store"], cli)  # fmt: skip
        supplier.start()
        try:
            wait_for(lambda: "registered" in supplier.output(), 120, "the supplier to register its objects")

            anvil.stop()
            wait_for(lambda: "step failed" in supplier.output(), 60, "a failed step while the node is down")
            anvil.start()
            assert anvil.height() >= release_height - TRAINING_BLOCKS, "the node came back from its state file"

            anvil.mine(max(0, release_height - anvil.height()))
            wait_for(lambda: "test set released" in supplier.output(), 120, "the release after the restart")
            assert supplier.process.poll() is None, supplier.output()
            assert "Traceback" not in supplier.output(), supplier.output()
            release = last_transaction_from(anvil, addresses[SUPPLIER])
            receipt = cast(dict[str, str], anvil.rpc("eth_getTransactionReceipt", release["hash"]))
            assert int(release["gas"], 16) >= int(receipt["gasUsed"], 16) * 1.2, "sent with a margin over its estimate"
        finally:
            if supplier.process.poll() is None:
                supplier.kill()
