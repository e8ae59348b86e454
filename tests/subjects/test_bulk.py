from datetime import date
from decimal import Decimal

import pytest

from xinyong.core.identifiers import make_resident_id, make_uscc
from xinyong.journal.models import Entry
from xinyong.journal.services import verify
from xinyong.subjects.bulk import BulkSubject, bulk_register
from xinyong.subjects.models import LegacyIdentifier, Organisation, Subject
from xinyong.subjects.services import SubjectError, find_by_code

pytestmark = pytest.mark.django_db(transaction=True)

ORG = ("赵六", date(2001, 2, 3), Decimal("12.5"), "山东省青岛市市南区香港中路1号", "建筑业",
       "青岛市市场监督管理局")


def batch(start=0, n=50):
    rows = []
    for i in range(start, start + n):
        rows.append(BulkSubject("enterprise", "企业", make_uscc("9", "1", "370202", f"{i:08d}"),
                                f"青岛测试{i}有限公司", "370202", organisation=ORG))
        person_code = make_resident_id("370203", date(1990, 1, 1), i)
        rows.append(BulkSubject("person", "自然人", person_code, f"张{i}", "370203"))
    return rows


def test_bulk_rows_are_complete_and_journalled():
    assert bulk_register(batch(), actor="system:test", reason="load") == 100
    assert bulk_register(batch(50), actor="system:test", reason="load") == 100
    assert Subject.objects.count() == 200 and Organisation.objects.count() == 100
    assert LegacyIdentifier.objects.filter(scheme="org_code").count() == 100
    company = find_by_code(make_uscc("9", "1", "370202", "00000007"))
    assert company.organisation.registered_capital == Decimal("12.5")
    assert company.name_norm == "青岛测试7有限公司"
    entries = Entry.objects.filter(action="bulk_create")
    assert [e.new["count"] for e in entries] == [100, 100]
    assert entries[1].new["first_id"] == entries[0].new["last_id"] + 1
    assert verify().ok


def test_one_bad_row_writes_nothing():
    rows = batch()
    rows[7].code = rows[7].code[:-1] + ("0" if rows[7].code[-1] != "0" else "1")
    with pytest.raises(SubjectError, match="1 invalid rows"):
        bulk_register(rows, actor="system:test", reason="load")
    assert not Subject.objects.exists() and not Entry.objects.exists()


def test_kind_must_match_the_code():
    rows = [BulkSubject("non_enterprise", "机关", make_uscc("9", "1", "370202", "00000001"),
                        "x", "370202", organisation=ORG)]
    with pytest.raises(SubjectError):
        bulk_register(rows, actor="system:test", reason="load")
