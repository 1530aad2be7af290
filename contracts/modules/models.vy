# pragma version ~=0.4.3
"""
@title Models: commitments and reveals
@custom:contract-name models
@license MIT
@notice Before a task's release height a trainer commits to a model:
        `commitment = keccak256(abi_encode(model_cid, trainer, salt))` binds the
        model to the trainer (no one can copy the commitment) and hides it until
        the reveal; the participation fee goes into escrow (docs/protocol.md §5).
        After the test release the trainer reveals the CID, the salt and the
        model's size in bytes (§6.2).
"""

from . import cid
from . import parameters
from . import ledger
from . import tasks
from . import objects

uses: parameters
uses: ledger
uses: tasks
uses: objects


struct Model:
    task_id: uint256
    trainer: address
    commitment: bytes32
    train_score: int256
    fee: uint256
    committed_at: uint256
    model_cid: String[128]
    model_size: uint256
    revealed_at: uint256


# @dev Emitted when `trainer` commits model `model_id` to `task_id` and escrows
# its participation `fee`.
event ModelCommitted:
    model_id: indexed(uint256)
    task_id: indexed(uint256)
    trainer: indexed(address)
    commitment: bytes32
    train_score: int256
    fee: uint256


# @dev Emitted when a committed model's CID, salt and size are revealed.
event ModelRevealed:
    model_id: indexed(uint256)
    task_id: indexed(uint256)
    model_cid: String[128]
    salt: bytes32
    model_size: uint256


# @dev The number of models ever committed; model ids run from 1 to `model_count`.
model_count: public(uint256)
# @dev Every model by id.
model: public(HashMap[uint256, Model])
# @dev Commitments already used, in any task: a commitment is accepted once.
commitment_used: public(HashMap[bytes32, bool])
# @dev Whether an account committed a model to a task: such a trainer may not sit
# on the task's committee (docs/protocol.md §7.11, conflict of interest).
is_trainer: public(HashMap[uint256, HashMap[address, bool]])
# @dev The participation fees escrowed by each task's models, revealed or not.
task_fees: public(HashMap[uint256, uint256])


@internal
def _commit(task_id: uint256, trainer: address, commitment: bytes32, train_score: int256) -> uint256:
    """
    @dev A trainer's commitment before the task's release height
         (docs/protocol.md §5); escrows the participation fee last, after every
         check and effect.
    @param task_id The task.
    @param trainer The committing trainer.
    @param commitment keccak256(abi_encode(model_cid, trainer, salt)).
    @param train_score The model's claimed score on the training data.
    @return uint256 The new model id.
    """
    task_: tasks.Task = tasks._existing(task_id)
    assert task_.state == tasks.TASK_OPEN, "models: task is not accepting models"
    assert block.number < task_.release_height, "models: commitments closed at the release height"
    assert commitment != empty(bytes32), "models: empty commitment"
    assert not self.commitment_used[commitment], "models: duplicate commitment"
    assert task_.model_count < parameters.max_models_per_task, "models: task has the most models allowed"

    fee: uint256 = parameters.participation_fee
    model_id: uint256 = self.model_count + 1
    self.model_count = model_id
    self.commitment_used[commitment] = True
    self.model[model_id] = Model(
        task_id=task_id,
        trainer=trainer,
        commitment=commitment,
        train_score=train_score,
        fee=fee,
        committed_at=block.number,
        model_cid="",
        model_size=0,
        revealed_at=0,
    )
    tasks._add_model(task_id, model_id)
    self.is_trainer[task_id][trainer] = True
    self.task_fees[task_id] += fee
    log ModelCommitted(
        model_id=model_id, task_id=task_id, trainer=trainer, commitment=commitment, train_score=train_score, fee=fee
    )

    ledger._pull(trainer, fee, ledger.INTO_ESCROW)
    return model_id


@internal
def _reveal(model_id: uint256, caller: address, model_cid: String[128], salt: bytes32, model_size: uint256):
    """
    @dev Opens a commitment in the reveal window (docs/protocol.md §6) and notes
         the model's CID as the trainer's to register as a stored object.
    @param model_id The model.
    @param caller The revealing account; must be the model's trainer.
    @param model_cid The model's CID.
    @param salt The commitment's salt.
    @param model_size The model's size in bytes.
    """
    model: Model = self._existing(model_id)
    assert caller == model.trainer, "models: caller is not the trainer"
    assert model.revealed_at == 0, "models: already revealed"
    task_: tasks.Task = tasks.task[model.task_id]
    assert task_.state == tasks.TASK_RELEASED, "models: test set not released"
    assert block.number < task_.released_at + parameters.reveal_window, "models: reveal window closed"
    cid._check(model_cid)
    assert model_size > 0, "models: zero model size"
    assert keccak256(abi_encode(model_cid, caller, salt)) == model.commitment, "models: model does not match commitment"

    self.model[model_id].model_cid = model_cid
    self.model[model_id].model_size = model_size
    self.model[model_id].revealed_at = block.number
    tasks._note_reveal(model.task_id)
    objects._note(model.task_id, model_cid, caller)
    log ModelRevealed(model_id=model_id, task_id=model.task_id, model_cid=model_cid, salt=salt, model_size=model_size)


@internal
@view
def _existing(model_id: uint256) -> Model:
    """
    @dev Reverts unless `model_id` names a committed model.
    @param model_id The model.
    @return Model Its record.
    """
    assert model_id > 0 and model_id <= self.model_count, "models: unknown model"
    return self.model[model_id]
