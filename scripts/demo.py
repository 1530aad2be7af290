"""`ape run demo`: a whole Proof-of-Learning competition on the connected network
(the embedded chain by default)."""

from __future__ import annotations

import ape
from ape.logging import logger
from rich.console import Console

from wekacoin_offchain import demo


def main() -> None:
    logger.set_level("WARNING")  # the competition prints what happened itself
    demo.run(ape.chain, ape.accounts.test_accounts, Console())
