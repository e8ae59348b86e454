"""The public website 信用青岛. Views only parse the request and render; what may be shown
comes from `disclosure`."""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode

from xinyong.catalog.models import InformationItem
from xinyong.catalog.sections import SECTIONS
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.search import search_organisations

from . import columns as col
from .disclosure import (
    PROFILE_LIMIT,
    data_as_of,
    find_public_subject,
    list_entries,
    profile_entries,
    profile_records,
    public_entry,
    public_lists,
    public_measures,
    public_record,
    public_records,
    public_subject,
)

PER_PAGE = 20
COUNTS_SECONDS = 600  # counting millions of subjects is cached, not done per visit


def _context(**context):
    """Context every public page has: the day publicity was judged and when data arrived."""
    return {"today": timezone.localdate(), "as_of": data_as_of(), **context}


def _base_counts() -> list[tuple[str, int]]:
    # The counts are cached, the labels not: they are in the visitor's language.
    counts = cache.get_or_set("portal:base_counts", lambda: dict(
        Subject.objects.values_list("base").annotate(n=Count("id")).order_by()), COUNTS_SECONDS)
    return [(label, counts.get(value, 0)) for value, label in Base.choices]


def _month_count() -> int:
    today = timezone.localdate()
    return public_records().filter(publicity_start__gte=today.replace(day=1)).count()


def home(request):
    latest = {}
    for column in col.COLUMNS.values():
        item = InformationItem.objects.filter(code=column.item_code).first()
        records = public_records(item=item).select_related("item", "subject", "department") \
            .order_by("-decision_date", "-id")[:5] if item else []
        latest[column] = [public_record(r) for r in records]
    return render(request, "portal/home.html", _context(
        databases=_base_counts(),
        this_month=cache.get_or_set("portal:month_count", _month_count, COUNTS_SECONDS),
        latest=latest, lists=public_lists()))


def search(request):
    results = search_organisations(request.GET.get("q", ""), page=_int(request, "page"),
                                   per_page=PER_PAGE)
    return render(request, "portal/search.html", _context(
        results=results, query=results.query, page_query=urlencode({"q": results.query})))


def subject(request, code):
    found = find_public_subject(code)
    if found is None:
        raise Http404("no public subject with this code")
    records = profile_records(found)
    return render(request, "portal/subject.html", _context(
        subject=public_subject(found), sections=_sections(records),
        entries=[public_entry(e) for e in profile_entries(found)],
        truncated=len(records) == PROFILE_LIMIT))


def _sections(records) -> list[dict]:
    """Sections in report order, each with its items and their records; empty ones left out."""
    by_section: dict[str, dict[str, list]] = {}
    for record in map(public_record, records):
        by_section.setdefault(record.section, {}).setdefault(record.item_name, []).append(record)
    return [{"code": code, "title": title, "items": sorted(by_section[code].items())}
            for code, title in SECTIONS if code in by_section]


def column(request, slug):
    column, item, form = _column(request, slug)
    page = Paginator(col.filtered(item, column, form), PER_PAGE).get_page(request.GET.get("page"))
    shown = [public_record(r) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "portal/column.html", _context(
        column=column, form=form, page=page, rows=col.rows(column, shown),
        headers=[h for _, h in column.columns], query=query.urlencode(),
        export_limit=col.EXPORT_LIMIT))


def column_export(request, slug, fmt):
    column, item, form = _column(request, slug)
    records = col.filtered(item, column, form)
    name = f"{item.code}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        response = StreamingHttpResponse(col.export_csv(column, records),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(col.export_xlsx(column, records), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _column(request, slug):
    column = col.COLUMNS.get(slug)
    if column is None:
        raise Http404("no such column")
    item = get_object_or_404(InformationItem, code=column.item_code, active=True)
    return column, item, col.FilterForm(request.GET or None, item=item, column=column)


def lists(request):
    return render(request, "portal/lists.html", _context(lists=public_lists()))


def list_page(request, code):
    list_type = get_object_or_404(public_lists(), code=code)
    page = Paginator(list_entries(list_type), PER_PAGE).get_page(request.GET.get("page"))
    triggered = [m for group in public_measures() for m in group.measures
                 if list_type.code in {c for c, _, _ in m.list_types}]
    return render(request, "portal/list.html", _context(
        list_type=list_type, page=page, measures=triggered,
        entries=[public_entry(e) for e in page.object_list]))


def measures(request):
    groups = public_measures()
    return render(request, "portal/measures.html", _context(
        incentives=[g for g in groups if g.incentive],
        punishments=[g for g in groups if not g.incentive]))


def _int(request, name: str) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 1

