# pragma version ~=0.4.3
"""
@title Chunk Merkle tree of proof-of-storage
@custom:contract-name chunk_merkle
@license MIT
@notice Internal pure functions that check a storage challenge answer (docs/protocol.md
        §7.3): a chunk of a registered object and its Merkle path. Twin of
        `wekacoin_offchain/crypto/merkle.py`; docs/sortition.md explains the layout.
@dev An object of `size` bytes is cut into `CHUNK_SIZE`-byte chunks (the last may be
     short; the empty object is one empty chunk). leaf = keccak256(0x00 || chunk),
     node = keccak256(0x01 || left || right); leaves are padded on the right with
     bytes32(0) to 2**depth, so every path has exactly depth siblings and the index
     bits pick each sibling's side. depth <= MAX_DEPTH bounds objects to
     CHUNK_SIZE * 2**32 bytes (4 TiB). The registered root binds the size:
     root = keccak256(0x02 || uint256(size) || tree_root), so an overstated size
     fails every challenge.
"""


# @dev Bytes per chunk: one chunk rides in the challenge answer's calldata.
CHUNK_SIZE: constant(uint256) = 1_024
# @dev Longest path: trees of at most 2**32 chunks.
MAX_DEPTH: constant(uint256) = 32
MAX_CHUNKS: constant(uint256) = 1 << MAX_DEPTH
MAX_OBJECT_SIZE: constant(uint256) = CHUNK_SIZE * MAX_CHUNKS

LEAF_TAG: constant(bytes1) = 0x00
NODE_TAG: constant(bytes1) = 0x01
ROOT_TAG: constant(bytes1) = 0x02


@internal
@pure
def _num_chunks(size: uint256) -> uint256:
    """
    @dev Chunks of an object of `size` bytes; the empty object has one.
    @param size The object's size in bytes.
    @return uint256 ceil(size / CHUNK_SIZE), at least 1.
    """
    if size == 0:
        return 1
    return (size + CHUNK_SIZE - 1) // CHUNK_SIZE


@internal
@pure
def _verify_chunk(
    root: bytes32, size: uint256, index: uint256, chunk: Bytes[CHUNK_SIZE], path: DynArray[bytes32, MAX_DEPTH]
) -> bool:
    """
    @dev Whether `chunk` is chunk `index` of the object committed to by
         (`root`, `size`). The index must exist, the chunk must have exactly its
         expected length (CHUNK_SIZE, or the remainder for the last chunk), and the
         path exactly depth = ceil(log2(num_chunks)) siblings, leaf level first.
    @param root The object's registered (size-bound) root.
    @param size The object's registered size in bytes.
    @param index The challenged chunk.
    @param chunk The chunk's bytes.
    @param path The sibling hashes from the leaf's level up to the root's children.
    @return True iff the path leads from the chunk's leaf to the tree root and
            that, bound to `size`, is `root`.
    """
    if size > MAX_OBJECT_SIZE:
        return False
    chunk_count: uint256 = self._num_chunks(size)
    if index >= chunk_count:
        return False
    if len(chunk) != min(CHUNK_SIZE, size - index * CHUNK_SIZE):
        return False
    # depth is the least d with 2**d >= chunk_count.
    depth: uint256 = len(path)
    if chunk_count > 1 << depth:
        return False
    if depth != 0 and chunk_count <= 1 << (depth - 1):
        return False

    node: bytes32 = keccak256(concat(LEAF_TAG, chunk))
    position: uint256 = index
    for sibling: bytes32 in path:
        if position & 1 == 0:
            node = keccak256(concat(NODE_TAG, node, sibling))
        else:
            node = keccak256(concat(NODE_TAG, sibling, node))
        position >>= 1
    return keccak256(concat(ROOT_TAG, convert(size, bytes32), node)) == root


@internal
@pure
def _challenge_index(seed: bytes32, validator: address, object_id: uint256, chunk_count: uint256) -> uint256:
    """
    @dev The chunk a validator must show for an object this round:
         uint256(keccak256(abi_encode(seed, validator, object_id))) % chunk_count.
         The seed changes every round and attempt, so answers cannot be replayed;
         the validator's address makes each validator answer for its own chunk.
    @param seed The seed of the round attempt.
    @param validator The challenged validator.
    @param object_id The challenged object.
    @param chunk_count The object's number of chunks (not zero).
    @return uint256 The chunk index.
    """
    return convert(keccak256(abi_encode(seed, validator, object_id)), uint256) % chunk_count
