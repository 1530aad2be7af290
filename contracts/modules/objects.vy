# pragma version ~=0.4.3
"""
@title Stored objects: the datasets and models validators prove they hold
@custom:contract-name objects
@license MIT
@notice Proof-of-storage weight (docs/protocol.md §7.2) counts only WekaCoin data:
        a task's training set, baseline model and released test set, and revealed
        models. `tasks` and `models` note each such CID with the account that
        published it (`_note`); only that account may register the CID as an object,
        with its byte size and the size-bound root of its chunk tree
        (`chunk_merkle.vy`). One object per CID.
@dev The registrant is trusted for the root only as far as validators are: a wrong
     root or size makes every challenge on the object fail, so claiming it loses
     weight instead of gaining it.
"""

from . import cid
from . import chunk_merkle


struct StoredObject:
    cid_hash: bytes32
    size: uint256
    merkle_root: bytes32
    registrant: address


# @dev Emitted when `registrant` registers a stored object: its CID, size and
# size-bound chunk-tree root.
event ObjectRegistered:
    object_id: indexed(uint256)
    registrant: indexed(address)
    cid: String[128]
    size: uint256
    merkle_root: bytes32


# @dev For each keccak256(cid), the accounts that published it in a task or model.
known_cid: public(HashMap[bytes32, HashMap[address, bool]])
# @dev The number of objects ever registered; object ids run from 1 to `object_count`.
object_count: public(uint256)
# @dev Every object by id.
stored_object: public(HashMap[uint256, StoredObject])
# @dev The object registered for each keccak256(cid), 0 if none.
object_of_cid: public(HashMap[bytes32, uint256])


@internal
def _note(cid_: String[128], publisher: address):
    """
    @dev Records that `publisher` published `cid_` (a task's or model's data).
    @param cid_ The CID.
    @param publisher The account that published it.
    """
    self.known_cid[keccak256(cid_)][publisher] = True


@internal
def _register(registrant: address, cid_: String[128], size: uint256, merkle_root: bytes32) -> uint256:
    """
    @dev Registers the object of a CID its caller published; one object per CID.
    @param registrant The registering account.
    @param cid_ The CID.
    @param size The object's size in bytes.
    @param merkle_root Its size-bound chunk-tree root.
    @return uint256 The new object id.
    """
    cid._check(cid_)
    cid_hash: bytes32 = keccak256(cid_)
    assert self.known_cid[cid_hash][registrant], "objects: CID not published by the caller"
    assert self.object_of_cid[cid_hash] == 0, "objects: CID already registered"
    assert size > 0 and size <= chunk_merkle.MAX_OBJECT_SIZE, "objects: size out of range"
    assert merkle_root != empty(bytes32), "objects: empty Merkle root"

    object_id: uint256 = self.object_count + 1
    self.object_count = object_id
    self.object_of_cid[cid_hash] = object_id
    self.stored_object[object_id] = StoredObject(cid_hash=cid_hash, size=size, merkle_root=merkle_root, registrant=registrant)
    log ObjectRegistered(object_id=object_id, registrant=registrant, cid=cid_, size=size, merkle_root=merkle_root)
    return object_id


@internal
@view
def _existing(object_id: uint256) -> StoredObject:
    """
    @dev Reverts unless `object_id` names a registered object.
    @param object_id The object.
    @return StoredObject Its record.
    """
    assert object_id > 0 and object_id <= self.object_count, "objects: unknown object"
    return self.stored_object[object_id]
