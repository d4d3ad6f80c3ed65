"""The store failing for a reason outside the program, in one line for a person.

A read-only store (file permissions, a read-only mount, a read-only PostgreSQL role or
transaction), a full disk, a store that cannot be opened or reached: `explain(exc)` turns
the driver's exception (as SQLAlchemy wraps it) into a sentence naming the store and what
to do, or None for any other error (a bug keeps its traceback). The CLI prints that
sentence instead of a traceback (cli/common.py), the server answers it as a 503.
"""

from __future__ import annotations

import sqlalchemy as sa

# (what the driver says, lower case) -> what it means for the user
SQLITE = (
    ("readonly database", ("is read-only: reading works, writing needs write access to the "
                          "file and its folder")),
    ("database or disk is full", ("is on a full disk: free some space and run the command again "
                                 "(the write that failed was rolled back)")),
    ("unable to open database file", ("cannot be opened: check that its folder exists and that "
                                     "you may read (and, to write, change) it")),
    ("disk i/o error", ("could not be read or written: check that its disk is not full or "
                       "failing")),
    ("file is not a database", "is not an SQLite database (a damaged or foreign file)"),
)
# PostgreSQL SQLSTATE (or its class, two characters) -> meaning
POSTGRES = (
    ("25006", "is read-only (a read-only transaction or standby): writing needs the primary"),
    ("42501", "refuses this change: the database role may not write here"),
    ("53100", "is on a full disk: free some space on the database server and run again"),
    ("53", "ran out of a resource (disk, memory or connections): see the server's log"),
    ("08", "cannot be reached: check the URL and that the server runs"),
    ("57P", "is shutting down or unavailable: try again when it is up"),
)


def explain(exc: BaseException, store: str = "the store") -> str | None:
    """One line for a store failure with an outside cause, or None for anything else."""
    for error in _chain(exc):
        if not isinstance(error, sa.exc.DBAPIError):
            continue
        orig = error.orig
        code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        if code:
            for prefix, meaning in POSTGRES:
                if str(code).startswith(prefix):
                    return f"{store} {meaning} ({_first_line(orig)})"
        text = str(orig).lower()
        for clue, meaning in SQLITE:
            if clue in text:
                return f"{store} {meaning} ({_first_line(orig)})"
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and those it was raised from or during (a failed write, then the
    failed audit row of that write, for instance), each once."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return seen


def _first_line(orig: object) -> str:
    return str(orig).strip().splitlines()[0][:200] if str(orig).strip() else type(orig).__name__
