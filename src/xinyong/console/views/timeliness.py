"""Timeliness (报送及时性) per department and item over a period."""

from datetime import date

from django.shortcuts import render
from django.utils import timezone

from xinyong.records.timeliness import Counts, timeliness

from ..access import console_view
from ..forms import PeriodForm


def _period_form(request) -> PeriodForm:
    if "start" in request.GET or "end" in request.GET:
        return PeriodForm(request.GET)
    today = timezone.localdate()
    return PeriodForm({"start": date(today.year, 1, 1), "end": today})


@console_view()
def timeliness_page(request):
    viewer = request.viewer
    form = _period_form(request)
    rows, total = [], Counts()
    if form.is_valid():
        departments = None if viewer.sees_all else [viewer.department.pk]
        rows = timeliness(form.cleaned_data["start"], form.cleaned_data["end"],
                          departments=departments)
        for row in rows:
            total.add(row.counts)
    return render(request, "console/timeliness.html",
                  {"form": form, "rows": rows, "total": total})
