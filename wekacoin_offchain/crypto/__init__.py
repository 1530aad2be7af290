"""Sortition cryptography: BLS VRF and proofs of possession, the storage chunk tree, selection.

Everything here has an on-chain twin (``contracts/BLSVerifier.vy``,
``contracts/modules/chunk_merkle.vy``, ``contracts/modules/sortition.vy``) that the tests
hold to the same answers; ``docs/sortition.md`` documents every choice.
"""

from wekacoin_offchain.crypto.bls import (
    POSSESSION_DST,
    SIGNATURE_DST,
    SecretKey,
    hash_to_g1,
    possession_message,
    prove_possession,
    public_key_bytes,
    sign,
    verify,
    verify_possession,
)
from wekacoin_offchain.crypto.eip2537 import InvalidEncoding
from wekacoin_offchain.crypto.merkle import (
    CHUNK_SIZE,
    MAX_DEPTH,
    MAX_OBJECT_SIZE,
    ChunkProof,
    ObjectCommitment,
    challenge_index,
    chunk_proof,
    merkle_root,
    num_chunks,
    object_commitment,
    verify_chunk,
)
from wekacoin_offchain.crypto.sortition import (
    BPS,
    capped_weight,
    expected_committee_size_bps,
    expected_size_bps,
    is_selected,
    quorum,
    selection_probability,
)
from wekacoin_offchain.crypto.vrf import VrfProof, vrf_message, vrf_output, vrf_prove, vrf_verify

__all__ = [
    "BPS",
    "CHUNK_SIZE",
    "MAX_DEPTH",
    "MAX_OBJECT_SIZE",
    "POSSESSION_DST",
    "SIGNATURE_DST",
    "ChunkProof",
    "InvalidEncoding",
    "ObjectCommitment",
    "SecretKey",
    "VrfProof",
    "capped_weight",
    "challenge_index",
    "chunk_proof",
    "expected_committee_size_bps",
    "expected_size_bps",
    "hash_to_g1",
    "is_selected",
    "merkle_root",
    "num_chunks",
    "object_commitment",
    "possession_message",
    "prove_possession",
    "public_key_bytes",
    "quorum",
    "selection_probability",
    "sign",
    "verify",
    "verify_chunk",
    "verify_possession",
    "vrf_message",
    "vrf_output",
    "vrf_prove",
    "vrf_verify",
]
