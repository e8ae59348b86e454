"""Credit records of the department: search, one record with its history, revocation."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from xinyong.catalog.models import InformationItem
from xinyong.core.text import normalize_code, normalize_name
from xinyong.records.models import Status
from xinyong.records.services import history, revoke_record
from xinyong.subjects.search import CODE_SHAPE

from ..access import console_view, forbidden
from ..forms import RevokeForm
from .common import labelled, page_of

QUERY_MAX = 100


def _search(records, query: str):
    """By business key (a part of it), subject code (exact) or subject name (a part)."""
    code = normalize_code(query)
    if CODE_SHAPE.match(code):
        return records.filter(Q(subject__code=code) | Q(business_key__contains=query))
    return records.filter(Q(business_key__contains=query)
                          | Q(subject__name_norm__contains=normalize_name(query)))


@console_view()
def record_list(request):
    viewer = request.viewer
    records = viewer.records().order_by("-id")
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    if query:
        records = _search(records, query)
    item = request.GET.get("item", "")
    if item:
        records = records.filter(item__code=item)
    department = request.GET.get("department", "")
    if viewer.sees_all and department:
        records = records.filter(department__code=department)
    items = InformationItem.objects.filter(active=True)
    if not viewer.sees_all:
        items = items.filter(providers=viewer.department)
    return render(request, "console/records.html", {
        "page": page_of(request, records), "query": query, "item": item, "items": items,
        "department": department,
        "departments": viewer.departments() if viewer.sees_all else None})


def _record_page(request, record, form):
    return render(request, "console/record.html", {
        "record": record, "values": labelled(record.item, record.fields),
        "versions": history(record), "form": form,
        "can_revoke": request.viewer.can_revoke(record) and record.status == Status.ACTIVE})


@console_view()
def record_detail(request, pk):
    record = get_object_or_404(request.viewer.records(), pk=pk)
    return _record_page(request, record, RevokeForm())


@console_view(methods=("POST",))
def record_revoke(request, pk):
    record = get_object_or_404(request.viewer.records(), pk=pk)
    if not request.viewer.can_revoke(record):
        return forbidden(request, _("Only data officers of the record's department revoke it."))
    if record.status != Status.ACTIVE:
        messages.error(request, _("This record is already revoked."))
        return redirect("console:record", pk=record.pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _record_page(request, record, form)
    try:
        revoke_record(record, reason=form.cleaned_data["reason"],
                      actor=request.viewer.username, on=form.cleaned_data["revoked_on"])
    except ValueError:  # revoked meanwhile by someone else
        messages.error(request, _("This record is already revoked."))
    else:
        messages.success(request, _("The record was revoked."))
    return redirect("console:record", pk=record.pk)
