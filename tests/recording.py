"""Organisations and credit records stored straight through the services (no files, no
batches), for tests of what comes after collection: the portal, lists, reports."""

from datetime import date

from xinyong.catalog.models import Department, InformationItem
from xinyong.core.identifiers import make_uscc
from xinyong.records.models import Record
from xinyong.records.services import RowIn, accept_rows
from xinyong.subjects.services import NewSubject, register_subject


def register_org(body: str, name: str, **organisation):
    """A company (USCC 91370212 + `body`) with the given registration data."""
    return register_subject(NewSubject(code=make_uscc("9", "1", "370212", body), name=name,
                                       organisation=organisation), actor="test")


def store_record(item_code: str, department: str, subject, fields: dict, decided: date,
                 severity: str = "", validity_end: date | None = None) -> Record:
    """One record of `item_code` from `department` about `subject`, as collection stores it."""
    item = InformationItem.objects.get(code=item_code)
    accept_rows(item, Department.objects.get(code=department),
                [RowIn(subject_id=subject.pk, fields=fields, decision_date=decided,
                       validity_end=validity_end, severity=severity)],
                batch_id=None, actor="test")
    return Record.objects.filter(item=item, subject=subject).latest("id")
