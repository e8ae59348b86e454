"""Periods counted in months (公示期, list validity) under 民法典 Arts. 201–203.

The start day is not counted; a period of N months ends on the corresponding day of the
N-th month after the start, or on that month's last day when it has no such day; a last
day that falls on a rest day or statutory holiday moves to the next working day.
"""

import calendar as month_calendar
from datetime import date

from xinyong.core.calendar import CalendarNotCovered, add_working_days, is_workday

__all__ = ["add_months", "period_end"]


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def period_end(start: date, months: int) -> date:
    """The last day of a period of `months` months starting on `start`.

    Periods often end years ahead, beyond the years the working-day calendar holds; then the
    nominal end is returned unadjusted (it can only move later, by the length of a holiday).
    """
    end = add_months(start, months)
    try:
        return end if is_workday(end) else add_working_days(end, 0)
    except CalendarNotCovered:
        return end
