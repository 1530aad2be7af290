"""Subcommands of `wekacoin`, one module per area; `register` adds them to the group."""

from __future__ import annotations

import importlib

import click

# Each module exposes `COMMANDS`: a list of click commands or groups to add at top level.
_MODULES = (
    "wekacoin_offchain.commands.store",
    "wekacoin_offchain.commands.ml",
    "wekacoin_offchain.commands.chain",
    "wekacoin_offchain.commands.audit",
    "wekacoin_offchain.commands.roles",
)


def register(group: click.Group) -> None:
    for name in _MODULES:
        module = importlib.import_module(name)
        for command in module.COMMANDS:
            group.add_command(command)
