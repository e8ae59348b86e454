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

from django.db import connection, transaction

from xinyong.catalog.models import Department, InformationItem
from xinyong.catalog.services import publicity_rule
from xinyong.core.bulkdb import insert_rows, reserve_ids
from xinyong.core.calendar import CalendarNotCovered, add_working_days
from xinyong.core.periods import period_end
from xinyong.journal.services import log_event, log_update

from .models import Record, RecordVersion, Status

__all__ = ["AcceptResult", "Publicity", "RowIn", "accept_rows", "business_key", "due_date",
           "history", "publicity", "revoke_record"]

KEY_SEPARATOR = "\x1f"  # never typed in a cell; keeps key parts unambiguous
LOOKUP_CHUNK = 5_000  # keys per IN (...) query, under SQLite's variable limit
RECORD_COLUMNS = ("id", "item_id", "subject_id", "department_id", "business_key", "version",
                  "fields", "severity", "decision_date", "published", "publicity_start",
                  "publicity_end", "publicity_rule", "due_date", "received_at", "on_time",
                  "status", "revoked_on", "revoked_reason", "batch_id", "source_row",
                  "updated_at")
VERSION_COLUMNS = ("record_id", "subject_id", "version", "change", "fields", "decision_date",
                   "publicity_end", "status", "reason", "batch_id", "created_at")
# Columns whose values need converting to the backend's storage form (see core.bulkdb).
CONVERTED_COLUMNS = ("decision_date", "publicity_start", "publicity_end", "due_date",
                     "revoked_on", "received_at", "updated_at", "created_at", "fields")


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
    late: int = 0  # created or updated rows received after their due date


def accept_rows(item: InformationItem, department: Department, rows: list[RowIn], *,
                batch_id: int | None, actor: str, received_at: datetime | None = None
                ) -> AcceptResult:
    """Store rows as records in one transaction, with one journal entry for the lot."""
    received_at = received_at or datetime.now(UTC)
    keyed = {}
    for row in rows:
        key = business_key(item, row.fields)
        if key in keyed:
            raise ValueError(f"two rows share the business key {key!r} (rows "
                             f"{keyed[key].source_row} and {row.source_row})")
        keyed[key] = row
    result = AcceptResult()
    with transaction.atomic():
        existing = _existing(item, list(keyed))
        new = [(key, row) for key, row in keyed.items() if key not in existing]
        rule_on = cache(partial(publicity_rule, item.publicity_rule))

        def derive(row: RowIn) -> dict:
            derived = _derived(item, row, rule_on=rule_on, received_at=received_at)
            result.late += derived["on_time"] is False
            return derived

        result.created = _create(item, department, new, batch_id, received_at, derive)
        for key, row in keyed.items():
            record = existing.get(key)
            if record is None:
                continue
            if _same(record, row):
                result.unchanged.append(record.pk)
            else:
                _update(record, row, department, batch_id, received_at, derive)
                result.updated.append(record.pk)
        if result.created or result.updated:
            log_event(actor=actor, action="records_accept", object_type="record",
                      object_id=f"batch:{batch_id}", new=_summary(item, result, rows))
    return result


def _existing(item: InformationItem, keys: list[str]) -> dict[str, Record]:
    found = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start:start + LOOKUP_CHUNK]
        for record in Record.objects.filter(item=item, business_key__in=chunk):
            found[record.business_key] = record
    return found


def _derived(item: InformationItem, row: RowIn, *, rule_on, received_at: datetime) -> dict:
    window = publicity(item, decision_date=row.decision_date, severity=row.severity,
                       validity_end=row.validity_end, rule_on=rule_on)
    due = due_date(item, row.decision_date)
    return {"published": window.published, "publicity_start": window.start,
            "publicity_end": window.end, "publicity_rule": window.rule, "due_date": due,
            "on_time": None if due is None else received_at.astimezone(UTC).date() <= due}


