"""Storing checks: each is committed before its answer, many in one commit under load.

Every check is logged, so every check writes. One commit per check made the commit the limit
of a server (bench/checks.py: ~450 checks/s on 2 cores, against ~1,100 when nothing is
written). With CHECK_GROUP_COMMIT a thread per process writes the checks of all requests
waiting at that moment in one transaction, and each request returns once its check is
committed: the answer still names a stored check, a burst pays one commit.
Tests run with the setting off (their database is one transaction of the test's own thread).
"""

import queue
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from xinyong.core.writelock import write_turn

from .models import Check, CheckHit, CheckMeasure

__all__ = ["store"]

MAX_GROUP = 200  # checks per commit
IDLE_SECONDS = 30  # an idle writer lets its database connection go


@dataclass
class _Pending:
    check: Check
    hits: list[CheckHit]
    measures: list[CheckMeasure]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


_waiting: queue.SimpleQueue = queue.SimpleQueue()
_writer: threading.Thread | None = None
_start_lock = threading.Lock()


def store(check: Check, hits: list[CheckHit], measures: list[CheckMeasure]) -> None:
    """Save the check with its hits and measures; return once they are committed."""
    pending = _Pending(check, hits, measures)
    if not settings.CHECK_GROUP_COMMIT:
        _write([pending])
        return
    _start_writer()
    _waiting.put(pending)
    pending.done.wait()
    if pending.error is not None:
        raise pending.error


def _start_writer() -> None:
    global _writer
    with _start_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_run, name="check-writer", daemon=True)
            _writer.start()


def _run() -> None:
    while True:
        try:
            group = [_waiting.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            connection.close()
            continue
        while len(group) < MAX_GROUP:
            try:
                group.append(_waiting.get_nowait())
            except queue.Empty:
                break
        try:
            _write(group)
        except BaseException as exc:  # every waiting request learns of it
            for pending in group:
                pending.error = exc
            connection.close()  # start the next group on a fresh connection
        for pending in group:
            pending.done.set()


def _write(group: list[_Pending]) -> None:
    with write_turn(), transaction.atomic():
        Check.objects.bulk_create([p.check for p in group])
        for pending in group:
            for row in pending.hits + pending.measures:
                row.check_run = pending.check
        CheckHit.objects.bulk_create([h for p in group for h in p.hits], batch_size=500)
        CheckMeasure.objects.bulk_create([m for p in group for m in p.measures],
                                         batch_size=500)
        found = [p for p in group if p.measures]
        for pending in found:
            _number(pending.check.results, pending.measures)
        Check.objects.bulk_update([p.check for p in found], ["results"], batch_size=200)


def _number(results: list, measures: list[CheckMeasure]) -> None:
    """Give each measure in the results the id feedback refers to."""
    ids = iter(m.pk for m in measures)
    for result in results:
        for measure in result.get("measures", []):
            measure["id"] = next(ids)
