"""The error that makes a task invalid: its data cannot be read or does not fit the task."""

from __future__ import annotations

from wekacoin_offchain.errors import UserError


class DatasetError(UserError):
    """A dataset that cannot be parsed, or that does not fit its task.

    The dataset parser and the evaluator's data checks raise no other exception for bad
    data. A committee member that meets one while reading a task's published files
    reports the task invalid (docs/protocol.md §8.1); the CLI prints it as a user error.
    """
