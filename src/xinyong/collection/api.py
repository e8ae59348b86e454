"""归集 over the API: a department's system submits rows of one catalog item as a batch and
reads back what became of every row. The department is always the API client's own."""

import json
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Literal

from django.db import IntegrityError
from django.db.models import F, Value
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from xinyong.access.auth import ApiClientAuth
from xinyong.records.models import Record, RecordVersion

from . import progress, tasks
from .models import Batch, BatchRow
from .services import IngestError, resolve, submit

router = Router(tags=["batches"])

MAX_ROWS = 20_000  # a larger submission goes as several batches or as a file
RowStatus = Literal["accepted", "rejected", "waiting", "linked", "dismissed"]
Cell = str | int | float | bool | None


class BatchIn(Schema):
    item: str = Field(..., max_length=40, description="catalog item code, e.g. XZCF")
    client_batch_id: str = Field(
        ..., min_length=1, max_length=100, pattern=r"^[!-~]+$",
        description="your own id for this batch (printable ASCII, no spaces): sending it "
                    "again returns the batch already on file instead of a new one")
    rows: list[dict[str, Cell]] = Field(
        ..., description=f"at most {MAX_ROWS:,} objects keyed by field code (CF_XDR_MC) or "
                         "Chinese field name (行政相对人名称); row numbers in the results are "
                         "positions in this list, from 1")


class Counts(Schema):
    rows: int
    accepted: int
    new_records: int
    updated_records: int
    unchanged_records: int
    rejected: int
    waiting: int
    late: int


class Progress(Schema):
    done: int
    total: int | None
    phase: str


class Issue(Schema):
    field: str | None
    code: str
    message: str


class RowResult(Schema):
    row: int
    status: str
    record_id: int | None = None
    errors: list[Issue] = []
    warnings: list[Issue] = []


class RowPage(Schema):
    status: RowStatus | None
    offset: int
    limit: int
    total: int
    items: list[RowResult]
    unlisted_accepted: int = Field(
        0, description="accepted rows that cannot be listed (0 unless records were removed "
                       "by hand)")


class BatchOut(Schema):
    id: int
    item: str
    department: str
    client_batch_id: str
    status: str
    received_at: datetime
    finished_at: datetime | None
    counts: Counts
    progress: Progress | None
    warnings: list[str]
    error: str
    repeated: bool = Field(False, description="true when client_batch_id was already used: "
                                              "the batch on file is returned, this request's "
                                              "rows were not read")
    message: str = ""
    rows: RowPage


class ErrorOut(Schema):
    detail: str


class RowQuery(Schema):
    status: RowStatus | None = None
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)


@router.post("", response={200: BatchOut, 202: BatchOut, 400: ErrorOut, 401: ErrorOut,
                           403: ErrorOut, 413: ErrorOut},
             auth=ApiClientAuth(scopes=["batches:write"]), summary="Submit a batch of rows")
def submit_batch(request, payload: BatchIn, response: HttpResponse):
    """202 with the new batch (processed already when small, else queued: poll its Location);
    200 with the batch on file when `client_batch_id` was used before by your department."""
    client = request.api_client
    batch = _by_client_id(client, payload.client_batch_id)
    repeated = batch is not None
    if not repeated:
        _check_rows(payload.rows)
        batch, repeated = _create(client, payload)
    if not repeated:
        batch = tasks.dispatch(batch)
    response["Location"] = _location(batch)
    return Status(200 if repeated else 202, _document(batch, RowQuery(), repeated=repeated))


@router.get("/{batch_id}", response={200: BatchOut, 401: ErrorOut, 403: ErrorOut,
                                     404: ErrorOut}, url_name="batch",
            auth=ApiClientAuth(scopes=["batches:read"]),
            summary="A batch's status, counts, progress and per-row results")
def get_batch(request, batch_id: int, query: Query[RowQuery]):
    batch = (Batch.objects.select_related("item", "department")
             .filter(pk=batch_id, department=request.api_client.department).first())
    if batch is None:
        raise HttpError(404, _("no batch %(id)s for your department") % {"id": batch_id})
    return _document(batch, query)


def _by_client_id(client, client_batch_id: str) -> Batch | None:
    return (Batch.objects.select_related("item", "department")
            .filter(department=client.department, client_batch_id=client_batch_id).first())


def _check_rows(rows: list) -> None:
    if not rows:
        raise HttpError(400, _("rows is empty: send at least one row"))
    if len(rows) > MAX_ROWS:
        raise HttpError(413, _("%(count)s rows in one request; at most %(max)s are accepted: "
                               "split them into several batches")
                        % {"count": len(rows), "max": MAX_ROWS})


