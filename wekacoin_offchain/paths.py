"""Where the repository is: the one lookup of the project root.

The package is installed in editable mode from the repository, whose root holds the ape
project (ape-config.yaml, contracts/) and node_modules/ (anvil, js-ipfs).
"""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The repository root: the parent of the `wekacoin_offchain` package."""
