# pragma version ~=0.4.3
"""
@title Test harness exposing the chunk_merkle module's internal functions
"""

from ....contracts.modules import chunk_merkle


@external
@pure
def num_chunks(size: uint256) -> uint256:
    return chunk_merkle._num_chunks(size)


@external
@pure
def verify_chunk(
    root: bytes32,
    size: uint256,
    index: uint256,
    chunk: Bytes[chunk_merkle.CHUNK_SIZE],
    path: DynArray[bytes32, chunk_merkle.MAX_DEPTH],
) -> bool:
    return chunk_merkle._verify_chunk(root, size, index, chunk, path)


@external
@pure
def challenge_index(seed: bytes32, validator: address, object_id: uint256, chunk_count: uint256) -> uint256:
    return chunk_merkle._challenge_index(seed, validator, object_id, chunk_count)
