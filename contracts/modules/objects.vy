# pragma version ~=0.4.3
"""
@title Stored objects: the datasets and models validators prove they hold
@custom:contract-name objects
@license MIT
@notice Proof-of-storage weight (docs/protocol.md §7.2) counts only WekaCoin data
        that a committee certified (docs/protocol.md §7.2): a task's training
        set, baseline model and released test set, and its revealed models.
        `tasks` and `models` note each such CID with the one account the
        protocol knows for it in that task (the supplier for the task's data,
        the trainer for a revealed model; the first to publish it in the task);
        only that account may register it, once per task, with its byte size,
        the size-bound root of its chunk tree (`chunk_merkle.vy`) and a deposit
        of `object_deposit`. The committee that evaluates the task recomputes
        size and root from the content and puts them in its quorum-signed
        result: a match certifies the object and returns the deposit; a
        mismatch rejects it and burns the deposit. A task that ends without a
        round returns the deposits and certifies nothing.
@dev Objects are registered per task, so re-publishing someone's CID in a
     throw-away task registers a second object that its own committee judges:
     a squatter can neither block the honest registration nor get a wrong root
     certified without the committee (attack 2 of docs/threat-model.md).
"""

from . import cid
from . import chunk_merkle
from . import ledger
from . import parameters
from . import ranking

uses: ledger
uses: parameters


# @dev Object states.
OBJECT_PENDING: constant(uint8) = 1  # registered, its task not judged yet
OBJECT_CERTIFIED: constant(uint8) = 2  # the task's committee found this size and root
OBJECT_REJECTED: constant(uint8) = 3  # the committee found another size or root, or none
OBJECT_LAPSED: constant(uint8) = 4  # the task ended without a round: never judged


struct StoredObject:
    cid_hash: bytes32
    size: uint256
    merkle_root: bytes32
    registrant: address
    task_id: uint256
    state: uint8
    deposit: uint256


# @dev Emitted when `registrant` registers a stored object for `task_id`: its
# CID, claimed size and size-bound chunk-tree root, and its deposit.
event ObjectRegistered:
    object_id: indexed(uint256)
    registrant: indexed(address)
    task_id: indexed(uint256)
    cid: String[128]
    size: uint256
    merkle_root: bytes32
    deposit: uint256


# @dev Emitted when a task's committee certifies (`certified`) or rejects an
# object; `size` and `merkle_root` are what the committee found.
event ObjectJudged:
    object_id: indexed(uint256)
    task_id: indexed(uint256)
    certified: bool
    size: uint256
    merkle_root: bytes32


# @dev For each task and keccak256(cid), the account the protocol knows for it.
publisher_of: public(HashMap[uint256, HashMap[bytes32, address]])
# @dev The number of objects ever registered; object ids run from 1 to `object_count`.
object_count: public(uint256)
# @dev Every object by id.
stored_object: public(HashMap[uint256, StoredObject])
# @dev The object registered for each task and keccak256(cid), 0 if none.
object_of: public(HashMap[uint256, HashMap[bytes32, uint256]])
# @dev Each task's objects in registration order, and how many.
task_object: public(HashMap[uint256, HashMap[uint256, uint256]])
task_object_count: public(HashMap[uint256, uint256])


@internal
def _note(task_id: uint256, cid_: String[128], publisher: address):
    """
    @dev Records `publisher` as the account the protocol knows for `cid_` in
         `task_id`, unless one is known already (the first publication wins).
    @param task_id The task.
    @param cid_ The CID.
    @param publisher The account that published it.
    """
    cid_hash: bytes32 = keccak256(cid_)
    if self.publisher_of[task_id][cid_hash] == empty(address):
        self.publisher_of[task_id][cid_hash] = publisher


