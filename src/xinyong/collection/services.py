"""归集: a department's file becomes a batch whose every row ends accepted, rejected or
waiting. The original file is kept under its SHA-256; processing is one transaction, so a
crash leaves no half-applied batch and running the same file again resumes that batch.
"""

import hashlib
import json
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection, transaction

from xinyong.catalog.models import Department, InformationItem
from xinyong.core.bulkdb import insert_frame
from xinyong.journal.services import log_event
from xinyong.records.services import accept_frame

from . import progress as progress_file
from .linking import link_frame
from .locks import processing_lock
from .models import Batch, BatchRow
from .prefetch import prefetched
from .readers import ReadError, open_table
from .rows import fields_json, record_rows, with_record_columns
from .validation import SeenKeys, validate

FRAME_ROWS = 50_000


class IngestError(ValueError):
    """The submission cannot start (unknown item or department, not a provider)."""


def item_spec(item: InformationItem) -> dict:
    """The item as the readers and validators take it (the catalog loader's dict shape)."""
    spec = {f.name: getattr(item, f.name) for f in InformationItem._meta.concrete_fields}
    spec["providers"] = list(item.providers.values_list("code", flat=True))
    return spec


def resolve(item_code: str, department_code: str) -> tuple[InformationItem, Department]:
    item = InformationItem.objects.filter(code=item_code, active=True).first()
    if item is None:
        raise IngestError(f"unknown information item {item_code!r} (see `xinyong catalog list`)")
    department = Department.objects.filter(code=department_code, active=True).first()
    if department is None:
        raise IngestError(f"unknown department {department_code!r}")
    if not item.providers.filter(pk=department.pk).exists():
        raise IngestError(f"department {department_code} does not provide item {item_code} "
                          "according to the catalog")
    return item, department


def store_file(path: Path) -> tuple[str, Path]:
    """Keep the original file under var/uploads/, named by its content hash."""
    sha = hashlib.sha256()
    with open(path, "rb") as source:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            sha.update(chunk)
    digest = sha.hexdigest()
    target = settings.VAR_DIR / "uploads" / digest[:2] / (digest + path.suffix.lower())
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return digest, target


def submit(path, *, item_code: str, department_code: str, actor: str, channel: str = "cli",
           filename: str | None = None, client_batch_id: str = "",
           api_client=None, backfill: bool = False) -> Batch:
    """Register a submission without processing it (`process` does, here or in the worker).

    The same file from the same department for the same item, or the same client batch id,
    returns the batch already on file.
    """
    path = Path(path)
    item, department = resolve(item_code, department_code)
    if client_batch_id:
        batch = Batch.objects.filter(department=department,
                                     client_batch_id=client_batch_id).first()
        if batch is not None:
            return batch
    digest, stored = store_file(path)
    batch = Batch.objects.filter(item=item, department=department, file_sha256=digest).first()
    if batch is not None:
        return batch
    return Batch.objects.create(
        item=item, department=department, channel=channel, actor=actor,
        file_name=filename or path.name, file_sha256=digest, stored_path=str(stored),
        client_batch_id=client_batch_id, api_client=api_client, backfill=backfill)


def ingest(path, *, item_code: str, department_code: str, actor: str, channel: str = "cli",
           filename: str | None = None, today: date | None = None, backfill: bool = False,
           progress: Callable[[int, int], None] | None = None) -> Batch:
    """Submit one file and process it now; an already finished identical batch is returned
    as it is."""
    batch = submit(path, item_code=item_code, department_code=department_code, actor=actor,
                   channel=channel, filename=filename, backfill=backfill)
    if batch.status != Batch.Status.DONE:
        process(batch, today=today or date.today(), progress=progress)
    return batch


def process(batch: Batch, *, today: date | None = None, progress=None) -> None:
    """Validate, link and store every row of a batch in one transaction (rerunnable), under
    the batch's lock: never two processes on one batch; one finished meanwhile is left be."""
    with processing_lock(batch.pk):
        batch.refresh_from_db(fields=["status"])
        if batch.status == Batch.Status.DONE:
            return
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.RUNNING)
        try:
            _process(batch, today=today or date.today(), progress=progress)
        finally:
            progress_file.clear(batch.pk)


def _process(batch: Batch, *, today: date, progress=None) -> None:
    spec = item_spec(batch.item)
    try:
        table = open_table(batch.stored_path, spec, filename=batch.file_name)
    except ReadError as exc:
        batch.status, batch.error, batch.finished_at = Batch.Status.FAILED, exc.message, _now()
        batch.save()
        return
    with table, transaction.atomic():
        _reset(batch)
        batch.file_format, batch.encoding = table.format, table.encoding or ""
        batch.warnings, batch.source_headers = table.warnings, table.source_headers
        run = _Run(batch, spec)
        seen = SeenKeys()
        checked = (with_record_columns(spec, validate(frame, spec, today=today, seen=seen))
                   for frame in table.batches(FRAME_ROWS, raw=False))
        for frame in prefetched(checked):
            run.frame(frame)
            progress_file.write(batch.pk, done=batch.total_rows, total=table.row_count,
                                phase="rows")
            if progress:
                progress(batch.total_rows, table.row_count)
        run.finish(table)


def _reset(batch: Batch) -> None:
    """A resumed batch starts from nothing (its earlier attempt was rolled back)."""
    BatchRow.objects.filter(batch=batch).delete()
    for name in ("total_rows", "accepted", "created_records", "updated_records",
                 "unchanged_records", "rejected", "waiting", "late"):
        setattr(batch, name, 0)
    batch.error = ""


