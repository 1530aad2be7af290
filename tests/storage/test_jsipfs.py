"""The js-ipfs launcher: a loopback-only configuration, and a clear message without npm ci."""

from __future__ import annotations

from pathlib import Path

import pytest

from wekacoin_offchain.storage import StoreUnavailableError
from wekacoin_offchain.storage.jsipfs import (
    POLYFILL,
    JsIpfsDaemon,
    find_project_root,
    loopback_only,
)

JS_IPFS_DEFAULTS = {
    "Addresses": {
        "Swarm": ["/ip4/0.0.0.0/tcp/4002", "/ip4/127.0.0.1/tcp/4003/ws"],
        "API": "/ip4/127.0.0.1/tcp/5002",
        "Gateway": "/ip4/127.0.0.1/tcp/9090",
        "RPC": "/ip4/127.0.0.1/tcp/5003",
        "Delegates": ["/dns4/node0.delegate.ipfs.io/tcp/443/https"],
    },
    "Discovery": {"MDNS": {"Enabled": True, "Interval": 10}, "webRTCStar": {"Enabled": True}},
    "Bootstrap": ["/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN"],
    "Pubsub": {"Router": "gossipsub", "Enabled": True},
    "Swarm": {"DisableNatPortMap": False},
    "Routing": {"Type": "dhtclient"},
    "Identity": {"PeerID": "12D3KooW..."},
}


def test_config_listens_on_loopback_only_and_calls_no_one() -> None:
    config = loopback_only(JS_IPFS_DEFAULTS)
    addresses = config["Addresses"]
    listening = [*addresses["Swarm"], addresses["API"], addresses["Gateway"]]
    assert all(address.startswith("/ip4/127.0.0.1/tcp/") for address in listening)
    assert "RPC" not in addresses and addresses["Delegates"] == []
    assert config["Bootstrap"] == []
    assert not config["Discovery"]["MDNS"]["Enabled"] and not config["Discovery"]["webRTCStar"]["Enabled"]
    assert config["Routing"] == {"Type": "none"}
    assert config["Swarm"]["DisableNatPortMap"] and not config["Pubsub"]["Enabled"]
    assert config["Identity"] == JS_IPFS_DEFAULTS["Identity"]
    assert JS_IPFS_DEFAULTS["Bootstrap"]  # the input is left alone


def test_without_node_modules_the_message_says_npm_ci(tmp_path: Path) -> None:
    (tmp_path / POLYFILL).parent.mkdir(parents=True)
    (tmp_path / POLYFILL).write_text("")
    with pytest.raises(StoreUnavailableError, match="npm ci"):
        find_project_root(tmp_path)
    with pytest.raises(StoreUnavailableError, match="npm ci"):
        JsIpfsDaemon(tmp_path).start()


def test_the_repository_is_found_from_anywhere_inside_it() -> None:
    root = find_project_root(Path(__file__).parent)
    assert (root / "package.json").is_file()
