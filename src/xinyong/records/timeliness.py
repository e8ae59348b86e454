"""报送及时性 — how many records each department reported on time, per item, over a period.

A record counts in the period it was received in. It is on time when it arrived by its
reporting due date (e.g. 双公示: decision date + 7 working days), late after it, and unknown
when it has no due date (an item without a deadline, or a year the working-day calendar does
not cover yet). The rate is on time / (on time + late): unknown records are left out of it.

One GROUP BY query over the records of the period; the department and item names come from
two small look-ups.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from xinyong.catalog.models import Department, InformationItem

from .models import Record

__all__ = ["Counts", "DepartmentTimeliness", "ItemTimeliness", "timeliness"]


@dataclass
class Counts:
    received: int = 0
    on_time: int = 0
    late: int = 0
    unknown: int = 0

    @property
    def rate(self) -> float | None:
        """Share of records with a due date that arrived on time (0..1), or None."""
        known = self.on_time + self.late
        return self.on_time / known if known else None

    def add(self, other: "Counts") -> None:
        self.received += other.received
        self.on_time += other.on_time
        self.late += other.late
        self.unknown += other.unknown


@dataclass
class ItemTimeliness:
    item: InformationItem
    counts: Counts


@dataclass
class DepartmentTimeliness:
    department: Department
    counts: Counts = field(default_factory=Counts)
    items: list[ItemTimeliness] = field(default_factory=list)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _grouped(start: date, end: date, departments: Iterable[int] | None):
    records = Record.objects.filter(received_at__gte=_start_of(start),
                                    received_at__lt=_start_of(end + timedelta(days=1)))
    if departments is not None:
        records = records.filter(department_id__in=list(departments))
    return (records.order_by().values_list("department_id", "item_id")
            .annotate(n_received=Count("id"), n_on_time=Count("id", filter=Q(on_time=True)),
                      n_late=Count("id", filter=Q(on_time=False)),
                      n_unknown=Count("id", filter=Q(on_time__isnull=True))))


def timeliness(start: date, end: date, *, departments: Iterable[int] | None = None
               ) -> list[DepartmentTimeliness]:
    """Per department (by code), with its items (by code): records received from `start`
    to `end` inclusive (local dates). `departments` (ids) limits the departments; None
    means all. Departments without records in the period are left out."""
    grouped = list(_grouped(start, end, departments))
    names = Department.objects.in_bulk({row[0] for row in grouped})
    items = InformationItem.objects.in_bulk({row[1] for row in grouped})
    result: dict[int, DepartmentTimeliness] = {}
    for department_id, item_id, *numbers in grouped:
        counts = Counts(*numbers)
        entry = result.setdefault(department_id,
                                  DepartmentTimeliness(names[department_id]))
        entry.counts.add(counts)
        entry.items.append(ItemTimeliness(items[item_id], counts))
    for entry in result.values():
        entry.items.sort(key=lambda i: i.item.code)
    return sorted(result.values(), key=lambda d: d.department.code)
