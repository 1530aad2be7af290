"""`ape run deploy`: deploy WekaCoin and ProofOfLearning on the connected network.

Uses the first test account on a local network; elsewhere pass `--account ALIAS` for an
account imported with `ape accounts import`.
"""

from __future__ import annotations

import ape
import click
from ape.cli import ConnectedProviderCommand, network_option

from wekacoin_offchain.chain import deploy_contracts


@click.command(cls=ConnectedProviderCommand)
@network_option()
@click.option("--account", "alias", default=None, help="Alias of an ape account (default: the first test account).")
def cli(alias: str | None) -> None:
    deployer = ape.accounts.load(alias) if alias else ape.accounts.test_accounts[0]
    deployment = deploy_contracts(deployer)
    click.echo(f"WekaCoin        {deployment.token.address}")
    click.echo(f"ProofOfLearning {deployment.pol.address}")
    click.echo(f"Committee       {deployment.committee.address}")
    click.echo(f"genesis         {deployment.token.totalSupply()} wei to {deployer.address}")
