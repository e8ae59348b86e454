"""Red and black lists (名单): the entries, recognition with prior notice (事前告知), and one
entry with its history and the decisions still open on it."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from xinyong.catalog.models import ListType
from xinyong.core.text import normalize_code, normalize_name
from xinyong.lists.models import ExitKind, ListEntry, Source, Status
from xinyong.lists.services import (
    EntryError,
    confirm_listing,
    decided_exits,
    exit_entry,
    give_notice,
    history,
    statement_ends,
    withdraw_notice,
)
from xinyong.subjects.search import CODE_SHAPE

from ..access import console_view, forbidden
from ..forms import ConfirmListingForm, ExitForm, RecognitionForm, WithdrawNoticeForm
from .common import page_of

QUERY_MAX = 100
# The credit centre's own exits (信用修复, 异议处理): it may take them on any entry; the
# other decided exits belong to the recognising department.
CENTRE_EXITS = (ExitKind.REPAIR, ExitKind.OBJECTION)


def _search(entries, query: str):
    """By subject code (exact) or a part of the subject's name."""
    code = normalize_code(query)
    if CODE_SHAPE.match(code):
        return entries.filter(subject__code=code)
    return entries.filter(subject__name_norm__contains=normalize_name(query))


@console_view()
def entry_list(request):
    viewer = request.viewer
    entries = viewer.list_entries().order_by("-id")
    params = {name: request.GET.get(name, "") for name in ("list_type", "status",
                                                           "department")}
    params["q"] = request.GET.get("q", "").strip()[:QUERY_MAX]
    if params["q"]:
        entries = _search(entries, params["q"])
    if params["list_type"]:
        entries = entries.filter(list_type__code=params["list_type"])
    if params["status"] in Status.values:
        entries = entries.filter(status=params["status"])
    if viewer.sees_all and params["department"]:
        entries = entries.filter(department__code=params["department"])
    return render(request, "console/lists.html", {
        "page": page_of(request, entries), **params, "statuses": Status.choices,
        "list_types": ListType.objects.filter(active=True).order_by("code"),
        "departments": viewer.departments() if viewer.sees_all else None})


def _recognisable(viewer):
    """List types the viewer may recognise for: the department's own and those without a
    recognising department (each entry names its unit); the credit centre: all, the
    service refusing a list type that belongs to another department than the one chosen."""
    types = ListType.objects.filter(active=True).select_related("department").order_by("code")
    if viewer.sees_all:
        return types
    return types.filter(Q(department=viewer.department) | Q(department__isnull=True))


@console_view(methods=("GET", "POST"), allow=lambda viewer: viewer.can_recognise)
def entry_new(request):
    viewer = request.viewer
    form = RecognitionForm(request.POST if request.method == "POST" else None,
                           list_types=_recognisable(viewer),
                           departments=viewer.departments() if viewer.sees_all else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = give_notice(
                list_type=data["list_type"], subject=data["subject"],
                department=data.get("department") or viewer.department,
                document_number=data["document_number"], reason=data["reason"],
                basis=data["basis"], notice_on=data["notice_on"], actor=viewer.username)
        except EntryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Prior notice was recorded. Confirm the listing "
                                        "after the statement period."))
            return redirect("console:list_entry", pk=entry.pk)
    return render(request, "console/list_new.html", {"form": form})


def _exit_kinds(viewer, entry: ListEntry) -> list[tuple[str, str]]:
    """The exits this viewer may take on this entry: those the catalog allows for its list.
    An entry reported through collection follows its record — the department ends it by
    reporting the removal or revoking the record, so record and entry agree — and only the
    credit centre's exits (repair, objection) are offered for it here."""
    allowed = decided_exits(entry.list_type)
    kinds = allowed if entry.source == Source.CONSOLE else \
        [k for k in allowed if k in CENTRE_EXITS]
    if viewer.can_link:  # the credit centre takes its own exits only
        kinds = [k for k in kinds if k in CENTRE_EXITS]
    return [(kind.value, kind.label) for kind in kinds]


def _forms(request, entry) -> dict:
    """The decisions open on the entry, for a viewer who may take them; the posted one is
    bound."""
    viewer = request.viewer
    if viewer.read_only or not viewer.can_decide(entry):
        return {}
    if entry.status == Status.NOTICE:
        built = {"confirm": (ConfirmListingForm, {}), "withdraw": (WithdrawNoticeForm, {})}
    elif entry.status == Status.LISTED:
        built = {"exit": (ExitForm, {"kinds": _exit_kinds(viewer, entry)})}
    else:
        return {}
    action = request.POST.get("action") if request.method == "POST" else None
    return {name: form_class(request.POST if name == action else None, prefix=name, **extra)
            for name, (form_class, extra) in built.items()}


def _steps(entry) -> list[dict]:
    """The entry's transitions with their labels."""
    statuses = dict(Status.choices)
    kinds = {"notice": _("prior notice"), "listed": _("listed"), **dict(ExitKind.choices)}
    return [{"step": step, "from": statuses.get(step.from_status, step.from_status),
             "to": statuses.get(step.to_status, step.to_status),
             "kind": kinds.get(step.kind, step.kind)} for step in history(entry)]


def _decide(entry, action: str, data: dict, actor: str) -> str:
    """Carry out the decision; the message to show."""
    if action == "confirm":
        confirm_listing(entry, listed_on=data["listed_on"], valid_until=data["valid_until"],
                        reason=data["reason"].strip(), actor=actor)
        return _("The listing was confirmed.")
    if action == "withdraw":
        withdraw_notice(entry, on=data["on"], reason=data["reason"], actor=actor)
        return _("The notice was withdrawn; the subject is not listed.")
    exit_entry(entry, kind=data["kind"], on=data["on"], reason=data["reason"], actor=actor)
    return _("The entry exited the list.")


@console_view(methods=("GET", "POST"))
def entry_detail(request, pk):
    entry = get_object_or_404(request.viewer.list_entries().select_related("record"), pk=pk)
    forms = _forms(request, entry)
    if request.method == "POST":
        action = request.POST.get("action")
        if not request.viewer.can_decide(entry):
            return forbidden(request, _("Only data officers of the recognising department and "
                                        "the credit centre decide on an entry."))
        if action not in forms:  # the entry moved on meanwhile (or a stale page)
            messages.error(request, _("This decision is no longer open on this entry."))
            return redirect("console:list_entry", pk=entry.pk)
        if forms[action].is_valid():
            try:  # the services lock the entry while deciding
                message = _decide(entry, action, forms[action].cleaned_data,
                                  request.viewer.username)
            except EntryError as exc:
                forms[action].add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect("console:list_entry", pk=entry.pk)
    return render(request, "console/list_entry.html", {
        "entry": entry, "statement_ends": statement_ends(entry), "steps": _steps(entry),
        "forms": forms, "collected": entry.source == Source.COLLECTION})
