"""The public JSON API: the website's data for machines, under the same disclosure rules (all of
it comes from `disclosure`) and rate-limited per client address."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.throttling import SimpleRateThrottle

from xinyong.catalog.models import InformationItem
from xinyong.subjects.search import search_organisations

from . import columns as col
from .disclosure import (
    data_as_of,
    find_public_subject,
    list_entries,
    profile_entries,
    profile_records,
    public_entry,
    public_lists,
    public_measures,
    public_record,
    public_subject,
)
from .views import PER_PAGE


class PerAddressThrottle(SimpleRateThrottle):
    """`XINYONG_PUBLIC_API_RATE` requests per client address (REMOTE_ADDR, or the address the
    `NINJA_NUM_PROXIES` trusted proxies report), counted in the Django cache."""

    scope = "public"

    def __init__(self):
        super().__init__(settings.XINYONG_PUBLIC_API_RATE)

    def allow_request(self, request) -> bool:
        # Read per request, so a changed setting (or a test's override) takes effect.
        self.num_requests, self.duration = self.parse_rate(settings.XINYONG_PUBLIC_API_RATE)
        return super().allow_request(request)

    def get_cache_key(self, request):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


router = Router(tags=["public"], throttle=[PerAddressThrottle()])


class FormerNameOut(Schema):
    name: str
    valid_from: date | None
    valid_to: date


class SubjectOut(Schema):
    code: str
    name: str
    base: str
    subject_type: str
    status: str
    division: str
    legal_representative: str | None
    established: date | None
    registered_capital: Decimal | None
    address: str | None
    industry: str | None
    registration_authority: str | None
    former_names: list[FormerNameOut]


class FieldOut(Schema):
    code: str
    name: str
    value: str


class RecordOut(Schema):
    item_code: str
    item_name: str
    section: str
    subject_code: str
    subject_name: str
    department: str
    decision_date: date | None
    publicity_end: date | None
    fields: list[FieldOut]


class EntryOut(Schema):
    list_code: str
    list_name: str
    kind: str
    subject_code: str
    subject_name: str
    recognised_by: str
    document_number: str
    reason: str
    listed_on: date | None
    valid_until: date | None  # the last day listed; null: until an exit


class Disclosed(Schema):
    today: date  # the day publicity windows were applied
    as_of: datetime | None  # when the newest data reached the platform


class ProfileOut(Disclosed):
    subject: SubjectOut
    lists: list[EntryOut]  # the subject's entries on public lists, listed today
    records: list[RecordOut]


class HitOut(Schema):
    code: str
    name: str
    matched_name: str
    current_name: bool
    match: str
    subject_type: str
    status: str


class SearchOut(Disclosed):
    query: str
    total: int
    more: bool
    page: int
    pages: int
    results: list[HitOut]


class PageOut(Disclosed):
    total: int
    page: int
    pages: int
    results: list[RecordOut]


class EntryPageOut(Disclosed):
    total: int
    page: int
    pages: int
    results: list[EntryOut]


class ListTypeOut(Schema):
    code: str
    name: str
    kind: str
    department: str | None
    legal_basis: str
    default_validity_months: int | None


class CodeName(Schema):
    code: str
    name: str


class TriggerListOut(CodeName):
    public: bool  # has a public list page (/lists/{code})


class MeasureOut(Schema):
    code: str
    name: str
    content: str
    category: str  # incentive, rights_reducing, management or non_public
    type: str
    type_name: str
    legal_basis: str
    departments: list[str]
    implementers: str
    list_types: list[TriggerListOut]
    behaviours: list[CodeName]
    matters: list[CodeName]  # empty: every business matter


def _disclosed() -> dict:
    return {"today": timezone.localdate(),
            "as_of": data_as_of()}


def _record(record) -> dict:
    r = public_record(record)
    return {**r.__dict__, "fields": [{"code": c, "name": n, "value": v} for c, n, v in r.fields]}


def _entry(entry) -> dict:
    return public_entry(entry).__dict__


def _page(rows, page: int, shown=_record) -> dict:
    found = Paginator(rows, PER_PAGE).get_page(page)
    return {**_disclosed(), "total": found.paginator.count, "page": found.number,
            "pages": found.paginator.num_pages,
            "results": [shown(r) for r in found.object_list]}


@router.get("/search", response=SearchOut, summary="Search organisations by name, former name "
            "or code (at least two characters of a name)")
def search(request, q: str, page: int = 1):
    results = search_organisations(q, page=page, per_page=PER_PAGE)
    return {**_disclosed(), "query": results.query, "total": results.total,
            "more": results.more, "page": results.page, "pages": results.pages,
            "results": [{"code": h.subject.code, "name": h.subject.name, "matched_name": h.name,
                         "current_name": h.current, "match": h.tier,
                         "subject_type": h.subject.subject_type, "status": h.subject.status}
                        for h in results.hits]}


@router.get("/subjects/{code}", response=ProfileOut, summary="Credit profile of an "
            "organisation by its unified social credit code or a legacy code")
def profile(request, code: str):
    subject = find_public_subject(code)
    # Persons answer exactly like unknown codes, so the API does not reveal who is registered.
    if subject is None:
        raise HttpError(404, "no public subject with this code")
    records = profile_records(subject)
    return {**_disclosed(), "subject": public_subject(subject),
            "lists": [_entry(e) for e in profile_entries(subject)],
            "records": [_record(r) for r in records]}


class ColumnFilters(Schema):
    department: str = ""
    district: str = ""
    category: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1


@router.get("/columns/{slug}", response=PageOut, summary="双公示: administrative licences "
            "(licences) or penalties (penalties), newest first")
def column(request, slug: str, filters: Query[ColumnFilters]):
    column = col.COLUMNS.get(slug)
    if column is None:
        raise HttpError(404, "no such column; use licences or penalties")
    item = get_object_or_404(InformationItem, code=column.item_code, active=True)
    data = filters.dict(exclude={"page"}, exclude_none=True)
    form = col.FilterForm({k: str(v) for k, v in data.items()}, item=item, column=column)
    if data and not form.is_valid():
        raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return _page(col.filtered(item, column, form), filters.page)


@router.get("/lists", response=list[ListTypeOut], summary="The public credit lists")
def lists(request):
    return [{"code": t.code, "name": t.name, "kind": t.kind, "legal_basis": t.legal_basis,
             "department": t.department.name if t.department else None,
             "default_validity_months": t.default_validity_months}
            for t in public_lists()]


@router.get("/lists/{code}", response=EntryPageOut, summary="Entries of a public list listed "
            "today (organisations only), newest listing first")
def list_page(request, code: str, page: int = 1):
    list_type = get_object_or_404(public_lists(), code=code)
    return _page(list_entries(list_type), page, _entry)


@router.get("/measures", response=list[MeasureOut], summary="The measures list (应用清单): "
            "incentives and punishments with their content, legal basis, implementing units, "
            "triggering lists and behaviours, and business matters")
def measures(request):
    return [{**m.__dict__,
             "list_types": [{"code": c, "name": n, "public": p} for c, n, p in m.list_types],
             "behaviours": [{"code": c, "name": n} for c, n in m.behaviours],
             "matters": [{"code": c, "name": n} for c, n in m.matters]}
            for group in public_measures() for m in group.measures]
