"""Checks (核查) and joint rewards and punishments (联合奖惩): run a check, read it and report
feedback on its measures, the list of checks, and the statistics with their charts."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyong.catalog.models import Behaviour, Measure, Nature, Term
from xinyong.measures.models import Check, CheckMeasure, FeedbackStatus
from xinyong.measures.rules import rules
from xinyong.measures.services import (
    CheckError,
    FeedbackIn,
    cases,
    give_feedback,
    overdue,
    run_check,
    statistics,
)

from ..access import console_view, forbidden
from ..forms import CheckForm, CheckPeriodForm, FeedbackForm
from .common import page_of

SUBJECTS_PER_PAGE = 50
CASES_SHOWN = 50
CHART_BARS = 15


def _is_overdue(check: Check, today) -> bool:
    return bool(check.feedback_pending and check.feedback_due and check.feedback_due < today)


# ---- the list ---------------------------------------------------------------------------

@console_view()
def check_list(request):
    viewer = request.viewer
    checks = viewer.checks().order_by("-checked_at", "-id")
    params = {name: request.GET.get(name, "") for name in ("overdue", "matter", "department")}
    if params["overdue"]:
        checks = overdue(checks)
    if params["matter"]:
        checks = checks.filter(matter=params["matter"])
    if viewer.sees_all and params["department"]:
        checks = checks.filter(department__code=params["department"])
    page = page_of(request, checks)
    today = timezone.localdate()
    matters = rules().matters
    rows = [{"check": c, "matter": matters.get(c.matter, c.matter),
             "overdue": _is_overdue(c, today)} for c in page]
    return render(request, "console/checks.html", {
        "page": page, "rows": rows, **params,
        "matters": sorted(matters.items(), key=lambda pair: pair[1]),
        "departments": viewer.departments() if viewer.sees_all else None})


# ---- a new check ------------------------------------------------------------------------

@console_view(methods=("GET", "POST"), allow=lambda viewer: viewer.can_check)
def check_new(request):
    viewer = request.viewer
    matters = rules().matters
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = CheckForm(*data, matters=matters)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            check = run_check(department=viewer.department, matter=data["matter"],
                              purpose=data["purpose"], queries=data["queries"],
                              username=viewer.username, channel="console")
        except CheckError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("console:check", pk=check.pk)
    return render(request, "console/check_new.html", {"form": form})


# ---- one check and its feedback ---------------------------------------------------------

def _measure_labels() -> tuple[dict, dict]:
    types = dict(Term.objects.filter(vocabulary="measure_type").values_list("code", "name"))
    return dict(Measure.Category.choices), types


def _records(result: dict) -> list[dict]:
    """The result's records with the labels of their nature and severity (stored as codes)."""
    natures, severities = dict(Nature.choices), dict(Behaviour.Severity.choices)
    return [{**r, "nature_label": natures.get(r["nature"], r["nature"]),
             "severity_label": severities.get(r["severity"], r["severity"] or "")}
            for r in result.get("records", [])]


def _feedback_form(row, data=None) -> FeedbackForm:
    """The form of one measure, showing the feedback given so far (it may be corrected)."""
    initial = {} if row.status == FeedbackStatus.PENDING else {
        "status": row.status, "handler": row.handler, "acted_on": row.acted_on,
        "reason": row.reason, "outcome": row.outcome}
    return FeedbackForm(data, prefix=f"m{row.pk}", initial=initial)


def _subjects(check: Check, results: list, bound: dict, may_report: bool) -> list[dict]:
    """The page's results with each measure's feedback row and, for whoever may report,
    its form (`bound` holds the form that came back with errors)."""
    rows = {m.pk: m for m in check.measures.all()}
    categories, types = _measure_labels()
    snapshot = rules()
    triggers = {lt.code: lt.name for lt in snapshot.list_types.values()} | {
        b.code: b.name for b in snapshot.behaviours.values()}
    shown = []
    for result in results:
        measures = []
        for measure in result.get("measures", []):
            row = rows.get(measure.get("id"))
            form = (bound.get(row.pk) or _feedback_form(row)) if may_report and row else None
            measures.append({**measure, "row": row, "form": form,
                             "category_label": categories.get(measure["category"],
                                                              measure["category"]),
                             "type_label": types.get(measure["type"], measure["type"]),
                             "triggers": [triggers.get(code, code)
                                          for code in measure["triggered_by"]]})
        shown.append({**result, "records": _records(result), "measures": measures})
    return shown


def _report(request, check: Check) -> dict:
    """Give the posted feedback; {measure id: form} when the form must be shown again."""
    try:
        row = check.measures.get(pk=int(request.POST.get("measure", "")))
    except (ValueError, CheckMeasure.DoesNotExist):
        messages.error(request, _("This measure is not part of the check."))
        return {}
    form = _feedback_form(row, request.POST)
    if not form.is_valid():
        return {row.pk: form}
    data = form.cleaned_data
    try:
        give_feedback(check, [FeedbackIn(measure_id=row.pk, status=data["status"],
                                         handler=data["handler"], acted_on=data["acted_on"],
                                         reason=data["reason"], outcome=data["outcome"])],
                      reported_by=request.viewer.username)
    except CheckError as exc:
        messages.error(request, str(exc))
        return {row.pk: form}
    messages.success(request, _("The feedback was recorded."))
    return {}


