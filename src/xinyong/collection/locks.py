"""The per-batch processing lock: an exclusive flock on var/batches/<id>.lock, held by the
process working on a batch (`services.process` takes it). The kernel releases it when that
process ends, however it ends, so a batch left "running" with its lock free was stranded."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


def _lock_path(batch_id: int) -> Path:
    return settings.VAR_DIR / "batches" / f"{batch_id}.lock"


@contextmanager
def processing_lock(batch_id: int, *, wait: bool = True) -> Iterator[bool]:
    """Hold the batch's lock file while the block runs; yields False (without the lock) when
    `wait` is false and another process holds it. The file is removed on release."""
    path = _lock_path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        handle = open(path, "a")  # closed below, after the lock is released
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.close()
            yield False
            return
        if _same_file(handle, path):
            break
        handle.close()  # removed by its previous holder after we opened it: take the new one
    try:
        yield True
    finally:
        path.unlink(missing_ok=True)
        handle.close()


def _same_file(handle, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
    except FileNotFoundError:
        return False