def _now() -> datetime:
    return datetime.now(UTC)


class _Run:
    """The state of one batch while its frames are processed. Rejected and waiting rows are
    written frame by frame (their original cells are added in one more pass at the end), so
    memory does not grow with their number."""

    def __init__(self, batch: Batch, spec: dict):
        self.batch, self.spec, self.held = batch, spec, []
        self.received = batch.created_at or _now()
        self.field_codes = [f["code"] for f in spec["fields"]]

    def frame(self, checked: pl.DataFrame) -> None:
        self.batch.total_rows += checked.height
        valid = pl.col("__errors__").list.len() == 0
        self._hold(checked.filter(~valid), BatchRow.Status.REJECTED, pl.col("__errors__"))
        linked = link_frame(self.spec, checked.filter(valid), actor=f"batch:{self.batch.pk}",
                            reason=f"batch {self.batch.pk}: subjects first seen in collection")
        waiting = pl.col("__subject__").is_null()
        link_error = pl.concat_list(pl.struct(field=pl.lit(None, pl.Utf8), code=pl.lit("link"),
                                              message=pl.col("__link__")))
        self._hold(linked.filter(waiting), BatchRow.Status.WAITING, link_error)
        self._accept(linked.filter(~waiting))

    def _hold(self, rows: pl.DataFrame, status: str, errors: pl.Expr) -> None:
        if rows.is_empty():
            return
        if status == BatchRow.Status.REJECTED:
            self.batch.rejected += rows.height
        else:
            self.batch.waiting += rows.height
        self.held.append(rows["__row__"].cast(pl.Int64))
        no_nul = {c: pl.col(c).str.replace_all("\x00", NUL_SIGN, literal=True)
                  for c in self.field_codes}
        table = rows.with_columns(**no_nul).select(
            batch_id=pl.lit(self.batch.pk, pl.Int64), row_number=pl.col("__row__"),
            status=pl.lit(str(status)), errors=_json(errors),
            warnings=_json(pl.col("__warnings__")), fields=fields_json(self.field_codes),
            raw=pl.lit("{}"), record_id=pl.lit(None, pl.Int64), resolved_by=pl.lit(""),
            resolved_at=pl.lit(None, pl.Datetime("us", "UTC")), resolution=pl.lit(""))
        insert_frame(BatchRow._meta.db_table, table)

    def _accept(self, ready: pl.DataFrame) -> None:
        if ready.is_empty():
            return
        batch = self.batch
        result = accept_frame(batch.item, batch.department, record_rows(ready),
                              batch_id=batch.pk, actor=batch.actor, received_at=self.received,
                              judge_timeliness=not batch.backfill)
        batch.accepted += ready.height
        batch.created_records += len(result.created)
        batch.updated_records += len(result.updated)
        batch.unchanged_records += len(result.unchanged)
        batch.late += result.late
        BatchRow.objects.bulk_create(
            (BatchRow(batch=batch, row_number=row, status=BatchRow.Status.UNCHANGED,
                      record_id=record) for row, record in result.unchanged_rows),
            batch_size=5_000)

    def finish(self, table) -> None:
        batch = self.batch
        if self.held:
            self._add_raw(table, pl.concat(self.held))
        batch.warnings = _storable(batch.warnings)
        batch.source_headers = _storable(batch.source_headers)
        batch.status, batch.finished_at = Batch.Status.DONE, _now()
        batch.save()
        log_event(actor=batch.actor, action="batch_done", object_type="batch",
                  object_id=batch.pk, new=summary(batch))

    def _add_raw(self, table, rows: pl.Series) -> None:
        """The original cells of the held rows, as submitted (for the rejected-rows file)."""
        sql = (f'UPDATE "{BatchRow._meta.db_table}" SET raw = %s '
               "WHERE batch_id = %s AND row_number = %s")
        with connection.cursor() as cursor:
            for chunk in table.iter_raw_rows(rows):
                cursor.executemany(sql, [(_storable_json(raw), self.batch.pk, row)
                                         for row, raw in chunk])


# PostgreSQL's text and jsonb cannot hold U+0000; a NUL a department sent is kept as ␀.
NUL_SIGN = "\u2400"


def _json(values: pl.Expr) -> pl.Expr:
    """A list column as JSON text ([] for null), with NUL escapes made storable."""
    encoded = pl.struct(values.fill_null([]).alias("v")).struct.json_encode()
    return encoded.str.slice(5).str.strip_suffix("}").str.replace_all(
        "\\u0000", NUL_SIGN, literal=True)


def _storable(value):
    """`value` (JSON-like) with every NUL in its strings replaced by ␀."""
    if isinstance(value, str):
        return value.replace("\x00", NUL_SIGN)
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    return value


def _storable_json(text: str) -> str:
    if "\\u0000" not in text:
        return text
    return json.dumps(_storable(json.loads(text)), ensure_ascii=False)


def summary(batch: Batch) -> dict:
    return {"batch": batch.pk, "item": batch.item.code,
            "department": batch.department.code, "status": batch.status,
            "file": batch.file_name, "sha256": batch.file_sha256, "rows": batch.total_rows,
            "accepted": batch.accepted, "new_records": batch.created_records,
            "updated_records": batch.updated_records,
            "unchanged_records": batch.unchanged_records, "rejected": batch.rejected,
            "waiting": batch.waiting, "late": batch.late, "error": batch.error,
            "warnings": batch.warnings}
