"""The only writer of credit records. Rows arrive validated and linked (from collection);
a business key already on file makes a row an update (a new version), an identical
resubmission changes nothing, and a revocation ends publicity with its reason.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache, partial

import polars as pl
from django.db import connection, transaction

from xinyong.catalog.models import Department, InformationItem
from xinyong.catalog.services import publicity_rule
from xinyong.core.bulkdb import insert_frame, reserve_ids, select_in
from xinyong.core.calendar import CalendarNotCovered, add_working_days
from xinyong.core.periods import period_end
from xinyong.journal.services import log_event, log_update

from .models import Record, RecordVersion, Status
from .signals import records_changed

__all__ = ["ROW_SCHEMA", "AcceptResult", "Publicity", "RowIn", "accept_frame", "accept_rows",
           "business_key", "due_date", "history", "publicity", "revoke_record"]

KEY_SEPARATOR = "\x1f"  # never typed in a cell; keeps key parts unambiguous
RECORD_COLUMNS = ("id", "item_id", "subject_id", "department_id", "business_key", "version",
                  "fields", "severity", "decision_date", "published", "publicity_start",
                  "publicity_end", "publicity_rule", "due_date", "received_at", "on_time",
                  "status", "revoked_on", "revoked_reason", "batch_id", "source_row",
                  "updated_at")
# What `_with_derived` adds to a row: its publicity window, due date and timeliness.
DERIVED_COLUMNS = ("published", "publicity_start", "publicity_end", "publicity_rule",
                   "due_date", "on_time")
LOOKUP_CHUNK = 5_000  # keys per IN (...) query through the ORM


def business_key(item: InformationItem, fields: dict) -> str:
    return KEY_SEPARATOR.join(str(fields.get(code) or "") for code in item.business_key)


@dataclass(frozen=True)
class Publicity:
    published: bool
    start: date | None
    end: date | None
    rule: str = ""


def publicity(item: InformationItem, *, decision_date: date | None, severity: str = "",
              validity_end: date | None = None, rule_on=None) -> Publicity:
    """The publicity window (公示期) a record gets from its item's rule (domain.md §3.1).

    Without a rule the record stays public while valid (until `validity_end`, if any). A
    severity the rule does not publish (轻微, 原则上不公示) gives an unpublished record.
    `rule_on(date)` may replace the database lookup of the rule in force (bulk callers cache).
    """
    if not item.publicity_rule or decision_date is None:
        return Publicity(True, decision_date, validity_end)
    rule_on = rule_on or partial(publicity_rule, item.publicity_rule)
    rule = rule_on(on=decision_date)
    if rule is None:
        return Publicity(True, decision_date, validity_end)
    period = (rule.periods or {}).get(severity or "general") or {}
    if period.get("publish") is not True or not period.get("max_months"):
        return Publicity(False, decision_date, decision_date, rule.code)
    return Publicity(True, decision_date, period_end(decision_date, period["max_months"]),
                     rule.code)


WITHIN_WORKING_DAYS = re.compile(r"^within_(\d+)_working_days$")


def due_date(item: InformationItem, decision_date: date | None) -> date | None:
    """The reporting deadline, e.g. 双公示: the decision date plus 7 working days.

    None when the working-day calendar does not yet hold the deadline's year: timeliness is
    then unknown rather than guessed.
    """
    match = WITHIN_WORKING_DAYS.match(item.update_frequency or "")
    if not match or decision_date is None:
        return None
    try:
        return add_working_days(decision_date, int(match[1]))
    except CalendarNotCovered:
        return None


@dataclass
class RowIn:
    """One validated, linked row: what `accept_rows` needs."""

    subject_id: int
    fields: dict
    source_row: int | None = None
    decision_date: date | None = None
    validity_end: date | None = None
    severity: str = ""


@dataclass
class AcceptResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    unchanged_rows: list[tuple[int | None, int]] = field(default_factory=list)  # (row, record)
    late: int = 0  # created or updated rows received after their due date


# The columns `accept_frame` takes, one row per record to store.
ROW_SCHEMA = {"subject_id": pl.Int64, "fields": pl.Utf8, "business_key": pl.Utf8,
              "source_row": pl.Int64, "decision_date": pl.Date, "validity_end": pl.Date,
              "severity": pl.Utf8}


def accept_rows(item: InformationItem, department: Department, rows: list[RowIn], *,
                batch_id: int | None, actor: str, received_at: datetime | None = None
                ) -> AcceptResult:
    """Store rows as records in one transaction, with one journal entry for the lot."""
    frame = pl.DataFrame(
        [(row.subject_id, json.dumps(row.fields, ensure_ascii=False),
          business_key(item, row.fields), row.source_row, row.decision_date,
          row.validity_end, row.severity) for row in rows], schema=ROW_SCHEMA, orient="row")
    return accept_frame(item, department, frame, batch_id=batch_id, actor=actor,
                        received_at=received_at)


def accept_frame(item: InformationItem, department: Department, rows: pl.DataFrame, *,
                 batch_id: int | None, actor: str, received_at: datetime | None = None,
                 judge_timeliness: bool = True) -> AcceptResult:
    """`accept_rows` for a polars frame of ROW_SCHEMA (fields as JSON text): the bulk path.

    New business keys are inserted in one statement; keys already on file go through the
    model one by one (an update makes a new version; identical content changes nothing).
    Without `judge_timeliness` (a historical backfill) records get their due date but are
    neither on time nor late.
    """
    received_at = received_at or datetime.now(UTC)
    repeated = rows.filter(pl.col("business_key").is_duplicated())
    if repeated.height:
        first = repeated.row(0, named=True)
        raise ValueError(f"two rows share the business key {first['business_key']!r} (rows "
                         f"{repeated['source_row'].to_list()[:2]})")
    result = AcceptResult()
    with transaction.atomic():
        on_file = _keys_on_file(item, rows["business_key"])
        new = rows.filter(~pl.col("business_key").is_in(on_file))
        if new.height:
            derived = _with_derived(item, new, received_at, judge_timeliness)
            result.late += derived["on_time"].not_().sum()
            result.created = _create(item, department, derived, batch_id, received_at)
        if on_file:
            _accept_existing(item, department, rows.filter(pl.col("business_key")
                                                           .is_in(on_file)),
                             batch_id, received_at, result, judge_timeliness)
        if result.created or result.updated:
            log_event(actor=actor, action="records_accept", object_type="record",
                      object_id=f"batch:{batch_id}", new=_summary(item, result, rows))
            records_changed.send(sender=InformationItem, item=item, actor=actor,
                                 record_ids=result.created + result.updated)
    return result


def _keys_on_file(item: InformationItem, keys: pl.Series) -> list[str]:
    found = select_in(f'SELECT business_key FROM "{Record._meta.db_table}" '
                      "WHERE item_id = %s AND business_key {in_values}",
                      keys.to_list(), [item.pk])
    return [key for (key,) in found]


def _with_derived(item: InformationItem, rows: pl.DataFrame, received_at: datetime,
                  judge_timeliness: bool = True) -> pl.DataFrame:
    """Publicity window and due date, computed once per distinct input and joined back."""
    rule_on = cache(partial(publicity_rule, item.publicity_rule))
    keys = ["decision_date", "severity", "validity_end"]
    distinct = rows.select(keys).unique().rows()
    windows = pl.DataFrame(
        [(*key, *_window(item, *key, rule_on).values(), due_date(item, key[0]))
         for key in distinct], orient="row",
        schema={**rows.select(keys).schema, "published": pl.Boolean,
                "publicity_start": pl.Date, "publicity_end": pl.Date,
                "publicity_rule": pl.Utf8, "due_date": pl.Date})
    received = received_at.astimezone(UTC).date()
    derived = rows.select(keys).join(windows, on=keys, how="left", nulls_equal=True,
                                     maintain_order="left").drop(keys)
    on_time = pl.col("due_date") >= received if judge_timeliness else pl.lit(None, pl.Boolean)
    return rows.hstack(derived.get_columns()).with_columns(on_time=on_time)


def _window(item, decision_date, severity, validity_end, rule_on) -> dict:
    window = publicity(item, decision_date=decision_date, severity=severity,
                       validity_end=validity_end, rule_on=rule_on)
    return {"published": window.published, "publicity_start": window.start,
            "publicity_end": window.end, "publicity_rule": window.rule}


def _create(item, department, rows: pl.DataFrame, batch_id, received_at) -> list[int]:
    first_id = reserve_ids(Record._meta.db_table, rows.height)
    at = pl.lit(received_at).dt.convert_time_zone("UTC")
    # In business-key order the unique index is appended to page by page, not hit at random.
    table = rows.sort("business_key").with_columns(
        id=pl.int_range(first_id, first_id + rows.height, dtype=pl.Int64),
        item_id=pl.lit(item.pk), department_id=pl.lit(department.pk), version=pl.lit(1),
        received_at=at, updated_at=at, status=pl.lit(Status.ACTIVE.value),
        revoked_on=pl.lit(None, pl.Date), revoked_reason=pl.lit(""),
        batch_id=pl.lit(batch_id, pl.Int64)).select(RECORD_COLUMNS)
    insert_frame(Record._meta.db_table, table)
    return list(range(first_id, first_id + rows.height))


def _accept_existing(item, department, rows: pl.DataFrame, batch_id, received_at,
                     result: AcceptResult, judge_timeliness: bool) -> None:
    keys = rows["business_key"].to_list()
    records = {r.business_key: r for start in range(0, len(keys), LOOKUP_CHUNK)
               for r in Record.objects.filter(item=item,
                                              business_key__in=keys[start:start + LOOKUP_CHUNK])}
    derived = _with_derived(item, rows, received_at, judge_timeliness)
    for row in derived.iter_rows(named=True):
        record, fields = records[row["business_key"]], json.loads(row["fields"])
        if record.subject_id == row["subject_id"] and record.fields == fields \
                and record.status == Status.ACTIVE:
            result.unchanged.append(record.pk)
            result.unchanged_rows.append((row["source_row"], record.pk))
            continue
        _snapshot(record)
        result.late += row["on_time"] is False
        _apply(record, **{name: row[name] for name in DERIVED_COLUMNS},
               subject_id=row["subject_id"], fields=fields, severity=row["severity"],
               decision_date=row["decision_date"], department=department,
               status=Status.ACTIVE, revoked_on=None, revoked_reason="",
               version=record.version + 1, batch_id=batch_id, source_row=row["source_row"],
               updated_at=received_at)
        result.updated.append(record.pk)


def _apply(record: Record, **values) -> None:
    for name, value in values.items():
        setattr(record, name, value)
    record.save()


def _snapshot(record: Record) -> RecordVersion:
    """Keep the record as it stands before it changes (the current state is the record)."""
    return RecordVersion.objects.create(
        record=record, subject_id=record.subject_id, version=record.version,
        change=_change(record), fields=record.fields, decision_date=record.decision_date,
        publicity_end=record.publicity_end, status=record.status,
        reason=record.revoked_reason, batch_id=record.batch_id, source_row=record.source_row,
        created_at=record.updated_at)


def _change(record: Record) -> str:
    if record.status == Status.REVOKED:
        return "revoke"
    return "create" if record.version == 1 else "update"


def _summary(item: InformationItem, result: AcceptResult, rows: pl.DataFrame) -> dict:
    digest = hashlib.sha256(rows["subject_id"].to_numpy().tobytes())
    digest.update(rows["fields"].str.join("\n").item().encode())
    created = result.created
    return {"item": item.code, "created": len(created),
            "created_ids": [created[0], created[-1]] if created else [],
            "updated_ids": result.updated, "unchanged": len(result.unchanged),
            "rows_sha256": digest.hexdigest(),
            "database": connection.vendor}


def revoke_record(record: Record, *, reason: str, actor: str, on: date) -> Record:
    """撤销: the underlying decision was revoked or changed; publicity ends on `on`."""
    if not reason.strip():
        raise ValueError("a revocation needs its reason")
    if record.status == Status.REVOKED:
        raise ValueError(f"record {record.pk} is already revoked")
    with transaction.atomic():
        old = {"status": record.status, "publicity_end": record.publicity_end,
               "version": record.version}
        _snapshot(record)
        record.status, record.revoked_on, record.revoked_reason = Status.REVOKED, on, reason
        if record.publicity_end is None or record.publicity_end > on:
            record.publicity_end = on
        record.version += 1
        record.updated_at = datetime.now(UTC)
        record.save()
        log_update(actor=actor, object_type="record", object_id=record.pk, old=old,
                   new={"status": record.status, "publicity_end": record.publicity_end,
                        "version": record.version}, reason=reason)
        records_changed.send(sender=InformationItem, item=record.item, actor=actor,
                             record_ids=[record.pk])
    return record


def history(record: Record) -> list[RecordVersion]:
    """Every version of a record, oldest first; the last is the record as it stands now
    (an unsaved RecordVersion)."""
    current = RecordVersion(
        record=record, subject_id=record.subject_id, version=record.version,
        change=_change(record), fields=record.fields, decision_date=record.decision_date,
        publicity_end=record.publicity_end, status=record.status,
        reason=record.revoked_reason, batch_id=record.batch_id, created_at=record.updated_at)
    return [*record.versions.order_by("version"), current]
