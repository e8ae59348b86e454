"""The working-day calendar (工作日历): which days count when a rule says "N working days".

Everything here reads the `CalendarDay` table, never a package or a rule of thumb: a date in a
year the table does not fully cover raises `CalendarNotCovered`. Counting follows domain.md §9
(民法典 Art. 201): the start day is not counted, so "within N working days after D" is the N-th
working day strictly after D, whatever kind of day D itself is.

Each process caches a year at a time as a sorted tuple of working-day ordinals, so counting is a
binary search. Saving or deleting a `CalendarDay` forgets its year in the saving process at once;
other processes reload a year after `CACHE_SECONDS`.
"""

import csv
import hashlib
import io
import time
from bisect import bisect_left, bisect_right
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import CalendarDay

__all__ = [
    "CACHE_SECONDS",
    "CalendarImportError",
    "CalendarNotCovered",
    "ImportResult",
    "SeedResult",
    "add_working_days",
    "forget",
    "import_calendar_csv",
    "is_workday",
    "month_days",
    "official_days",
    "official_years",
    "seed_from_chinese_calendar",
    "seed_if_empty",
    "seed_into",
    "working_days_between",
]

CACHE_SECONDS = 300

# chinese_calendar names holidays in English; the calendar stores the Chinese names.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
ADJUSTED_WORKDAY = "调休上班"

TRUE_WORDS = {"1", "true", "yes", "y", "是", "班"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "休"}
NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length


class CalendarNotCovered(Exception):
    """A date falls in a year the working-day calendar does not (fully) cover."""

    def __init__(self, year: int, detail: str = ""):
        self.year = year
        self.detail = detail
        message = (
            f"the working-day calendar has no data for {year}; an administrator must enter the "
            f"{year} schedule (published each November) in the admin or with "
            f"`xinyong calendar import`"
        )
        super().__init__(f"{message} ({detail})" if detail else message)


class CalendarImportError(ValueError):
    """A calendar CSV that cannot be imported; the message names every problem found."""


@dataclass(frozen=True)
class _Year:
    workdays: tuple[int, ...]  # ordinals of the year's working days, ascending
    workday_set: frozenset[int]
    loaded_at: float


_years: dict[int, "_Year | _Missing"] = {}


# --- reading ------------------------------------------------------------------------------

def _days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def _load_year(year: int) -> _Year:
    rows = list(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))
    expected = _days_in_year(year)
    if len(rows) != expected:
        detail = f"{len(rows)} of its {expected} days are entered" if rows else ""
        raise CalendarNotCovered(year, detail)
    workdays = tuple(sorted(day.toordinal() for day, working in rows if working))
    return _Year(workdays, frozenset(workdays), time.monotonic())


@dataclass(frozen=True)
class _Missing:
    """A year found not covered, remembered like a loaded one so bulk callers asking about
    it again and again do not query the table each time."""

    year: int
    detail: str
    loaded_at: float


def _year(year: int) -> _Year:
    cached = _years.get(year)
    if cached is None or time.monotonic() - cached.loaded_at > CACHE_SECONDS:
        try:
            cached = _load_year(year)
        except CalendarNotCovered as exc:
            cached = _Missing(exc.year, exc.detail, time.monotonic())
        _years[year] = cached
    if isinstance(cached, _Missing):
        # A new exception each time: re-raising one instance would grow its traceback and
        # keep every caller's frame (and the data in it) alive.
        raise CalendarNotCovered(cached.year, cached.detail)
    return cached


def forget(year: int | None = None) -> None:
    """Drop the cached year (or every year) so the next call reads the table again."""
    if year is None:
        _years.clear()
    else:
        _years.pop(year, None)


@receiver([post_save, post_delete], sender=CalendarDay)
def _forget_changed_day(sender, instance, **kwargs):
    forget(instance.date.year)


def _check_date(d) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date, got {type(d).__name__} "
                        "(convert a datetime with .date() in the Asia/Shanghai time zone)")


def is_workday(d: date) -> bool:
    """Is `d` a working day (工作日), counting adjusted weekend working days (调休上班)?"""
    _check_date(d)
    return d.toordinal() in _year(d.year).workday_set


def add_working_days(d: date, n: int) -> date:
    """The n-th working day strictly after `d` (before it when n is negative).

    The start day is never counted, so "within 7 working days after D" is
    `add_working_days(D, 7)` whether D is a working day, a weekend or a holiday.
    n = 0 is a choice, not a count: it returns `d` when `d` is a working day and otherwise the
    next working day ("on or after d"), so a deadline of "the same day" never lands on a
    rest day.
    """
    _check_date(d)
    if n == 0:
        return d if is_workday(d) else _step_forward(d, 1)
    return _step_forward(d, n) if n > 0 else _step_backward(d, -n)


