"""Session-wide test set-up."""

from __future__ import annotations

from typing import Any

from boa.contracts.vyper.vyper_contract import VyperContract

from tests.fixtures.ipfs import ipfs_daemon, ipfs_nodes, kubo_store

__all__ = ["ipfs_daemon", "ipfs_nodes", "kubo_store"]  # real IPFS daemons, as fixtures for every test directory

_debug_frame = VyperContract.debug_frame


def _debug_frame_tolerating_garbage(self: VyperContract, computation: Any = None) -> Any:
    # titanoboa 0.2.8 decodes every local of the reverting frame to show it in the
    # error, including string locals not yet written, whose memory may hold any bytes;
    # the decode then raises UnicodeDecodeError and hides the revert reason. The
    # frame's locals are a debugging aid only, so drop them when they cannot be shown.
    try:
        return _debug_frame(self, computation)
    except UnicodeDecodeError:
        return None


VyperContract.debug_frame = _debug_frame_tolerating_garbage  # type: ignore[method-assign]
