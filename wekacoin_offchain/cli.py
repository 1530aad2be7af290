"""The `wekacoin` command: one click group, each area's subcommands in `commands/`."""

from __future__ import annotations

import sys
import warnings

import click

from wekacoin_offchain.commands.options import Group
from wekacoin_offchain.errors import UserError


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wekacoin-offchain")
def cli() -> None:
    """WekaCoin: Proof-of-Learning on an EVM chain."""


def _register_commands() -> None:
    # Imported here so that `wekacoin --help` stays fast and each area owns its module.
    from wekacoin_offchain.commands import register

    register(cli)


def main() -> None:
    """Entry point: user mistakes become one line on stderr and exit code 2."""
    # ape-vyper's import makes pydantic-settings warn about one of its own fields; it
    # says nothing to a WekaCoin user.
    warnings.filterwarnings("ignore", message="Field 'import_remapping' has an incomplete definition")
    _register_commands()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