def _create(item, department, new: list[tuple[str, RowIn]], batch_id, received_at,
            derive) -> list[int]:
    if not new:
        return []
    first_id = reserve_ids(Record._meta.db_table, len(new))
    records, versions = [], []
    for offset, (key, row) in enumerate(new):
        pk = first_id + offset
        d = derive(row)
        records.append((pk, item.pk, row.subject_id, department.pk, key, 1, row.fields,
                        row.severity, row.decision_date, d["published"], d["publicity_start"],
                        d["publicity_end"], d["publicity_rule"], d["due_date"], received_at,
                        d["on_time"], Status.ACTIVE, None, "", batch_id, row.source_row,
                        received_at))
        versions.append((pk, row.subject_id, 1, "create", row.fields, row.decision_date,
                         d["publicity_end"], Status.ACTIVE, "", batch_id, received_at))
    insert_rows(Record._meta.db_table, RECORD_COLUMNS, records,
                convert=[c for c in RECORD_COLUMNS if c in CONVERTED_COLUMNS])
    insert_rows(RecordVersion._meta.db_table, VERSION_COLUMNS, versions,
                convert=[c for c in VERSION_COLUMNS if c in CONVERTED_COLUMNS])
    return list(range(first_id, first_id + len(new)))


def _same(record: Record, row: RowIn) -> bool:
    return record.subject_id == row.subject_id and record.fields == row.fields \
        and record.status == Status.ACTIVE


def _update(record: Record, row: RowIn, department, batch_id, received_at, derive) -> None:
    """A resubmission with different content: a new version; the old one stays."""
    for name, value in derive(row).items():
        setattr(record, name, value)
    record.subject_id, record.fields, record.severity = row.subject_id, row.fields, row.severity
    record.decision_date, record.department = row.decision_date, department
    record.status, record.revoked_on, record.revoked_reason = Status.ACTIVE, None, ""
    record.version += 1
    record.batch_id, record.source_row, record.updated_at = batch_id, row.source_row, received_at
    record.save()
    _add_version(record, "update", batch_id=batch_id, at=received_at)


def _add_version(record: Record, change: str, *, batch_id=None, reason="", at=None):
    RecordVersion.objects.create(
        record=record, subject_id=record.subject_id, version=record.version, change=change,
        fields=record.fields, decision_date=record.decision_date,
        publicity_end=record.publicity_end, status=record.status, reason=reason,
        batch_id=batch_id, created_at=at or datetime.now(UTC))


def _summary(item: InformationItem, result: AcceptResult, rows: list[RowIn]) -> dict:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps([row.subject_id, row.fields], ensure_ascii=False,
                                 sort_keys=True, default=str).encode())
    created = result.created
    return {"item": item.code, "created": len(created),
            "created_ids": [created[0], created[-1]] if created else [],
            "updated_ids": result.updated, "unchanged": len(result.unchanged),
            "rows_sha256": digest.hexdigest(), "database": connection.vendor}


def revoke_record(record: Record, *, reason: str, actor: str, on: date) -> Record:
    """撤销: the underlying decision was revoked or changed; publicity ends on `on`."""
    if not reason.strip():
        raise ValueError("a revocation needs its reason")
    if record.status == Status.REVOKED:
        raise ValueError(f"record {record.pk} is already revoked")
    with transaction.atomic():
        old = {"status": record.status, "publicity_end": record.publicity_end,
               "version": record.version}
        record.status, record.revoked_on, record.revoked_reason = Status.REVOKED, on, reason
        if record.publicity_end is None or record.publicity_end > on:
            record.publicity_end = on
        record.version += 1
        record.updated_at = datetime.now(UTC)
        record.save()
        _add_version(record, "revoke", reason=reason)
        log_update(actor=actor, object_type="record", object_id=record.pk, old=old,
                   new={"status": record.status, "publicity_end": record.publicity_end,
                        "version": record.version}, reason=reason)
    return record


def history(record: Record) -> list[RecordVersion]:
    return list(record.versions.order_by("version"))