@internal
def _register(registrant: address, task_id: uint256, cid_: String[128], size: uint256, merkle_root: bytes32) -> uint256:
    """
    @dev Registers the object of a CID its caller published in `task_id`, once
         per task, and escrows the deposit last. The caller checked that the
         task still takes registrations.
    @param registrant The registering account.
    @param task_id The task.
    @param cid_ The CID.
    @param size The object's size in bytes.
    @param merkle_root Its size-bound chunk-tree root.
    @return uint256 The new object id.
    @custom:security Only the account the protocol knows for the CID in the
                     task registers it: nobody squats another's data.
    """
    cid._check(cid_)
    cid_hash: bytes32 = keccak256(cid_)
    assert self.publisher_of[task_id][cid_hash] == registrant, "objects: CID not published by the caller in the task"
    assert self.object_of[task_id][cid_hash] == 0, "objects: CID already registered in the task"
    assert size > 0 and size <= chunk_merkle.MAX_OBJECT_SIZE, "objects: size out of range"
    assert merkle_root != empty(bytes32), "objects: empty Merkle root"

    object_id: uint256 = self.object_count + 1
    self.object_count = object_id
    self.object_of[task_id][cid_hash] = object_id
    position: uint256 = self.task_object_count[task_id]
    self.task_object[task_id][position] = object_id
    self.task_object_count[task_id] = position + 1
    deposit: uint256 = parameters.object_deposit
    self.stored_object[object_id] = StoredObject(
        cid_hash=cid_hash,
        size=size,
        merkle_root=merkle_root,
        registrant=registrant,
        task_id=task_id,
        state=OBJECT_PENDING,
        deposit=deposit,
    )
    log ObjectRegistered(
        object_id=object_id, registrant=registrant, task_id=task_id, cid=cid_, size=size, merkle_root=merkle_root, deposit=deposit
    )
    ledger._pull(registrant, deposit, ledger.INTO_ESCROW)
    return object_id


@internal
def _judge(task_id: uint256, storage: DynArray[ranking.ObjectRoot, ranking.MAX_TASK_OBJECTS]):
    """
    @dev Applies a finalized result's storage list: one entry per object of the
         task, in registration order. An entry that matches the registered
         size and root certifies the object and returns its deposit; any other
         rejects it and burns the deposit (docs/protocol.md §7.2).
    @param task_id The settled task.
    @param storage What the committee found for each object.
    """
    assert len(storage) == self.task_object_count[task_id], "objects: storage list must name every object of the task"
    for position: uint256 in range(len(storage), bound=ranking.MAX_TASK_OBJECTS):
        found: ranking.ObjectRoot = storage[position]
        assert found.object_id == self.task_object[task_id][position], "objects: storage list out of order"
        stored: StoredObject = self.stored_object[found.object_id]
        certified: bool = found.size == stored.size and found.merkle_root == stored.merkle_root
        if certified:
            self.stored_object[found.object_id].state = OBJECT_CERTIFIED
            ledger._credit(stored.registrant, stored.deposit, task_id, ledger.CREDIT_DEPOSIT_RETURNED)
        else:
            self.stored_object[found.object_id].state = OBJECT_REJECTED
            ledger._burn(stored.deposit, task_id)
        log ObjectJudged(
            object_id=found.object_id, task_id=task_id, certified=certified, size=found.size, merkle_root=found.merkle_root
        )


@internal
def _lapse(task_id: uint256):
    """
    @dev A task that ends without a round (expired, cancelled) certifies none
         of its objects and returns their deposits.
    @param task_id The task.
    """
    for position: uint256 in range(self.task_object_count[task_id], bound=ranking.MAX_TASK_OBJECTS):
        object_id: uint256 = self.task_object[task_id][position]
        self.stored_object[object_id].state = OBJECT_LAPSED
        stored: StoredObject = self.stored_object[object_id]
        ledger._credit(stored.registrant, stored.deposit, task_id, ledger.CREDIT_DEPOSIT_RETURNED)


@internal
@view
def _certified(object_id: uint256) -> StoredObject:
    """
    @dev Reverts unless `object_id` names a certified object.
    @param object_id The object.
    @return StoredObject Its record.
    """
    assert object_id > 0 and object_id <= self.object_count, "objects: unknown object"
    stored: StoredObject = self.stored_object[object_id]
    assert stored.state == OBJECT_CERTIFIED, "objects: object not certified"
    return stored
