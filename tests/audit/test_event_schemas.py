"""The audit's Python mirrors of the contracts, checked against the compiled contracts.

`audit/events.py` declares, for every event the audit reads, the fields it takes from
the log; `consensus.payouts.CreditReason` mirrors the ledger's CREDIT_* reasons. Both
are written by hand, so a renamed, retyped or renumbered field in a contract would
otherwise only show as a wrong audit.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import cache
from typing import Any

import pytest
from vyper.compiler.output import build_abi_output

from tests.fixtures.boa_chain import CONTRACTS, contract_deployer
from wekacoin_offchain.audit.events import EVENT_TYPES, ChainEvent
from wekacoin_offchain.consensus import CreditReason

# The ABI types a field's Python annotation may come from.
COMPATIBLE = {
    "int": re.compile(r"u?int\d+"),
    "str": re.compile(r"address|string"),
    "bytes": re.compile(r"bytes\d*"),
    "bool": re.compile(r"bool"),
    "tuple[str, ...]": re.compile(r"address\[\]"),
    "tuple[RankedModel, ...]": re.compile(r"tuple\[\]"),  # (model_id, genuine, score) structs
    "tuple[ObjectRoot, ...]": re.compile(r"tuple\[\]"),  # (object_id, size, merkle_root) structs
}
POSITION = {field.name for field in fields(ChainEvent)}  # block and log index: not in the log's data


@cache
def abi_events() -> dict[str, dict[str, Any]]:
    """Every event of ProofOfLearning and the Committee, by name, as the compiler emits it."""
    events: dict[str, dict[str, Any]] = {}
    for contract in ("ProofOfLearning", "Committee"):
        for entry in build_abi_output(contract_deployer(contract).compiler_data):
            if entry["type"] == "event":
                assert events.get(entry["name"], entry) == entry, f"two schemas for {entry['name']}"
                events[entry["name"]] = entry
    return events


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_each_audited_event_matches_the_compiled_abi(name: str) -> None:
    assert name in abi_events(), f"{name} is not an event of ProofOfLearning or the Committee"
    inputs = {entry["name"]: entry["type"] for entry in abi_events()[name]["inputs"]}
    for field in fields(EVENT_TYPES[name]):
        if field.name in POSITION:
            continue
        assert field.name in inputs, f"{name}.{field.name} is not in the event (it has {sorted(inputs)})"
        assert COMPATIBLE[str(field.type)].fullmatch(inputs[field.name]), (
            f"{name}.{field.name}: {field.type} cannot hold the ABI type {inputs[field.name]}"
        )


def test_the_ranking_entries_of_round_finalized_are_model_genuine_score() -> None:
    (ranking,) = [entry for entry in abi_events()["RoundFinalized"]["inputs"] if entry["name"] == "ranking"]
    assert [(c["name"], c["type"]) for c in ranking["components"]] == [
        ("model_id", "uint256"),
        ("genuine", "bool"),
        ("score", "int256"),
    ]


def test_credit_reasons_mirror_the_ledger() -> None:
    source = (CONTRACTS / "modules" / "ledger.vy").read_text()
    reasons = {
        name: int(value) for name, value in re.findall(r"^CREDIT_(\w+): constant\(uint8\) = (\d+)", source, re.M)
    }
    # The Python names say what the credit is for; the contract's say where it comes from.
    python_name = {
        "HOSTING_FEE": "HOSTING_SHARE",
        "FORFEITED_FEES": "FORFEITED_SHARE",
        "HOSTING_FEE_RETURNED": "HOSTING_RETURNED",
    }
    assert {python_name.get(name, name): value for name, value in reasons.items()} == {
        reason.name: int(reason) for reason in CreditReason
    }