def _create(client, payload: BatchIn) -> tuple[Batch, bool]:
    """(the new batch, False), or (the batch on file, True) when a concurrent request with the
    same client batch id won."""
    department = client.department
    try:
        resolve(payload.item, department.code)
    except IngestError as exc:
        raise HttpError(400, str(exc)) from None
    path = _write_rows(payload, department.code)
    try:
        return submit(path, item_code=payload.item, department_code=department.code,
                      actor=f"api-client:{client.pk}", channel="api",
                      filename=f"api-{payload.client_batch_id}.json",
                      client_batch_id=payload.client_batch_id, api_client=client), False
    except IntegrityError:
        return _by_client_id(client, payload.client_batch_id), True
    finally:
        path.unlink(missing_ok=True)


def _write_rows(payload: BatchIn, department: str) -> Path:
    """The rows as a JSON file the JSON reader takes; the client batch id is part of the file,
    so each batch keeps its own file even when two carry the same rows."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".json",
                                     delete=False) as handle:
        json.dump({"department": department, "item": payload.item,
                   "client_batch_id": payload.client_batch_id, "rows": payload.rows},
                  handle, ensure_ascii=False)
    return Path(handle.name)


def _location(batch: Batch) -> str:
    return reverse("api:batch", kwargs={"batch_id": batch.pk})


def _document(batch: Batch, query: RowQuery, *, repeated: bool = False) -> dict:
    document = {
        "id": batch.pk, "item": batch.item.code, "department": batch.department.code,
        "client_batch_id": batch.client_batch_id, "status": batch.status,
        "received_at": batch.created_at, "finished_at": batch.finished_at,
        "counts": {"rows": batch.total_rows, "accepted": batch.accepted,
                   "new_records": batch.created_records,
                   "updated_records": batch.updated_records,
                   "unchanged_records": batch.unchanged_records, "rejected": batch.rejected,
                   "waiting": batch.waiting, "late": batch.late},
        "progress": progress.read(batch.pk) if batch.status == Batch.Status.RUNNING else None,
        "warnings": batch.warnings, "error": batch.error, "repeated": repeated,
        "rows": _row_page(batch, query)}
    if repeated:
        document["message"] = _(
            "client_batch_id %(client_id)s was already used for batch %(id)s: that batch is "
            "returned as it stands and the rows of this request were not read") % {
            "client_id": batch.client_batch_id, "id": batch.pk}
    return document


def _row_page(batch: Batch, query: RowQuery) -> dict:
    """One page of the batch's rows in row order. Accepted rows come from the records they
    made (current, or superseded since and kept as a version) and from the rows that left
    their record unchanged; the others from BatchRow."""
    accepted, others = _accepted_parts(batch), (BatchRow.objects.filter(batch=batch)
                                                .exclude(status=BatchRow.Status.UNCHANGED))
    if query.status == "accepted":
        others = others.none()
    elif query.status is not None:
        accepted, others = [], others.filter(status=query.status)
    parts = [*accepted, others.annotate(row=F("row_number"), state=F("status"), ref=F("pk"))
             .values_list("row", "state", "ref").order_by()]
    listed = sum(part.count() for part in accepted)
    page = parts[0].union(*parts[1:], all=True).order_by("row")
    return {"status": query.status, "offset": query.offset, "limit": query.limit,
            "total": listed + parts[-1].count(),
            "items": _row_results(list(page[query.offset:query.offset + query.limit])),
            "unlisted_accepted": max(batch.accepted - listed, 0)
            if query.status in (None, "accepted") else 0}


def _accepted_parts(batch: Batch) -> list:
    """(row, "accepted", record id) querysets, one per place an accepted row is found."""
    held = BatchRow.objects.filter(batch=batch).exclude(status=BatchRow.Status.UNCHANGED)
    accepted = Value("accepted")
    records = (Record.objects.filter(batch_id=batch.pk)
               .exclude(source_row__in=held.values("row_number"))
               .annotate(row=F("source_row"), state=accepted, ref=F("pk")))
    versions = (RecordVersion.objects.filter(batch_id=batch.pk, source_row__isnull=False)
                .exclude(source_row__in=held.values("row_number"))
                .exclude(record__batch_id=batch.pk, record__source_row=F("source_row"))
                .annotate(row=F("source_row"), state=accepted, ref=F("record_id")))
    unchanged = (BatchRow.objects.filter(batch=batch, status=BatchRow.Status.UNCHANGED)
                 .annotate(row=F("row_number"), state=accepted, ref=F("record_id")))
    return [records.values_list("row", "state", "ref").order_by(),
            versions.values_list("row", "state", "ref").order_by().distinct(),
            unchanged.values_list("row", "state", "ref").order_by()]


def _row_results(page: list[tuple]) -> list[dict]:
    held = BatchRow.objects.in_bulk([pk for _row, status, pk in page if status != "accepted"])
    results = []
    for row, status, pk in page:
        if status == "accepted":
            results.append({"row": row, "status": status, "record_id": pk})
        else:
            found = held[pk]
            results.append({"row": row, "status": status, "record_id": found.record_id,
                            "errors": found.errors, "warnings": found.warnings})
    return results
