import getpass
import re

from django.core.management.base import BaseCommand, CommandError

from xinyong.core.calendar import (
    CalendarImportError,
    CalendarNotCovered,
    import_calendar_csv,
    month_days,
    official_years,
    seed_from_chinese_calendar,
)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
REST_MARK, WEEKEND_WORK_MARK, PLAIN_MARK = "休", "班", "  "  # CJK marks are two columns wide


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


class Command(BaseCommand):
    help = (
        "Working-day calendar (工作日历): `seed [--year YYYY ...]` from chinese_calendar, "
        "`import FILE` a CSV of date,is_workday,name covering whole years, `show YYYY-MM`."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        seed = actions.add_parser("seed", help="seed years from the chinese_calendar package "
                                               "(never overwrites days entered by an admin)")
        seed.add_argument("--year", type=int, action="append", dest="years", metavar="YYYY")
        imp = actions.add_parser("import", help="import whole years from a CSV "
                                                "(date,is_workday,name)")
        imp.add_argument("file")
        show = actions.add_parser("show", help="print one month")
        show.add_argument("month", metavar="YYYY-MM")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except (CalendarNotCovered, CalendarImportError) as exc:
            raise CommandError(str(exc)) from None

    def handle_seed(self, *, years, **options):
        result = seed_from_chinese_calendar(years, actor=cli_actor())
        span = official_years() if not years else sorted(set(years))
        self.stdout.write(
            f"calendar seeded for {span[0]}–{span[-1]}: {result.created} days added, "
            f"{result.updated} updated, {result.unchanged} unchanged, "
            f"{result.kept_admin} entered by an administrator kept"
        )

    def handle_import(self, *, file, **options):
        try:
            result = import_calendar_csv(file, actor=cli_actor())
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        years = ", ".join(map(str, result.years))
        self.stdout.write(f"calendar imported for {years}: {result.days} days, "
                          f"{result.workdays} working days")

    def handle_show(self, *, month, **options):
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", month)
        if not match or not 1 <= int(match[2]) <= 12:
            raise CommandError(f"{month!r} is not a month like 2026-10")
        days = month_days(int(match[1]), int(match[2]))
        for line in render_month(days):
            self.stdout.write(line)


def render_month(days) -> list[str]:
    first = days[0].date
    working = sum(1 for d in days if d.is_workday)
    lines = [f"{first:%Y-%m}: {working} working days, {len(days) - working} rest days",
             " ".join(f"{w:<4}" for w in WEEKDAYS).rstrip()]
    cells = ["    "] * first.weekday() + [f"{d.date.day:>2}{_mark(d)}" for d in days]
    lines += [" ".join(cells[i:i + 7]).rstrip() for i in range(0, len(cells), 7)]
    lines.append(f"{REST_MARK} = rest day, {WEEKEND_WORK_MARK} = weekend working day (调休上班)")
    lines += [_describe(d) for d in days if d.name]
    return lines


def _mark(day) -> str:
    if not day.is_workday:
        return REST_MARK
    return WEEKEND_WORK_MARK if day.date.weekday() >= 5 else PLAIN_MARK


def _describe(day) -> str:
    kind = "working day" if day.is_workday else "rest day"
    return f"{day.date.isoformat()} {WEEKDAYS[day.date.weekday()]}  {kind:<11}  {day.name}"

