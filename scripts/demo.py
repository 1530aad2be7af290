"""`ape run demo`: one task's life on the connected network (embedded chain by default)."""

from __future__ import annotations

import ape
from ape.logging import logger
from rich.console import Console

from wekacoin_offchain.agents import walkthrough


def main() -> None:
    logger.set_level("WARNING")  # the walkthrough prints what happened itself
    walkthrough.run(ape.chain, ape.accounts.test_accounts, Console())
