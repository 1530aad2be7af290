"""`wekacoin store`: add, get and pin content by CID, with the words and output of `ipfs`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from wekacoin_offchain.commands.options import Group, api_option, store_dir_option
from wekacoin_offchain.storage import (
    IPFS_API_ENV,
    ContentStore,
    KuboRpcStore,
    StorageError,
    open_content_store,
)


@click.group(name="store", cls=Group)
@store_dir_option()
@api_option(f"Use an IPFS daemon's RPC API instead, e.g. /ip4/127.0.0.1/tcp/5001 (or ${IPFS_API_ENV}).")
@click.pass_context
def store(ctx: click.Context, store_dir: Path | None, api: str | None) -> None:
    """Content store: add, get and pin files by CID.

    The words and output are those of `ipfs add`, `ipfs cat` and `ipfs pin add`.
    """
    if store_dir is not None and api is not None:
        raise click.UsageError("--store-dir and --api name different stores: give one")
    content_store = open_content_store(store_dir=store_dir, api=api)
    if isinstance(content_store, KuboRpcStore):
        ctx.call_on_close(content_store.close)
    ctx.obj = content_store


@store.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--cid-version",
    type=click.IntRange(0, 1),
    default=1,
    show_default=True,
    help="0: plain `ipfs add` (Qm...); 1: `ipfs add --cid-version 1` (raw leaves, base32).",
)
@click.option("--only-hash", "-n", is_flag=True, help="Only compute the CID; store nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Print the CID alone.")
@click.pass_obj
def add(content_store: ContentStore, file: Path, cid_version: int, only_hash: bool, quiet: bool) -> None:
    """Add FILE; print `added <cid> <name>` as `ipfs add` does."""
    cid = content_store.add_file(file, cid_version=cid_version, only_hash=only_hash)
    click.echo(cid if quiet else f"added {cid} {file.name}")


@store.command("get")
@click.argument("cid")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (complete or not at all) instead of standard output.",
)
@click.pass_obj
def get(content_store: ContentStore, cid: str, output: Path | None) -> None:
    """Write the content of CID to standard output or a file.

    To standard output it is `ipfs cat`.
    """
    chunks = content_store.open(cid)
    if output is None:
        stdout = click.get_binary_stream("stdout")
        for chunk in chunks:
            stdout.write(chunk)
        stdout.flush()
        return
    # Blocks are verified as they stream: write beside the target and rename at the end,
    # so a block found missing or corrupted halfway leaves no half-written file behind.
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    try:
        handle = partial.open("wb")
    except OSError as exc:
        raise StorageError(f"cannot write {output}: {exc.strerror}") from None
    try:
        with handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


@store.command("pin")
@click.argument("cid")
@click.pass_obj
def pin(content_store: ContentStore, cid: str) -> None:
    """Pin CID and everything under it.

    Prints `pinned <cid> recursively` as `ipfs pin add` does.
    """
    click.echo(f"pinned {content_store.pin(cid)} recursively")


COMMANDS: list[click.Command] = [store]
