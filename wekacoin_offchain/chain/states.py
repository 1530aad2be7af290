"""The contracts' state codes, mirrored once for every Python reader.

contracts/modules/tasks.vy (TASK_*), rounds.vy (ROUND_*) and validator_set.vy
(VALIDATOR_*) define them; `str()` of a member is the word the command line shows.
"""

from __future__ import annotations

import enum


class _State(enum.IntEnum):
    def __str__(self) -> str:
        return self.name.lower()


class TaskState(_State):
    OPEN = 1  # published; the test set is not released yet
    RELEASED = 2
    EXPIRED = 3
    SETTLED = 4
    CANCELLED = 5

    @property
    def is_final(self) -> bool:
        return self in (TaskState.EXPIRED, TaskState.SETTLED, TaskState.CANCELLED)


class RoundState(_State):
    ACTIVE = 1
    FINALIZED = 2
    CANCELLED = 3


class ValidatorStatus(_State):
    NONE = 0
    ACTIVE = 1
    EXITING = 2
    EXITED = 3
