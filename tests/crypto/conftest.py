"""Contracts and keys shared by the cryptography tests.

Each test module gets a fresh boa environment; the verifier and the module harnesses are
stateless, so one deployment per module serves every test in it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boa
import pytest

from wekacoin_offchain.crypto import SecretKey, public_key_bytes
from wekacoin_offchain.paths import PROJECT_ROOT

REPOSITORY = PROJECT_ROOT
HARNESS = Path(__file__).resolve().parent / "harness"


def deterministic_key(label: int) -> SecretKey:
    """A reproducible key: KeyGen on ``sha256(label)``."""
    return SecretKey.from_seed(hashlib.sha256(b"wekacoin-test-key-%d" % label).digest())


@pytest.fixture(scope="module")
def fresh_env() -> Iterator[boa.Env]:
    env = boa.Env()
    with boa.swap_env(env):
        yield env


@pytest.fixture(scope="module")
def verifier(fresh_env: boa.Env) -> Any:
    return boa.load(str(REPOSITORY / "contracts" / "BLSVerifier.vy"))


@pytest.fixture(scope="module")
def merkle_harness(fresh_env: boa.Env) -> Any:
    return boa.load(str(HARNESS / "chunk_merkle_harness.vy"))


@pytest.fixture(scope="module")
def sortition_harness(fresh_env: boa.Env) -> Any:
    return boa.load(str(HARNESS / "sortition_harness.vy"))


@pytest.fixture(scope="session")
def keys() -> list[tuple[SecretKey, bytes]]:
    """Eight validators' keys and their encoded public keys."""
    return [(key, public_key_bytes(key)) for key in map(deterministic_key, range(8))]