def _step_forward(d: date, n: int) -> date:
    year = d.year
    days = _year(year).workdays
    index = bisect_right(days, d.toordinal()) + n - 1
    while index >= len(days):
        index -= len(days)
        year += 1
        days = _year(year).workdays
    return date.fromordinal(days[index])


def _step_backward(d: date, n: int) -> date:
    year = d.year
    days = _year(year).workdays
    index = bisect_left(days, d.toordinal()) - n
    while index < 0:
        year -= 1
        days = _year(year).workdays
        index += len(days)
    return date.fromordinal(days[index])


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]: start excluded, end included.

    For a working day `end` after `start`, `add_working_days(start, result) == end`. When `end`
    is before `start` the result is minus the count for (end, start], so swapping the arguments
    only flips the sign.
    """
    _check_date(start)
    _check_date(end)
    if end < start:
        return -working_days_between(end, start)
    total = 0
    for year in range(start.year, end.year + 1):
        days = _year(year).workdays
        low = bisect_right(days, start.toordinal()) if year == start.year else 0
        high = bisect_right(days, end.toordinal()) if year == end.year else len(days)
        total += high - low
    return total


def month_days(year: int, month: int) -> list[CalendarDay]:
    """A month's rows, in date order; raises CalendarNotCovered when its year is incomplete."""
    _year(year)
    return list(CalendarDay.objects.filter(date__year=year, date__month=month))


# --- seeding from chinese_calendar ---------------------------------------------------------

def official_years() -> range:
    """The years the installed chinese_calendar package has data for (2004–2026 in 1.11.0)."""
    return range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def official_days(year: int) -> list[tuple[date, bool, str]]:
    """(date, is_workday, name) for every day of `year`, as chinese_calendar publishes it."""
    if year not in official_years():
        raise CalendarNotCovered(year, f"the chinese_calendar package covers "
                                       f"{official_years().start}–{official_years().stop - 1}")
    start = date(year, 1, 1)
    days = [start + timedelta(days=i) for i in range(_days_in_year(year))]
    try:
        return [(d, chinese_calendar.is_workday(d), _official_name(d)) for d in days]
    except NotImplementedError as exc:  # the package's way of saying "no data for that year"
        raise CalendarNotCovered(year, str(exc)) from None


def _official_name(d: date) -> str:
    _, holiday = chinese_calendar.get_holiday_detail(d)
    if holiday is None:
        return ""
    name = HOLIDAY_NAMES.get(holiday, holiday)
    # A named day that is a working day is a weekend made into a working day for the holiday.
    return f"{name}{ADJUSTED_WORKDAY}" if chinese_calendar.is_workday(d) else name


@dataclass
class SeedResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_admin: int = 0


def seed_into(model, years) -> SeedResult:
    """Write chinese_calendar's days for `years` into `model`, leaving admin rows alone.

    Takes the model class so the data migration can pass its historical model.
    """
    result = SeedResult()
    for year in years:
        _seed_year(model, year, result)
    return result


def _seed_year(model, year: int, result: SeedResult) -> None:
    source = CalendarDay.Source.CHINESE_CALENDAR
    existing = {row.date: row for row in model.objects.filter(date__year=year)}
    new, changed = [], []
    for day, working, name in official_days(year):
        row = existing.get(day)
        if row is None:
            new.append(model(date=day, is_workday=working, name=name, source=source))
        elif row.source == CalendarDay.Source.ADMIN:
            result.kept_admin += 1
        elif (row.is_workday, row.name, row.source) != (working, name, source):
            row.is_workday, row.name, row.source = working, name, source
            row.updated_at = timezone.now()
            changed.append(row)
        else:
            result.unchanged += 1
    model.objects.bulk_create(new)
    model.objects.bulk_update(changed, ["is_workday", "name", "source", "updated_at"])
    result.created += len(new)
    result.updated += len(changed)


def seed_from_chinese_calendar(years=None, *, actor: str) -> SeedResult:
    """Seed (idempotently) the given years, or every year chinese_calendar covers."""
    from xinyong.journal.services import log_event

    years = sorted(set(years)) if years else list(official_years())
    for year in years:
        official_days(year)  # fail before writing anything if any year is unknown
    with transaction.atomic():
        result = seed_into(CalendarDay, years)
        if result.created or result.updated:
            log_event(actor=actor, action="seed", object_type="calendar",
                      object_id=f"{years[0]}..{years[-1]}", new=asdict(result))
    forget()
    return result


