"""The one exception type that means "the user asked for something wrong"."""


class UserError(Exception):
    """Bad input from a user: the CLI prints the message on one line and exits non-zero.

    Raise it (or a subclass) for anything a user can fix: a missing file, a CID that is
    not a CID, an unknown metric, a task id that does not exist. Programming errors stay
    ordinary exceptions so that they keep their tracebacks.
    """


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (a node's or ape's can run to pages)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
