"""Bulk registration of subjects: the fast path for large loads (the synthetic city, migrations).

Each call is one transaction and one journal entry carrying the id range and a SHA-256 of
exactly the rows written, so `journal verify` covers bulk loads too. SQLite gets
`executemany`, PostgreSQL gets `COPY`.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection, transaction

from xinyong.core.bulkdb import insert_rows, reserve_ids, storage_value
from xinyong.core.identifiers import subject_kind, validate_resident_id_array, validate_uscc_array
from xinyong.core.text import normalize_name
from xinyong.journal.services import log_bulk_create

from .models import Base, Scheme
from .name_index import INDEX_COLUMNS, index_row
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
    now = storage_value(datetime.now(UTC), postgresql=connection.vendor == "postgresql")
    with transaction.atomic():
        first_id = reserve_ids("subjects_subject", len(batch))
        subjects, orgs, legacy, names = [], [], [], []
        for offset, item in enumerate(batch):
            sid = first_id + offset
            subjects.append((sid, item.base, item.subject_type, item.code, item.name,
                             normalize_name(item.name), item.status, item.division, now, now))
            if item.organisation is not None:
                orgs.append((sid, *item.organisation))
                legacy.append((sid, Scheme.ORG_CODE.value, item.code[8:17]))
                names.append(index_row(sid, item.name, subjects[-1][5]))
        insert_rows("subjects_subject", SUBJECT_COLUMNS, subjects)
        insert_rows("subjects_organisation", ORGANISATION_COLUMNS, orgs,
                    convert=("established", "registered_capital"))
        insert_rows("subjects_legacyidentifier", LEGACY_COLUMNS, legacy)
        insert_rows("subjects_searchname", INDEX_COLUMNS, names)
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


def _digest(*row_sets) -> str:
    sha = hashlib.sha256()
    for rows in row_sets:
        for row in rows:
            sha.update(repr(row).encode())
    return sha.hexdigest()


__all__ = ["BulkSubject", "bulk_register"]