def seed_if_empty(using: str = DEFAULT_DB_ALIAS) -> None:
    """Re-seed an empty calendar table; `flush` (and so every transactional test) empties it,
    and the data migration that filled it does not run again."""
    connection = connections[using]
    if using != DEFAULT_DB_ALIAS or CalendarDay._meta.db_table not in (
            connection.introspection.table_names()):
        return
    if not CalendarDay.objects.exists():
        seed_into(CalendarDay, official_years())
        forget()


# --- importing a year entered by an administrator -------------------------------------------

@dataclass
class ImportResult:
    years: list[int]
    days: int
    workdays: int


def import_calendar_csv(path, *, actor: str) -> ImportResult:
    """Import a CSV of `date,is_workday,name` rows; each year in it must be complete.

    Rows are marked source "admin", so `calendar seed` never overwrites them.
    """
    from xinyong.journal.services import log_event

    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarImportError(f"{path} is not UTF-8 text") from None
    days = _parse_csv(text)
    _check_complete(days)
    years = sorted({d.year for d in days})
    result = ImportResult(years, len(days), sum(1 for w, _ in days.values() if w))
    with transaction.atomic():
        _upsert_admin_days(days)
        log_event(actor=actor, action="import", object_type="calendar",
                  object_id=",".join(map(str, years)),
                  new={**asdict(result), "sha256": hashlib.sha256(raw).hexdigest()})
    forget()
    return result


def _parse_csv(text: str) -> dict[date, tuple[bool, str]]:
    days: dict[date, tuple[bool, str]] = {}
    problems: list[str] = []
    for line_no, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in cells]
        if not any(cells) or (line_no == 1 and cells[0].lower() == "date"):
            continue
        try:
            day, working, name = _parse_row(cells)
        except ValueError as exc:
            problems.append(f"line {line_no}: {exc}")
            continue
        if day in days:
            problems.append(f"line {line_no}: {day} appears twice")
        days[day] = (working, name)
    if not days and not problems:
        problems.append("the file has no rows")
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise CalendarImportError(f"calendar CSV rejected: {shown}{more}")
    return days


def _parse_row(cells: list[str]) -> tuple[date, bool, str]:
    if len(cells) not in (2, 3):
        raise ValueError(f"expected date,is_workday,name but found {len(cells)} columns")
    try:
        day = date.fromisoformat(cells[0])
    except ValueError:
        raise ValueError(f"{cells[0]!r} is not a date like 2027-01-01") from None
    flag = cells[1].lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        raise ValueError(f"is_workday {cells[1]!r} must be 1/0, true/false or yes/no")
    name = cells[2] if len(cells) == 3 else ""
    if len(name) > NAME_MAX_LENGTH:
        raise ValueError(f"name is longer than {NAME_MAX_LENGTH} characters")
    return day, flag in TRUE_WORDS, name


def _check_complete(days: dict[date, tuple[bool, str]]) -> None:
    problems = []
    for year in sorted({d.year for d in days}):
        start = date(year, 1, 1)
        every_day = (start + timedelta(days=i) for i in range(_days_in_year(year)))
        missing = [d for d in every_day if d not in days]
        if missing:
            problems.append(f"{year} is incomplete: {len(missing)} missing days "
                            f"({_date_ranges(missing)})")
    if problems:
        raise CalendarImportError("calendar CSV rejected: a year must be imported whole; "
                                  + "; ".join(problems))


def _date_ranges(dates: list[date], limit: int = 12) -> str:
    """Consecutive dates as ranges: '2027-02-01..2027-02-28, 2027-03-05'."""
    ranges: list[list[date]] = []
    for d in dates:
        if ranges and d - ranges[-1][1] == timedelta(days=1):
            ranges[-1][1] = d
        else:
            ranges.append([d, d])
    parts = [f"{a}" if a == b else f"{a}..{b}" for a, b in ranges[:limit]]
    if len(ranges) > limit:
        parts.append(f"and {len(ranges) - limit} more ranges")
    return ", ".join(parts)


def _upsert_admin_days(days: dict[date, tuple[bool, str]]) -> None:
    now = timezone.now()
    rows = [CalendarDay(date=d, is_workday=w, name=n, source=CalendarDay.Source.ADMIN,
                        updated_at=now) for d, (w, n) in sorted(days.items())]
    CalendarDay.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["date"],
        update_fields=["is_workday", "name", "source", "updated_at"],
    )
