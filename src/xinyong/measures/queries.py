"""The reads of a check, in plain SQL.

A check is asked many times a second inside departments' business handling. Through the ORM
its four reads cost about 2 ms of query building; as prepared SQL they cost a tenth of that
(measured: bench/checks.py). Same tables, same filters as `lists.services.effective_entries`
and the records' publicity window — tests/measures compare both.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection

from xinyong.catalog.models import CatalogVersion, Department, ListType
from xinyong.lists.models import ListEntry
from xinyong.lists.models import Status as EntryStatus
from xinyong.records.models import Record
from xinyong.records.models import Status as RecordStatus
from xinyong.subjects.models import LegacyIdentifier, Subject

__all__ = ["EntryRow", "RecordRow", "catalog_key", "effective_entries_of", "records_of",
           "subjects_by_code"]


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def catalog_key() -> tuple:
    """The latest catalog version's id and load time: what the measures snapshot is for."""
    rows = _fetch(f'SELECT id, loaded_at FROM "{CatalogVersion._meta.db_table}" '
                  "ORDER BY number DESC LIMIT 1", [])
    return tuple(map(str, rows[0])) if rows else ()


SUBJECT_COLUMNS = ("id", "code", "name", "base", "subject_type")


def subjects_by_code(codes: set[str]) -> dict[str, Subject]:
    """Subjects by primary code, then by legacy code (keyed by the code asked)."""
    if not codes:
        return {}
    columns = ", ".join(f's."{c}"' for c in SUBJECT_COLUMNS)
    rows = _fetch(f'SELECT {columns}, s.code FROM "{Subject._meta.db_table}" s '
                  f"WHERE s.code IN ({_marks(codes)})", list(codes))
    missing = codes - {row[1] for row in rows}
    if missing:
        rows += _fetch(f'SELECT {columns}, l.value FROM "{LegacyIdentifier._meta.db_table}" l '
                       f'JOIN "{Subject._meta.db_table}" s ON s.id = l.subject_id '
                       f"WHERE l.value IN ({_marks(missing)})", list(missing))
    return {row[-1]: Subject(**dict(zip(SUBJECT_COLUMNS, row[:-1], strict=True)))
            for row in rows}


@dataclass(frozen=True)
class EntryRow:
    id: int
    subject_id: int
    list_type_id: int
    department: str  # code
    recognised_by: str
    document_number: str
    reason: str
    basis: str
    listed_on: date
    valid_until: date | None


def effective_entries_of(subject_ids: list[int], today: date) -> list[EntryRow]:
    """Entries listed on `today` (as lists.services.effective_entries)."""
    if not subject_ids:
        return []
    rows = _fetch(
        "SELECT e.id, e.subject_id, e.list_type_id, d.code, e.recognised_by, "
        "e.document_number, e.reason, e.basis, e.listed_on, e.valid_until "
        f'FROM "{ListEntry._meta.db_table}" e '
        f'JOIN "{Department._meta.db_table}" d ON d.id = e.department_id '
        f'JOIN "{ListType._meta.db_table}" t ON t.id = e.list_type_id '
        f"WHERE e.subject_id IN ({_marks(subject_ids)}) AND e.status = %s AND t.active = %s "
        "AND e.listed_on <= %s AND (e.valid_until IS NULL OR e.valid_until >= %s) "
        "ORDER BY e.listed_on, e.id",
        [*subject_ids, EntryStatus.LISTED, True, today, today])
    return [EntryRow(*row[:8], _date(row[8]), _date(row[9])) for row in rows]


@dataclass(frozen=True)
class RecordRow:
    id: int
    subject_id: int
    item_id: int
    fields: dict
    decision_date: date | None


def records_of(subject_ids: list[int], item_ids: list[int], today: date) -> list[RecordRow]:
    """Active, published records of these items within their publicity window on `today`."""
    if not subject_ids or not item_ids:
        return []
    rows = _fetch(
        "SELECT id, subject_id, item_id, fields, decision_date "
        f'FROM "{Record._meta.db_table}" '
        f"WHERE subject_id IN ({_marks(subject_ids)}) AND item_id IN ({_marks(item_ids)}) "
        "AND status = %s AND published = %s "
        "AND (publicity_start IS NULL OR publicity_start <= %s) "
        "AND (publicity_end IS NULL OR publicity_end >= %s) ORDER BY id",
        [*subject_ids, *item_ids, RecordStatus.ACTIVE, True, today, today])
    return [RecordRow(row[0], row[1], row[2],
                      json.loads(row[3]) if isinstance(row[3], str) else row[3],
                      _date(row[4])) for row in rows]
