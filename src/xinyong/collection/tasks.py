"""Where a submitted batch gets processed: in the request for small files, in the
background worker for large ones."""

from .models import Batch
from .services import process


def dispatch(batch: Batch) -> Batch:
    """Process `batch` (or queue it for the worker); returns it refreshed."""
    if batch.status != Batch.Status.DONE:
        process(batch)
    batch.refresh_from_db()
    return batch
