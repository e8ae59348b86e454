"""Batches (归集批次): the list, one batch with its rows, and its rejected rows to download."""

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xinyong.collection import progress
from xinyong.collection.models import Batch, BatchRow
from xinyong.collection.queue import confirmable_code
from xinyong.collection.rejects import rejected_csv, write_rejected_workbook
from xinyong.collection.services import item_spec

from ..access import console_view
from .common import labelled, page_of
from .submit import XLSX_TYPE

REFRESH_SECONDS = 3
ROWS_PER_PAGE = 20
REJECTED = (BatchRow.Status.REJECTED, BatchRow.Status.DISMISSED)  # both count as rejected


@console_view()
def batch_list(request):
    batches = request.viewer.batches()
    status = request.GET.get("status", "")
    if status in Batch.Status.values:
        batches = batches.filter(status=status)
    department = request.GET.get("department", "")
    if request.viewer.sees_all and department:
        batches = batches.filter(department__code=department)
    return render(request, "console/batches.html", {
        "page": page_of(request, batches), "statuses": Batch.Status.choices,
        "status": status, "department": department,
        "departments": request.viewer.departments() if request.viewer.sees_all else None})


def _batch(request, pk) -> Batch:
    return get_object_or_404(request.viewer.batches(), pk=pk)


def _row_errors(row: BatchRow) -> list[dict]:
    """The row's errors, with the credit centre's reason when it dismissed the row."""
    errors = list(row.errors or [])
    if row.status == BatchRow.Status.DISMISSED:
        errors.append({"field": None, "code": "dismissed", "message": _(
            "Dismissed by the credit centre: %(reason)s") % {"reason": row.resolution}})
    return errors


def _values(batch: Batch, row: BatchRow) -> list[tuple[str, object]]:
    """The row's non-empty cells under the submitted headers (or the catalog's names)."""
    if not row.raw:
        return labelled(batch.item, row.fields)
    return [(header, value) for header, value in row.raw.items() if value not in (None, "")]


def _shown(batch: Batch, page, viewer=None) -> list[dict]:
    """Rows as the page lists them; `decide` when `viewer` may open a waiting row's decision
    page (the credit centre, or the submitting department's officer to confirm a code)."""
    return [{"row": row, "errors": _row_errors(row), "values": _values(batch, row),
             "decide": viewer is not None and row.status == BatchRow.Status.WAITING
             and not viewer.read_only and viewer.can_confirm(row)
             and (viewer.can_link or confirmable_code(batch.item, row.fields) is not None)}
            for row in page]


@console_view()
def batch_detail(request, pk):
    batch = _batch(request, pk)
    running = batch.status in (Batch.Status.RECEIVED, Batch.Status.RUNNING)
    rejected = page_of(request, batch.rows.filter(status__in=REJECTED), param="rejected",
                       size=ROWS_PER_PAGE)
    waiting = page_of(request, batch.rows.filter(status=BatchRow.Status.WAITING),
                      param="waiting", size=ROWS_PER_PAGE)
    return render(request, "console/batch.html", {
        "batch": batch, "running": running, "refresh": REFRESH_SECONDS if running else None,
        "progress": progress.read(batch.pk) if running else None,
        "rejected": rejected, "rejected_rows": _shown(batch, rejected),
        "waiting": waiting, "waiting_rows": _shown(batch, waiting, request.viewer),
        "linked": batch.rows.filter(status=BatchRow.Status.LINKED).count()})


def _rejected_rows(batch: Batch):
    rows = batch.rows.filter(status__in=REJECTED).order_by("row_number")
    for row in rows.iterator(chunk_size=2_000):
        values = row.raw or {name: value for name, value in labelled(batch.item, row.fields)}
        yield row.row_number, values, _row_errors(row)


def _file_name(batch: Batch, suffix: str) -> str:
    return f"批次{batch.pk}_{batch.item.code}_未通过校验的数据.{suffix}"


@console_view()
def rejected_download(request, pk, fmt):
    batch = _batch(request, pk)
    spec = item_spec(batch.item)
    headers = batch.source_headers or None
    if fmt == "csv":
        response = StreamingHttpResponse(
            rejected_csv(spec, _rejected_rows(batch), headers=headers),
            content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, _file_name(batch, "csv"))
        return response
    target = tempfile.TemporaryFile()
    write_rejected_workbook(spec, _rejected_rows(batch), target, headers=headers)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=_file_name(batch, "xlsx"),
                        content_type=XLSX_TYPE)
