"""Timeliness per department and item: the aggregation and its page."""

from datetime import UTC, date, datetime

import pytest

from xinyong.records.models import Record
from xinyong.records.timeliness import timeliness

from ..penalties import penalty_csv, penalty_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_departments(penalty, tmp_path, batch):
    """scjgj: the batch's record (received today, on time); fgw: this year three records,
    one on time, one late, one without a due date; and one received in 2020."""
    from xinyong.collection.services import ingest

    rows = [penalty_row(penalty, n) for n in (11, 12, 13, 14)]
    other = ingest(penalty_csv(tmp_path / "fgw.csv", penalty, rows), item_code="XZCF",
                   department_code="fgw", actor="officer_b", today=date(2026, 11, 20))
    records = Record.objects.filter(batch_id=other.pk).order_by("id")
    Record.objects.filter(pk=records[0].pk).update(on_time=True)
    Record.objects.filter(pk=records[1].pk).update(on_time=False)
    Record.objects.filter(pk=records[2].pk).update(on_time=None)
    Record.objects.filter(pk=records[3].pk).update(
        received_at=datetime(2020, 6, 1, 8, tzinfo=UTC))
    Record.objects.filter(batch_id=batch.pk).update(on_time=True)
    return other


def test_counts_per_department_and_item(two_departments):
    year = date.today().year
    rows = {r.department.code: r for r in timeliness(date(year, 1, 1), date.today())}
    assert set(rows) == {"scjgj", "fgw"}
    fgw = rows["fgw"].counts
    assert (fgw.received, fgw.on_time, fgw.late, fgw.unknown) == (3, 1, 1, 1)
    assert fgw.rate == 0.5 and rows["scjgj"].counts.rate == 1.0
    assert [i.item.code for i in rows["fgw"].items] == ["XZCF"]
    only = timeliness(date(year, 1, 1), date.today(), departments=[rows["fgw"].department.pk])
    assert [r.department.code for r in only] == ["fgw"]
    [old] = timeliness(date(2020, 1, 1), date(2020, 12, 31))
    assert (old.department.code, old.counts.received) == ("fgw", 1)
    assert timeliness(date(2020, 6, 2), date(2020, 12, 31)) == []


def test_departments_see_their_own_the_centre_sees_all(english, two_departments, officer,
                                                      centre):
    english.force_login(officer)
    page = english.get("/console/timeliness/").content.decode()
    assert "青岛市市场监督管理局" in page and "青岛市发展和改革委员会" not in page
    assert "100.0%" in page
    english.force_login(centre)
    page = english.get("/console/timeliness/").content.decode()
    assert "青岛市发展和改革委员会" in page and "50.0%" in page


def test_a_period_that_ends_before_it_starts_is_refused(english, officer, penalty):
    english.force_login(officer)
    page = english.get("/console/timeliness/", {"start": "2026-12-01",
                                                  "end": "2026-01-01"}).content.decode()
    assert "must start before it ends" in page
