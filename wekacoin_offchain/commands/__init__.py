"""Subcommands of `wekacoin`, one module per group as users type them.

Each module exposes `COMMANDS`, the click commands or groups it adds at top level;
`wekacoin --help` lists them in the order of `GROUPS`. A new group is one line here.
Options several commands share, and their help, are defined once in `options`.
"""

from __future__ import annotations

import importlib

import click

GROUPS = (
    "wekacoin_offchain.commands.chain",  # node, deploy, transfer, withdraw, status
    "wekacoin_offchain.commands.supplier",
    "wekacoin_offchain.commands.trainer",
    "wekacoin_offchain.commands.validator",
    "wekacoin_offchain.commands.evaluate",
    "wekacoin_offchain.commands.store",
    "wekacoin_offchain.commands.audit",
)


def register(group: click.Group) -> None:
    for name in GROUPS:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            group.add_command(command)
