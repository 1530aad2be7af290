"""EIP-712 votes and the finalize payload."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_hash.auto import keccak
from eth_keys.constants import SECPK1_N
from eth_keys.main import KeyAPI

from wekacoin_offchain.consensus import (
    ConsensusResult,
    InvalidVoteSignature,
    RankedModel,
    finalize_payload,
    recover_voter,
    sign_vote,
    vote_digest,
    vote_typed_data,
)

from .builders import address

CHAIN_ID = 31337
CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
RESULT_HASH = keccak(b"a consensus result")
KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
SIGNER = Account.from_key(KEY).address


def _hand_digest(chain_id: int, contract: str, round_id: int, attempt: int, result_hash: bytes) -> bytes:
    """The digest written out from the EIP-712 definition, without eth-account."""
    domain_type = keccak(b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
    domain_separator = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [domain_type, keccak(b"WekaCoin Proof-of-Learning"), keccak(b"1"), chain_id, contract],
        )
    )
    vote_type = keccak(b"Vote(uint256 round_id,uint256 attempt,bytes32 result_hash)")
    struct_hash = keccak(
        encode(
            ["bytes32", "uint256", "uint256", "bytes32"],
            [vote_type, round_id, attempt, result_hash],
        )
    )
    return keccak(b"\x19\x01" + domain_separator + struct_hash)


def test_digest_matches_eth_account_and_the_eip712_definition() -> None:
    digest = vote_digest(CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)
    message = encode_typed_data(full_message=vote_typed_data(CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH))
    assert digest == keccak(b"\x19" + message.version + message.header + message.body)
    assert digest == _hand_digest(CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)


def test_a_signature_recovers_to_its_signer() -> None:
    signature = sign_vote(KEY, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)
    assert len(signature) == 65 and signature[64] in (27, 28)
    assert int.from_bytes(signature[32:64], "big") <= SECPK1_N // 2
    assert recover_voter(signature, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH) == SIGNER
    # The digest is what the contract's ecrecover sees.
    assert _ecrecover(vote_digest(CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH), signature) == SIGNER


def _ecrecover(digest: bytes, signature: bytes) -> str:
    """What the contract's ecrecover(digest, v, r, s) returns, through eth-keys."""
    r, s, v = (
        int.from_bytes(signature[:32], "big"),
        int.from_bytes(signature[32:64], "big"),
        signature[64],
    )
    key = KeyAPI.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    return key.to_checksum_address()


@pytest.mark.parametrize(
    ("chain_id", "contract", "round_id", "attempt", "result_hash"),
    [
        (CHAIN_ID, CONTRACT, 5, 2, RESULT_HASH),  # another round
        (CHAIN_ID, CONTRACT, 4, 3, RESULT_HASH),  # another attempt
        (CHAIN_ID, CONTRACT, 4, 2, keccak(b"another result")),
        (1, CONTRACT, 4, 2, RESULT_HASH),  # another chain
        (CHAIN_ID, address(1), 4, 2, RESULT_HASH),  # another contract
    ],
)
def test_a_signature_does_not_recover_for_another_vote(
    chain_id: int, contract: str, round_id: int, attempt: int, result_hash: bytes
) -> None:
    signature = sign_vote(KEY, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)
    assert recover_voter(signature, chain_id, contract, round_id, attempt, result_hash) != SIGNER


def test_signatures_the_contract_would_refuse_are_refused() -> None:
    signature = sign_vote(KEY, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    high_s = r + (SECPK1_N - s).to_bytes(32, "big") + bytes([55 - v])  # the malleated twin
    for bad, message in [
        (signature[:64], "65 bytes"),
        (signature[:64] + bytes([v - 27]), "27 or 28"),
        (high_s, "lower half"),
        (bytes(32) + signature[32:], "does not recover"),
    ]:
        with pytest.raises(InvalidVoteSignature, match=message):
            recover_voter(bad, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH)


def test_finalize_payload_orders_signatures_by_signer() -> None:
    keys = [keccak(bytes([n])) for n in range(1, 5)]
    signatures = {Account.from_key(k).address: sign_vote(k, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH) for k in keys}
    result = ConsensusResult(
        round_id=4,
        attempt=2,
        task_id=9,
        task_valid=True,
        ranking=(RankedModel(2, True, 10), RankedModel(1, False, 0)),
        genuine_members=tuple(sorted(signatures, key=lambda a: int(a, 16))),
        usable=(),
        discarded=(),
    )
    payload = finalize_payload(result, signatures)
    signers = [recover_voter(s, CHAIN_ID, CONTRACT, 4, 2, RESULT_HASH) for s in payload.signatures]
    assert signers == sorted(signatures, key=lambda a: int(a, 16))
    assert payload.as_args() == (
        4,
        True,
        [(2, True, 10), (1, False, 0)],
        list(result.genuine_members),
        list(payload.signatures),
    )
