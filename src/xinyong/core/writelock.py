"""Hot SQLite writers take turns through the operating system instead of SQLite's sleeps.

SQLite lets one transaction write at a time; the others wait in its busy handler, which
sleeps in steps of 1 to 100 ms and retries. Under many small writes from several processes
— every joint-measures check is logged — those sleeps, not the work, set the pace
(bench/checks.py, medium demo: 449 checks/s with the log written, 1,116 without it). A writer
that holds `write_turn()` for its short transaction makes the others block on a thread lock
(same process) and an `flock` on a file beside the database (other processes), and the next
one wakes the moment the turn is released. PostgreSQL needs none of this.
"""

import fcntl
import threading
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.db import connection

__all__ = ["write_turn"]

_thread_lock = threading.Lock()
_files: dict[str, object] = {}


def _lock_file(database: str):
    handle = _files.get(database)
    if handle is None:
        handle = _files[database] = Path(f"{database}.writelock").open("a")
    return handle


@contextmanager
def _sqlite_turn(database: str):
    with _thread_lock:
        handle = _lock_file(database)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_turn():
    """A context for one short write transaction (enter it before `transaction.atomic()`)."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or "mode=memory" in name:
        return nullcontext()
    return _sqlite_turn(name)