def _with_findings(result: dict) -> bool:
    return bool(result.get("entries") or result.get("records") or result.get("measures")
                or result.get("warning") or result.get("status") != "found")


@console_view(methods=("GET", "POST"))
def check_detail(request, pk):
    viewer = request.viewer
    check = get_object_or_404(viewer.checks(), pk=pk)
    may_report = viewer.can_feedback(check)
    bound = {}
    if request.method == "POST":
        if not may_report:
            return forbidden(request, _("Only the checking department reports feedback."))
        bound = _report(request, check)
        if not bound:
            return redirect(request.get_full_path())
    findings = request.GET.get("findings") == "1"
    results = [r for r in check.results if _with_findings(r)] if findings else check.results
    page = page_of(request, results, size=SUBJECTS_PER_PAGE)
    return render(request, "console/check.html", {
        "check": check, "matter": rules().matters.get(check.matter, check.matter),
        "overdue": _is_overdue(check, timezone.localdate()), "page": page,
        "findings": findings, "subjects": _subjects(check, page, bound, may_report),
        "may_report": may_report})


# ---- statistics ---------------------------------------------------------------------------

def _period(request) -> CheckPeriodForm:
    return CheckPeriodForm(request.GET if {"start", "end"} & set(request.GET) else {})


def _scope(request, form: CheckPeriodForm):
    """The checks the statistics cover: the viewer's, in the period and department asked."""
    viewer = request.viewer
    checks = viewer.checks()
    department = request.GET.get("department", "")
    if viewer.sees_all and department:
        checks = checks.filter(department__code=department)
    if not form.is_valid():
        return checks.none(), department  # say what is wrong rather than show all
    if form.cleaned_data["start"]:
        checks = checks.filter(checked_on__gte=form.cleaned_data["start"])
    if form.cleaned_data["end"]:
        checks = checks.filter(checked_on__lte=form.cleaned_data["end"])
    return checks.order_by(), department  # unordered: statistics groups over them


FEEDBACK_SERIES = [("applied", "applied"), ("not_applied", "not-applied"),
                   ("not_applicable", "not-applicable"), ("pending", "pending")]


def _bar_chart(key: str, title: str, rows: list[dict], label, series: list[tuple[str, str]],
               names: dict) -> dict:
    """A horizontal bar chart as geometry for an inline SVG: one bar a row, its segments
    stacked in `series` order (key, CSS class). Only the first CHART_BARS rows are drawn;
    the table beside the chart lists them all."""
    width, label_width, value_width, row_height = 640, 220, 48, 24
    scale_width = width - label_width - value_width
    drawn = rows[:CHART_BARS]
    largest = max((sum(row[k] or 0 for k, _css in series) for row in drawn), default=0) or 1
    bars = []
    for index, row in enumerate(drawn):
        x, segments = label_width, []
        for series_key, css in series:
            value = row[series_key] or 0
            size = round(value * scale_width / largest)
            if value:
                segments.append({"x": x, "width": max(size, 1), "css": css, "value": value,
                                 "name": names[series_key]})
            x += size
        text = str(label(row))
        bars.append({"y": index * row_height, "label": text,
                     "short": text if len(text) <= 14 else text[:13] + "…",
                     "total": sum(s["value"] for s in segments), "end": x + 4,
                     "segments": segments})
    return {"id": f"chart-{key}", "title": title, "width": width, "label_x": label_width - 6,
            "height": max(len(bars), 1) * row_height, "bars": bars, "bar_height": row_height - 6,
            "text_y": row_height // 2 + 1, "truncated": len(rows) > CHART_BARS,
            "legend": [(css, names[k]) for k, css in series] if len(series) > 1 else []}


def _charts(stats: dict) -> list[dict]:
    feedback = {"applied": _("applied"), "not_applied": _("not applied"),
                "not_applicable": _("not applicable"), "pending": _("awaiting feedback")}
    return [
        _bar_chart("departments", _("Checks per department"), stats["departments"],
                   lambda row: row["department"], [("checks", "value")],
                   {"checks": _("checks")}),
        _bar_chart("measures", _("Measures found applicable, by feedback"), stats["measures"],
                   lambda row: row["measure__name"], FEEDBACK_SERIES, feedback),
        _bar_chart("lists", _("List entries found by checks"), stats["list_types"],
                   lambda row: row["list_type__name"], [("hits", "value")],
                   {"hits": _("entries found")}),
    ]


@console_view()
def check_stats(request):
    viewer = request.viewer
    form = _period(request)
    checks, department = _scope(request, form)
    stats = statistics(checks)
    categories = dict(Measure.Category.choices)
    for row in stats["measures"]:
        row["category_label"] = categories.get(row["measure__category"], "")
    return render(request, "console/check_stats.html", {
        "form": form, "stats": stats, "charts": _charts(stats),
        "cases": cases(checks)[:CASES_SHOWN], "cases_shown": CASES_SHOWN,
        "department": department,
        "departments": viewer.departments() if viewer.sees_all else None})

