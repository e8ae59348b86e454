"""The working-day calendar (工作日历): data, counting rule (domain.md §9), admin, commands."""

import time
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinyong.core import calendar
from xinyong.core.calendar import (
    CalendarImportError,
    CalendarNotCovered,
    add_working_days,
    import_calendar_csv,
    is_workday,
    working_days_between,
)
from xinyong.core.models import CalendarDay
from xinyong.journal.models import Entry

pytestmark = pytest.mark.django_db

D = date.fromisoformat


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rolled-back test transactions send no signals, so start and end with an empty cache."""
    calendar.forget()
    yield
    calendar.forget()


def reference_add(d: date, n: int) -> date:
    """Day-by-day counting straight from chinese_calendar, the start day not counted."""
    step, counted = (1 if n > 0 else -1), 0
    while counted < abs(n):
        d += timedelta(days=step)
        counted += chinese_calendar.is_workday(d)
    return d


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def year_csv(tmp_path, year: int, skip=(), extra_lines=()) -> str:
    lines = ["date,is_workday,name"]
    day = date(year, 1, 1)
    while day.year == year:
        if day not in skip:
            name = "元旦" if (day.month, day.day) == (1, 1) else ""
            working = day.weekday() < 5 and not name
            lines.append(f"{day.isoformat()},{int(working)},{name}")
        day += timedelta(days=1)
    path = tmp_path / f"calendar-{year}.csv"
    path.write_text("\n".join([*lines, *extra_lines]) + "\n", encoding="utf-8")
    return str(path)


# --- data seeded by the migration ----------------------------------------------------------

def test_migration_seeds_every_year_chinese_calendar_covers():
    assert calendar.official_years() == range(2004, 2027)
    assert CalendarDay.objects.count() == 23 * 365 + 6  # six leap years 2004–2024
    assert not CalendarDay.objects.exclude(source="chinese_calendar").exists()


@pytest.mark.parametrize("year", [2025, 2026])
def test_table_agrees_with_chinese_calendar_for_every_day(year):
    rows = CalendarDay.objects.filter(date__year=year)
    assert len(rows) == (366 if year % 4 == 0 else 365)
    assert all(row.is_workday == chinese_calendar.is_workday(row.date) for row in rows)


@pytest.mark.parametrize(("day", "working", "name"), [
    ("2025-01-26", True, "春节调休上班"),  # Sunday
    ("2025-01-27", True, ""),
    *[(f"2025-01-{d}", False, "春节") for d in (28, 29, 30, 31)],
    *[(f"2025-02-0{d}", False, "春节") for d in (1, 2, 3, 4)],
    ("2025-02-05", True, ""),
    ("2025-02-08", True, "春节调休上班"),  # Saturday
    ("2025-09-28", True, "国庆节调休上班"),  # Sunday
    *[(f"2025-10-0{d}", False, "国庆节") for d in (1, 2, 3, 4, 5, 7, 8)],
    ("2025-10-06", False, "中秋节"),
    ("2025-10-09", True, ""),
    ("2025-10-11", True, "国庆节调休上班"),  # Saturday
    ("2025-10-12", False, ""),
])
def test_2025_spring_festival_and_national_day(day, working, name):
    row = CalendarDay.objects.get(date=D(day))
    assert (row.is_workday, row.name) == (working, name)
    assert is_workday(D(day)) is working


@pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
                                 "2026-09-20", "2026-10-10"])
def test_2026_adjusted_workdays_from_domain_notes(day):
    assert D(day).weekday() >= 5
    assert chinese_calendar.is_workday(D(day))
    assert is_workday(D(day))
    assert CalendarDay.objects.get(date=D(day)).name.endswith("调休上班")


def test_2026_has_exactly_those_adjusted_workdays():
    weekend_workdays = [row.date.isoformat() for row in CalendarDay.objects.filter(
        date__year=2026, is_workday=True) if row.date.weekday() >= 5]
    assert weekend_workdays == ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09",
                                "2026-09-20", "2026-10-10"]


# --- the counting rule ----------------------------------------------------------------------

@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2025-03-07", 1, "2025-03-10"),  # Friday → Monday
    ("2025-03-08", 1, "2025-03-10"),  # from a Saturday: Monday is the 1st
    ("2025-03-09", 5, "2025-03-14"),  # from a Sunday
    ("2025-10-03", 1, "2025-10-09"),  # from a holiday: the first working day after it
    ("2025-09-30", 1, "2025-10-09"),
    ("2025-10-10", 1, "2025-10-11"),  # the adjusted Saturday counts
    ("2025-10-11", 1, "2025-10-13"),  # counting from an adjusted Saturday
    ("2025-01-25", 1, "2025-01-26"),  # Saturday → adjusted Sunday
    ("2025-01-27", 1, "2025-02-05"),  # across 春节
    ("2026-12-30", 1, "2026-12-31"),
])
def test_add_working_days_excludes_the_start_day(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)
    assert reference_add(D(start), n) == D(expected)


@pytest.mark.parametrize(("decision", "deadline"), [
    ("2025-09-30", "2025-10-16"),  # Oct 9, 10, 11 (Sat, worked), 13, 14, 15, 16
    ("2025-09-26", "2025-10-13"),  # Sep 28 (Sun, worked), 29, 30, Oct 9, 10, 11, 13
    ("2025-10-01", "2025-10-16"),  # decided on a holiday: as from Sep 30
    ("2026-09-30", "2026-10-15"),  # 2026: Oct 8, 9, 10 (Sat, worked), 12, 13, 14, 15
])
def test_seven_working_day_double_publicity_deadline_across_national_day(decision, deadline):
    """双公示: put online within 7 working days of the decision (国办发〔2015〕51号)."""
    assert add_working_days(D(decision), 7) == D(deadline)
    assert reference_add(D(decision), 7) == D(deadline)
    assert working_days_between(D(decision), D(deadline)) == 7


def test_chinese_calendar_find_workday_differs_when_starting_on_a_rest_day():
    """Why the platform does not use chinese_calendar.find_workday: it counts from the next
    working day on or after D, so from a holiday it lands one working day late."""
    assert chinese_calendar.find_workday(1, D("2025-10-03")) == D("2025-10-10")
    assert add_working_days(D("2025-10-03"), 1) == D("2025-10-09")
    assert chinese_calendar.find_workday(7, D("2025-09-30")) == add_working_days(
        D("2025-09-30"), 7)


@pytest.mark.parametrize(("start", "expected"), [
    ("2025-10-09", "2025-10-09"),  # a working day: itself
    ("2025-10-11", "2025-10-11"),  # an adjusted Saturday: itself
    ("2025-10-03", "2025-10-09"),  # a holiday: the next working day
    ("2025-03-08", "2025-03-10"),  # a Saturday: the next working day
])
def test_zero_working_days_is_the_day_itself_or_the_next_working_day(start, expected):
    assert add_working_days(D(start), 0) == D(expected)


@pytest.mark.parametrize(("start", "n", "expected"), [
    ("2025-10-09", -1, "2025-09-30"),
    ("2025-10-05", -1, "2025-09-30"),  # backwards from a holiday
    ("2025-10-13", -2, "2025-10-10"),
    ("2026-01-05", -2, "2025-12-31"),  # across the year boundary: Jan 4 (Sun) was worked
])
def test_negative_n_counts_backwards(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)
    assert reference_add(D(start), n) == D(expected)


def test_counting_crosses_year_boundaries():
    assert add_working_days(D("2025-12-31"), 1) == D("2026-01-04")
    assert add_working_days(D("2024-12-20"), 30) == reference_add(D("2024-12-20"), 30)
    assert working_days_between(D("2025-12-31"), D("2026-01-05")) == 2
    assert working_days_between(D("2004-01-01"), D("2026-12-31")) == sum(
        1 for row in CalendarDay.objects.filter(is_workday=True) if row.date > D("2004-01-01"))


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2025-10-09", "2025-10-09", 0),
    ("2025-09-30", "2025-10-08", 0),  # the whole holiday: no working day in (start, end]
    ("2025-09-30", "2025-10-09", 1),
    ("2025-10-09", "2025-09-30", -1),
    ("2025-03-08", "2025-03-14", 5),
])
def test_working_days_between(start, end, expected):
    assert working_days_between(D(start), D(end)) == expected


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.dates(date(2004, 2, 1), date(2026, 10, 31)),
       n=st.integers(-20, 30))
def test_matches_day_by_day_counting_everywhere(start, n):
    if n == 0:
        assert add_working_days(start, 0) == (start if chinese_calendar.is_workday(start)
                                              else reference_add(start, 1))
        return
    end = add_working_days(start, n)
    assert end == reference_add(start, n)
    if n > 0:
        assert working_days_between(start, end) == n
    assert working_days_between(end, start) == -working_days_between(start, end)


def test_matches_holidays_package_when_installed():
    holidays = pytest.importorskip("holidays")
    cn = holidays.country_holidays("CN", years=range(2024, 2027))
    for start in (D("2025-09-30"), D("2025-10-03"), D("2026-02-13"), D("2026-09-30")):
        for n in (1, 3, 7, 20):
            assert add_working_days(start, n) == cn.get_nth_working_day(start, n)


def test_rejects_datetimes():
    with pytest.raises(TypeError, match="expected a date"):
        add_working_days(datetime(2025, 10, 1, 12), 1)


def test_fast_after_first_call():
    add_working_days(D("2025-09-30"), 30)
    started = time.perf_counter()
    for i in range(10_000):
        add_working_days(D("2025-09-01") + timedelta(days=i % 90), 30)
    per_call = (time.perf_counter() - started) / 10_000
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} µs per call"


# --- years the table does not cover -----------------------------------------------------------

def test_2027_raises_calendar_not_covered():
    with pytest.raises(CalendarNotCovered) as caught:
        is_workday(D("2027-03-01"))
    assert caught.value.year == 2027
    message = str(caught.value)
    assert "no data for 2027" in message
    assert "xinyong calendar import" in message and "November" in message
    with pytest.raises(CalendarNotCovered):
        add_working_days(D("2026-12-31"), 1)  # 2026-12-31 is a Thursday; Jan 1 is 2027
    with pytest.raises(CalendarNotCovered):
        working_days_between(D("2026-12-01"), D("2027-01-10"))
    with pytest.raises(CalendarNotCovered):
        add_working_days(D("2004-01-05"), -10)


def test_a_partial_year_is_not_covered():
    CalendarDay.objects.bulk_create(
        CalendarDay(date=D("2027-01-01") + timedelta(days=i), is_workday=True) for i in range(3))
    with pytest.raises(CalendarNotCovered, match="3 of its 365 days"):
        is_workday(D("2027-01-02"))


@pytest.mark.django_db(transaction=True)
def test_calendar_is_reseeded_after_flush():
    """flush (run after every transactional test) empties the table the migration filled."""
    call_command("flush", interactive=False, verbosity=0)
    assert CalendarDay.objects.count() == 23 * 365 + 6
    assert add_working_days(D("2025-09-30"), 7) == D("2025-10-16")


def test_seed_refuses_a_year_chinese_calendar_lacks():
    with pytest.raises(CommandError, match="no data for 2027.*covers 2004–2026"):
        run("seed", "--year", "2027")
    assert not CalendarDay.objects.filter(date__year=2027).exists()


# --- administrators ---------------------------------------------------------------------------

def test_admin_edit_overrides_and_survives_seed(admin_client):
    assert not is_workday(D("2025-10-08"))  # fills the cache
    url = reverse("admin:core_calendarday_change", args=["2025-10-08"])
    response = admin_client.post(url, {"is_workday": "on", "name": "国庆节（本市补班）"})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = CalendarDay.objects.get(date=D("2025-10-08"))
    assert (row.is_workday, row.source) == (True, "admin")
    assert is_workday(D("2025-10-08"))  # the save forgot the cached year
    entry = Entry.objects.get(object_type="calendar_day", object_id="2025-10-08")
    assert (entry.action, entry.actor) == ("update", "admin")
    assert entry.old["is_workday"] is False and entry.new["is_workday"] is True

    assert "1 entered by an administrator kept" in run("seed", "--year", "2025")
    row.refresh_from_db()
    assert (row.is_workday, row.source, row.name) == (True, "admin", "国庆节（本市补班）")


def test_seed_is_idempotent_and_repairs_package_rows():
    CalendarDay.objects.filter(date=D("2025-10-01")).update(is_workday=True)
    assert "0 days added, 1 updated" in run("seed", "--year", "2025")
    assert not CalendarDay.objects.get(date=D("2025-10-01")).is_workday
    assert "0 days added, 0 updated, 365 unchanged" in run("seed", "--year", "2025")


def test_admin_changelist_filters_by_year_and_searches_names(admin_client):
    url = reverse("admin:core_calendarday_changelist")
    response = admin_client.get(url, {"year": "2025", "is_workday__exact": "0", "q": "国庆"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 7  # Oct 1–8 except Mid-autumn on Oct 6
    assert admin_client.get(url, {"year": "2026"}).context["cl"].result_count == 365
    assert admin_client.get(reverse("admin:core_calendarday_add")).status_code == 200


def test_admin_cannot_delete_days(admin_client):
    url = reverse("admin:core_calendarday_delete", args=["2025-10-08"])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert CalendarDay.objects.filter(date=D("2025-10-08")).exists()


# --- importing a new year ---------------------------------------------------------------------

def test_import_a_full_year(tmp_path):
    result = import_calendar_csv(year_csv(tmp_path, 2027), actor="test")
    assert (result.years, result.days) == ([2027], 365)
    assert not is_workday(D("2027-01-01"))
    assert add_working_days(D("2026-12-31"), 1) == D("2027-01-04")
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("source", flat=True)) \
        == {"admin"}
    entry = Entry.objects.get(object_type="calendar", action="import")
    assert entry.object_id == "2027" and len(entry.new["sha256"]) == 64


def test_import_rejects_an_incomplete_year_naming_the_missing_dates(tmp_path):
    february = {D("2027-02-01") + timedelta(days=i) for i in range(28)}
    path = year_csv(tmp_path, 2027, skip=february | {D("2027-03-05")})
    with pytest.raises(CalendarImportError,
                       match=r"2027 is incomplete: 29 missing days \(2027-02-01\.\.2027-02-28, "
                             r"2027-03-05\)"):
        import_calendar_csv(path, actor="test")
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_import_rejects_bad_rows_with_line_numbers(tmp_path):
    path = year_csv(tmp_path, 2027, extra_lines=["2027-13-01,1,", "2027-01-04,maybe,",
                                                 "2027-01-05,1"])
    with pytest.raises(CalendarImportError) as caught:
        import_calendar_csv(path, actor="test")
    message = str(caught.value)
    assert "line 367: '2027-13-01' is not a date" in message
    assert "line 368: is_workday 'maybe'" in message
    assert "line 369: 2027-01-05 appears twice" in message


def test_import_replaces_seeded_days_and_seed_then_keeps_them(tmp_path):
    run("import", year_csv(tmp_path, 2026))  # a made-up 2026 with no holidays but 元旦
    assert is_workday(D("2026-10-01"))
    assert "365 entered by an administrator kept" in run("seed", "--year", "2026")
    assert is_workday(D("2026-10-01"))


def test_import_command_output_and_errors(tmp_path):
    assert run("import", year_csv(tmp_path, 2027)) == \
        "calendar imported for 2027: 365 days, 260 working days\n"
    with pytest.raises(CommandError, match="a year must be imported whole"):
        run("import", year_csv(tmp_path, 2028, skip={D("2028-02-29")}))
    with pytest.raises(CommandError, match="cannot read"):
        run("import", str(tmp_path / "missing.csv"))


# --- showing a month --------------------------------------------------------------------------

def test_show_prints_a_month():
    out = run("show", "2025-10")
    lines = out.splitlines()
    assert lines[0] == "2025-10: 18 working days, 13 rest days"
    assert lines[1].split() == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert lines[2].split() == ["1休", "2休", "3休", "4休", "5休"]
    assert lines[3].split() == ["6休", "7休", "8休", "9", "10", "11班", "12休"]
    assert "2025-10-06 Mon  rest day     中秋节" in lines
    assert "2025-10-11 Sat  working day  国庆节调休上班" in lines


def test_show_rejects_bad_and_uncovered_months():
    with pytest.raises(CommandError, match="not a month"):
        run("show", "2025-13")
    with pytest.raises(CommandError, match="no data for 2027"):
        run("show", "2027-01")
