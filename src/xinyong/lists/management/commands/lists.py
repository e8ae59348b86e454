from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.db.models import Count

from xinyong.lists.models import ListEntry
from xinyong.lists.services import expire_due, sync_all


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = ("Red and black lists (名单): `lists expire` ends entries past their last day (run "
            "daily); `lists sync` rebuilds entries from the list items' records; `lists "
            "status` counts entries per list type and status.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser("expire", help="exit every entry whose validity has ended")
        expire.add_argument("--today", type=_date, help="the day to run for (default today)")
        sub.add_parser("sync", help="create or update entries from every list record")
        sub.add_parser("status", help="entries per list type and status")

    def handle(self, *args, action, **options):
        try:
            getattr(self, action)(**options)
        except DatabaseError as exc:
            raise CommandError(f"database error (did you run `xinyong migrate`?): {exc}") \
                from None

    def expire(self, today=None, **options):
        count = expire_due(today)
        self.stdout.write(f"{count} entries expired")

    def sync(self, **options):
        result = sync_all(actor="system:lists sync")
        self.stdout.write(f"{len(result.created)} entries created, {len(result.changed)} "
                          f"updated, {len(result.withdrawn)} red-list entries withdrawn")

    def status(self, **options):
        rows = ListEntry.objects.values("list_type__code", "list_type__name", "status") \
            .annotate(n=Count("id")).order_by("list_type__code", "status")
        for row in rows:
            self.stdout.write(f"{row['list_type__code']:<10} {row['status']:<8} {row['n']:>8}  "
                              f"{row['list_type__name']}")
