from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from xinyong.catalog.models import Department, InformationItem
from xinyong.catalog.services import load_catalog
from xinyong.core.periods import add_months, period_end
from xinyong.journal.models import Entry
from xinyong.journal.services import verify
from xinyong.records.models import Record, RecordVersion
from xinyong.records.services import (
    RowIn,
    accept_rows,
    due_date,
    history,
    publicity,
    revoke_record,
)

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"
pytestmark = pytest.mark.django_db


@pytest.fixture
def penalty(db):
    load_catalog(CATALOG, actor="test")
    return InformationItem.objects.get(code="XZCF")


@pytest.fixture
def market(db, penalty):
    return Department.objects.get(code="scjgj")


def row(subject, number, *, decided=date(2025, 7, 1), amount="0.2", severity="general"):
    fields = {"CF_WSH": f"青市监处罚〔2025〕{number}号", "CF_CFJGDM": "11370200MB1234567X",
              "CF_XDR_MC": subject.name, "CF_CFLB": "罚款", "CF_NR_FK": amount,
              "CF_JDRQ": decided.isoformat()}
    return RowIn(subject_id=subject.pk, fields=fields, source_row=number + 1,
                 decision_date=decided, severity=severity)


def accept(penalty, market, rows, received=datetime(2025, 7, 8, 9, 0, tzinfo=UTC)):
    return accept_rows(penalty, market, rows, batch_id=1, actor="test", received_at=received)


def test_periods_follow_the_civil_code():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    # 2025-10-01 falls in the National Day holiday: the period ends on the next working day.
    assert period_end(date(2025, 7, 1), 3) == date(2025, 10, 9)
    assert period_end(date(2024, 1, 10), 36) == date(2027, 1, 10)  # 2027 not in the calendar


def test_publicity_follows_the_rule_in_force(penalty):
    general = publicity(penalty, decision_date=date(2025, 7, 1), severity="general")
    assert (general.published, general.end, general.rule) == (True, date(2026, 7, 1),
                                                              "gbf_2025_22")
    serious = publicity(penalty, decision_date=date(2024, 1, 10), severity="serious")
    assert (serious.end, serious.rule) == (date(2027, 1, 10), "ndrc_order_58")
    minor = publicity(penalty, decision_date=date(2025, 7, 1), severity="minor")
    assert not minor.published  # 轻微: 原则上不公示


def test_due_date_is_seven_working_days(penalty):
    assert due_date(penalty, date(2025, 9, 26)) == date(2025, 10, 13)  # across 国庆
    assert due_date(penalty, date(2026, 12, 28)) is None  # 2027 not yet in the calendar


def test_accept_creates_versioned_records_and_journals_them(penalty, market, company, person):
    result = accept(penalty, market, [row(company, 1), row(person, 2)])
    assert len(result.created) == 2 and not result.updated
    record = Record.objects.get(subject=company)
    assert record.version == 1 and record.fields["CF_NR_FK"] == "0.2"
    assert (record.publicity_end, record.due_date, record.on_time) == \
        (date(2026, 7, 1), date(2025, 7, 10), True)
    # The record is its own current version: nothing is copied until it changes.
    assert not RecordVersion.objects.exists()
    assert [(v.version, v.change) for v in history(record)] == [(1, "create")]
    entry = Entry.objects.get(action="records_accept")
    assert entry.new["created"] == 2 and entry.new["item"] == "XZCF"
    assert verify().ok


def test_identical_resubmission_changes_nothing(penalty, market, company):
    accept(penalty, market, [row(company, 1)])
    again = accept(penalty, market, [row(company, 1)])
    assert again.unchanged and not again.created and not again.updated
    assert Record.objects.count() == 1 and not RecordVersion.objects.exists()
    assert Entry.objects.filter(action="records_accept").count() == 1


def test_changed_resubmission_is_a_new_version(penalty, market, company):
    accept(penalty, market, [row(company, 1)])
    later = datetime(2025, 7, 20, tzinfo=UTC)
    result = accept(penalty, market, [row(company, 1, amount="0.5")], received=later)
    record = Record.objects.get()
    assert result.updated == [record.pk] and record.version == 2
    assert record.fields["CF_NR_FK"] == "0.5" and record.on_time is False
    versions = history(record)
    assert [(v.version, v.change, v.fields["CF_NR_FK"]) for v in versions] == \
        [(1, "create", "0.2"), (2, "update", "0.5")]
    assert RecordVersion.objects.get().version == 1  # the superseded state is kept


def test_late_rows_are_marked(penalty, market, company):
    accept(penalty, market, [row(company, 1)], received=datetime(2025, 7, 11, 2, tzinfo=UTC))
    assert Record.objects.get().on_time is False


def test_duplicate_business_keys_write_nothing(penalty, market, company, person):
    with pytest.raises(ValueError, match="share the business key"):
        accept(penalty, market, [row(company, 1), row(person, 1)])
    assert not Record.objects.exists()


def test_revocation_ends_publicity_with_its_reason(penalty, market, company):
    accept(penalty, market, [row(company, 1)])
    record = revoke_record(Record.objects.get(), reason="复议决定撤销原处罚决定",
                           actor="user:clerk", on=date(2025, 9, 1))
    assert record.status == "revoked" and record.publicity_end == date(2025, 9, 1)
    assert [v.change for v in history(record)] == ["create", "revoke"]
    entry = Entry.objects.get(action="update", object_type="record")
    assert entry.reason == "复议决定撤销原处罚决定" and entry.new["status"] == "revoked"
    with pytest.raises(ValueError, match="already revoked"):
        revoke_record(record, reason="again", actor="x", on=date(2025, 9, 2))
    # Resubmitting the decision later (e.g. a corrected decision) reactivates it as a version.
    accept(penalty, market, [row(company, 1, amount="0.3")])
    record.refresh_from_db()
    assert record.status == "active" and record.version == 3


def test_late_rows_are_counted(penalty, market, company, person):
    result = accept(penalty, market, [row(company, 1), row(person, 2, decided=date(2025, 6, 2))])
    assert result.late == 1
