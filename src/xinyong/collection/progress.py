"""Progress of a running batch, visible to other processes.

A batch is processed inside one transaction, so nothing it writes to the database is visible
until it commits; progress therefore goes to a small JSON file per batch under
var/batches/, replaced atomically.
"""

import json
import os
from pathlib import Path

from django.conf import settings


def _path(batch_id: int) -> Path:
    return settings.VAR_DIR / "batches" / f"{batch_id}.progress.json"


def write(batch_id: int, *, done: int, total: int | None, phase: str) -> None:
    path = _path(batch_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"done": done, "total": total, "phase": phase}))
    temporary.replace(path)


def read(batch_id: int) -> dict | None:
    """{"done", "total", "phase"} of a batch being processed, or None."""
    try:
        return json.loads(_path(batch_id).read_text())
    except (FileNotFoundError, ValueError):
        return None


def clear(batch_id: int) -> None:
    _path(batch_id).unlink(missing_ok=True)
