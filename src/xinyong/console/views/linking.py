"""The linking queue (关联队列) of the credit centre: rows waiting for a subject."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xinyong.catalog.models import InformationItem
from xinyong.collection.models import BatchRow
from xinyong.collection.queue import (
    QueueError,
    confirm_code,
    confirmable_code,
    dismiss_row,
    link_key,
    link_row,
    row_codes,
    row_name,
    waiting_like,
)
from xinyong.core.text import normalize_name
from xinyong.subjects.confirmed import check_character_fault
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.search import search_organisations
from xinyong.subjects.services import find_by_code

from ..access import console_view, forbidden
from ..forms import LinkForm, ReasonForm
from .common import labelled, page_of

CANDIDATES = 20
QUERY_MAX = 100


def _can_link(viewer) -> bool:
    return viewer.can_link


def _entry(row: BatchRow) -> dict:
    item = row.batch.item
    return {"row": row, "name": row_name(item, row.fields),
            "codes": row_codes(item, row.fields), "key": link_key(item, row.fields)}


@console_view(allow=_can_link)
def queue(request):
    rows = (BatchRow.objects.filter(status=BatchRow.Status.WAITING)
            .select_related("batch__item", "batch__department").order_by("batch_id",
                                                                          "row_number"))
    item = request.GET.get("item", "")
    items = InformationItem.objects.filter(pk__in=rows.order_by().values("batch__item_id"))
    if item:
        rows = rows.filter(batch__item__code=item)
    page = page_of(request, rows)
    return render(request, "console/linking.html", {
        "page": page, "entries": [_entry(row) for row in page], "item": item,
        "items": items})


def _suggested(row: BatchRow) -> list[Subject]:
    """Subjects the row may be about: the code with corrected check characters, and every
    organisation carrying the row's exact (normalised) name."""
    item = row.batch.item
    found = []
    for code in row_codes(item, row.fields):
        fixed = check_character_fault(code)
        subject = find_by_code(fixed.value if fixed else code)
        if subject:
            found.append(subject)
    name = normalize_name(row_name(item, row.fields))
    if name:
        found += list(Subject.objects.filter(name_norm=name).exclude(base=Base.PERSON)
                      [:CANDIDATES])
    return found


def _searched(query: str) -> list[Subject]:
    return [hit.subject for hit in search_organisations(query, per_page=CANDIDATES).hits]


def _candidates(row: BatchRow, query: str) -> list[Subject]:
    unique = {}
    for subject in _suggested(row) + (_searched(query) if query else []):
        unique.setdefault(subject.pk, subject)
    return list(unique.values())[:CANDIDATES * 2]


def _posted_subject(request) -> list[Subject]:
    value = request.POST.get("link-subject", "")
    if not (value.isascii() and value.isdigit()):
        return []
    return list(Subject.objects.filter(pk=int(value)))


def _forms(request, candidates: list[Subject], *, confirm_only: bool) -> dict:
    action = request.POST.get("action") if request.method == "POST" else None
    confirm = ReasonForm(request.POST if action == "confirm" else None, prefix="confirm")
    if confirm_only:
        return {"confirm": confirm}
    return {
        "link": LinkForm(request.POST if action == "link" else None, prefix="link",
                         candidates=_posted_subject(request) if action == "link"
                         else candidates),
        "confirm": confirm,
        "dismiss": ReasonForm(request.POST if action == "dismiss" else None,
                              prefix="dismiss"),
    }


def _decide(request, row: BatchRow, action: str, form) -> str:
    """Carry out the decision; the message to show."""
    actor, reason = request.viewer.username, form.cleaned_data["reason"]
    if action == "dismiss":
        dismiss_row(row, actor=actor, reason=reason)
        return _("The row was dismissed; it counts as rejected in its batch.")
    if action == "confirm":
        rows = confirm_code(row, actor=actor, reason=reason)
    else:
        subject = Subject.objects.get(pk=form.cleaned_data["subject"])
        rows = link_row(row, subject, actor=actor, reason=reason)
    return ngettext("%(n)d waiting row was linked.", "%(n)d waiting rows were linked.",
                    len(rows)) % {"n": len(rows)}


@console_view(methods=("GET", "POST"))
def queue_row(request, pk):
    """A waiting row: the credit centre links, confirms or dismisses it; the submitting
    department's data officer may only confirm a code whose check character is wrong."""
    viewer = request.viewer
    row = get_object_or_404(viewer.batch_rows().select_related("batch__item",
                                                               "batch__department"), pk=pk)
    if not viewer.can_confirm(row):
        return forbidden(request)
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    if row.status != BatchRow.Status.WAITING:
        return render(request, "console/linking_done.html", {"row": row})
    confirm_only = not viewer.can_link
    candidates = [] if confirm_only else _candidates(row, query)
    forms = _forms(request, candidates, confirm_only=confirm_only)
    action = request.POST.get("action")
    if action in forms and forms[action].is_valid():
        try:
            messages.success(request, _decide(request, row, action, forms[action]))
        except QueueError as exc:
            forms[action].add_error(None, str(exc))
        else:
            return redirect("console:batch", row.batch_id) if confirm_only \
                else redirect("console:linking")
    entry = _entry(row)
    confirmable = confirmable_code(row.batch.item, row.fields)
    return render(request, "console/linking_row.html", {
        **entry, "query": query, "forms": forms, "values": labelled(row.batch.item, row.fields),
        "candidates": candidates, "confirmable": confirmable,
        "corrected": check_character_fault(confirmable) if confirmable else None,
        "also": waiting_like(row)})
