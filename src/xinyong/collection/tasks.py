"""Where a submitted batch gets processed: in the request for small files, in the
background worker (django-tasks, database backend: `xinyong batches worker`) for large ones.

Processing is one transaction (services.process), so running a batch again is safe; the
process working on a batch holds its lock (`locks.processing_lock`). A batch "received" or "running"
with nobody holding its lock and no task queued for it was stranded (its worker was killed,
or the process that took it in stopped before queueing it): `resume` queues it again.
"""

import logging
import os
from datetime import UTC, datetime

from django.conf import settings
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import services
from .locks import processing_lock
from .models import Batch

logger = logging.getLogger(__name__)

UNFINISHED = (Batch.Status.RECEIVED, Batch.Status.RUNNING)


def dispatch(batch: Batch) -> Batch:
    """Process `batch` (or queue it for the worker); returns it refreshed.

    A batch already done, or running in another process, is left as it is; a received or
    failed one is processed now when its file is at most BATCH_INLINE_MAX_BYTES, else queued.
    """
    if batch.status in (Batch.Status.RECEIVED, Batch.Status.FAILED):
        if _file_size(batch) <= settings.BATCH_INLINE_MAX_BYTES:
            run(batch.pk)
        else:
            process_batch.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def _file_size(batch: Batch) -> int:
    try:
        return os.path.getsize(batch.stored_path)
    except OSError:
        return 0  # processing inline reports the missing file as the batch's error


@task()
def process_batch(batch_id: int) -> str:
    """The worker's task: process one batch; returns its final status."""
    return run(batch_id)


def run(batch_id: int, progress=None) -> str:
    """Process a batch unless it is already done; an unexpected error fails
    the batch with the reason (its transaction was rolled back) instead of escaping.
    `progress(done, total)` is called after each frame of rows."""
    batch = Batch.objects.select_related("item", "department").filter(pk=batch_id).first()
    if batch is None or batch.status == Batch.Status.DONE:
        return batch.status if batch else "missing"
    try:
        services.process(batch, progress=progress)
    except Exception as exc:
        logger.exception("batch %s failed", batch_id)
        _fail(batch_id, exc)
    return Batch.objects.values_list("status", flat=True).get(pk=batch_id)


def _fail(batch_id: int, exc: Exception) -> None:
    reason = (str(exc).strip().splitlines() or [""])[0][:300]
    # A batch another process finished meanwhile stays done.
    Batch.objects.filter(pk=batch_id).exclude(status=Batch.Status.DONE).update(
        status=Batch.Status.FAILED, finished_at=datetime.now(UTC),
        error=f"处理中断（{type(exc).__name__}: {reason}），没有任何数据入库；"
              "请重新提交以重试，或联系信用中心")


def resume() -> list[Batch]:
    """Queue again every stranded batch (received or running, nobody processing it, no task
    queued for it); returns them."""
    stranded = (Batch.objects.filter(status__in=UNFINISHED).exclude(pk__in=_queued_batch_ids())
                .select_related("item").order_by("pk"))
    resumed = []
    for batch in stranded:
        with processing_lock(batch.pk, wait=False) as free:
            if free:
                resumed.append(batch)
    for batch in resumed:
        process_batch.enqueue(batch.pk)
    return resumed


def _queued_batch_ids() -> set[int]:
    """Batches with a process_batch task waiting in the database queue."""
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY,
                                          task_path=process_batch.module_path)
    return {args["args"][0] for args in waiting.values_list("args_kwargs", flat=True)
            if args.get("args")}
