"""IPFS across nodes: three js-ipfs daemons on loopback, connected to each other.

What a trainer adds to its own node, a validator on another node reads through its own
node's RPC (the Kubo client, every block verified), fetched over bitswap.
"""

from __future__ import annotations

import pytest

from tests.storage.golden import golden_input
from wekacoin_offchain.storage import CHUNK_SIZE, KuboRpcStore, LocalBlockStore
from wekacoin_offchain.storage.jsipfs import JsIpfsDaemon

pytestmark = pytest.mark.ipfs


def test_the_nodes_are_distinct_and_connected(ipfs_nodes: list[JsIpfsDaemon]) -> None:
    identities = [node.identity() for node in ipfs_nodes]
    assert len({peer for peer, _ in identities}) == len(ipfs_nodes) == 3
    assert all(address.startswith("/ip4/127.0.0.1/tcp/") for _, address in identities)
    assert len({node.api for node in ipfs_nodes}) == 3


@pytest.mark.parametrize("version", [0, 1])
def test_a_file_added_on_one_node_is_read_through_another(ipfs_nodes: list[JsIpfsDaemon], version: int) -> None:
    data = golden_input(3 * CHUNK_SIZE + 17, b"across nodes %d" % version)
    trainer, validator, auditor = ipfs_nodes
    with KuboRpcStore(trainer.api) as own:
        cid = own.add_bytes(data, cid_version=version)
    assert cid == LocalBlockStore("/nonexistent-never-written").add_bytes(data, cid_version=version, only_hash=True)
    for reader in (validator, auditor):
        with KuboRpcStore(reader.api, fetch_timeout=30.0) as other:
            assert other.cat(cid, max_size=len(data)) == data
