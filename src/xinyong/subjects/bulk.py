"""Bulk registration of subjects: the fast path for large loads (the synthetic city, migrations).

Each call is one transaction and one journal entry carrying the id range and a SHA-256 of
exactly the rows written, so `journal verify` covers bulk loads too. SQLite gets
`executemany`, PostgreSQL gets `COPY`.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from xinyong.core.identifiers import subject_kind, validate_resident_id_array, validate_uscc_array
from xinyong.core.text import normalize_name
from xinyong.journal.services import log_bulk_create

from .models import Base, Scheme
from .services import SubjectError

SUBJECT_COLUMNS = ("id", "base", "subject_type", "code", "name", "name_norm", "status",
                   "division", "created_at", "updated_at")
ORGANISATION_COLUMNS = ("subject_id", "legal_representative", "established",
                        "registered_capital", "address", "industry", "registration_authority")
LEGACY_COLUMNS = ("subject_id", "scheme", "value")


@dataclass(slots=True)
class BulkSubject:
    base: str
    subject_type: str
    code: str
    name: str
    division: str
    status: str = "active"
    # legal_representative, established, registered_capital, address, industry, authority
    organisation: tuple | None = None


def bulk_register(batch: list[BulkSubject], *, actor: str, reason: str) -> int:
    """Insert a batch of new subjects atomically; raise SubjectError and write nothing if any
    row is invalid."""
    if not batch:
        return 0
    _check(batch)
    now = _stamp(datetime.now(UTC))
    with transaction.atomic():
        first_id = _reserve_ids(len(batch))
        subjects, orgs, legacy = [], [], []
        for offset, item in enumerate(batch):
            sid = first_id + offset
            subjects.append((sid, item.base, item.subject_type, item.code, item.name,
                             normalize_name(item.name), item.status, item.division, now, now))
            if item.organisation is not None:
                orgs.append((sid, *item.organisation))
                legacy.append((sid, Scheme.ORG_CODE.value, item.code[8:17]))
        _insert("subjects_subject", SUBJECT_COLUMNS, subjects)
        _insert("subjects_organisation", ORGANISATION_COLUMNS, orgs)
        _insert("subjects_legacyidentifier", LEGACY_COLUMNS, legacy)
        log_bulk_create(actor=actor, object_type="subject", count=len(batch), first_id=first_id,
                        last_id=first_id + len(batch) - 1,
                        content_sha256=_digest(subjects, orgs), reason=reason)
    return len(batch)


def _check(batch: list[BulkSubject]) -> None:
    people = [b.code for b in batch if b.base == Base.PERSON]
    orgs = [b for b in batch if b.base != Base.PERSON]
    bad = [c for c, ok in zip(people, validate_resident_id_array(people), strict=True) if not ok]
    for b, ok in zip(orgs, validate_uscc_array([b.code for b in orgs]), strict=True):
        # The kind must be the one the code's authority and category give (domain.md §1.1).
        if not ok or b.organisation is None or \
                subject_kind(b.code[0], b.code[1]) != (b.base, b.subject_type):
            bad.append(b.code)
    if bad:
        raise SubjectError(f"{len(bad)} invalid rows in batch, first: {bad[0]}")


def _reserve_ids(count: int) -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Advance the sequence by `count` in one statement; the block is ours alone.
            cursor.execute("SELECT pg_get_serial_sequence('subjects_subject', 'id')")
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
            ids = [row[0] for row in cursor.fetchall()]
            if ids != list(range(ids[0], ids[0] + count)):
                raise SubjectError("could not reserve a contiguous id block; retry the batch")
            return ids[0]
        # SQLite: writers are serialised (IMMEDIATE transactions), so max+1 is safe here.
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM subjects_subject")
        return cursor.fetchone()[0]


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",
                [tuple(_sqlite_value(v) for v in row) for row in rows] if table in TYPED_TABLES
                else rows,
            )


# Tables whose rows carry dates and decimals, which SQLite stores as Django's text forms.
TYPED_TABLES = {"subjects_organisation"}


def _stamp(moment: datetime):
    """A timestamp as the backend stores it (SQLite: Django's naive UTC text)."""
    if connection.vendor == "postgresql":
        return moment
    return moment.replace(tzinfo=None).isoformat(" ")


def _sqlite_value(value):
    if value is not None and not isinstance(value, (int, float, str)):
        return str(value)
    return value


def _digest(*row_sets) -> str:
    sha = hashlib.sha256()
    for rows in row_sets:
        for row in rows:
            sha.update(repr(row).encode())
    return sha.hexdigest()


__all__ = ["BulkSubject", "bulk_register"]
