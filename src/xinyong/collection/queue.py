"""关联队列 — the credit centre's decisions on rows waiting for linking (待关联).

The only place that resolves waiting rows. Three decisions, each one transaction:

- `link_row`: the row is about a subject the credit centre found by code or name;
- `confirm_code`: the row's code is right as written although its check character is not
  (校验位人工确认); the subject is registered under that code;
- `dismiss_row`: the row cannot be linked; it counts as rejected from now on.

A link or a confirmation is stored as a `LinkDecision` (the row's code, or its normalised
name when it has no code → the subject) and applied at once to every other waiting row
carrying the same value; linking consults the decisions for later batches. A dismissal
concerns its row only. Each resolved row becomes a record through `records.services`, its
batch's counts stay whole (rows = accepted + rejected + waiting), and every decision is
journaled with its reason and the rows it resolved. Refusals are `QueueError`s whose
message is shown to the credit centre (translated).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from xinyong.catalog.models import InformationItem
from xinyong.core.identifiers import USCC_PLACEHOLDER
from xinyong.core.text import normalize_name
from xinyong.journal.services import log_event
from xinyong.records.models import Record
from xinyong.records.services import RowIn, accept_rows, business_key
from xinyong.subjects.confirmed import check_character_fault, register_confirmed_code
from xinyong.subjects.models import Subject
from xinyong.subjects.services import SubjectError

from .linking import LINKABLE_SCHEMES
from .models import Batch, BatchRow, LinkDecision

__all__ = ["LinkKey", "QueueError", "confirm_code", "confirmable_code", "dismiss_row",
           "link_key", "link_row", "row_codes", "row_name", "waiting_like"]

WAITING = BatchRow.Status.WAITING


class QueueError(ValueError):
    """A decision cannot be taken as asked; the message says why."""


@dataclass(frozen=True)
class LinkKey:
    """What a decision is about: a code, or a normalised name (rows without a code)."""

    kind: str  # LinkDecision.Kind
    value: str


# ---- reading a waiting row ----------------------------------------------------------------

def _code_fields(item: InformationItem) -> list[str]:
    schemes = {f["code"]: f.get("scheme") for f in item.fields}
    return [code for code in item.subject_code_fields or []
            if schemes.get(code) in LINKABLE_SCHEMES]


def row_codes(item: InformationItem, fields: dict) -> list[str]:
    """The row's codes that linking uses, in the catalog's order."""
    return [fields[f] for f in _code_fields(item)
            if fields.get(f) and fields[f] != USCC_PLACEHOLDER]


def row_name(item: InformationItem, fields: dict) -> str:
    return str(fields.get(item.subject_name_field or "") or "")


def link_key(item: InformationItem, fields: dict) -> LinkKey | None:
    """The row's first code, or its normalised name when it has none (as linking reads it)."""
    codes = row_codes(item, fields)
    if codes:
        return LinkKey(LinkDecision.Kind.CODE, codes[0])
    name = normalize_name(row_name(item, fields))
    return LinkKey(LinkDecision.Kind.NAME, name) if name else None


def confirmable_code(item: InformationItem, fields: dict) -> str | None:
    """The row's first code whose only fault is its check character, if any."""
    return next((c for c in row_codes(item, fields) if check_character_fault(c)), None)


# ---- the decisions ------------------------------------------------------------------------

def link_row(row: BatchRow, subject: Subject, *, actor: str, reason: str) -> list[BatchRow]:
    """Link a waiting row, and every other waiting row with the same code or name, to
    `subject`; returns the rows resolved."""
    reason = _reason(reason)
    with transaction.atomic():
        row = _waiting(row)
        key = link_key(row.batch.item, row.fields)
        decision = _decide(key, subject, actor=actor, reason=reason) if key else None
        rows = _matching(key, row) if key else [row]
        _resolve(rows, subject, actor=actor, reason=reason)
        _journal("link", decision, rows, subject, actor=actor, reason=reason)
    return rows


def confirm_code(row: BatchRow, *, actor: str, reason: str) -> list[BatchRow]:
    """Register the subject under the row's code as written (its check character is wrong
    but confirmed) and link every waiting row carrying that code to it."""
    reason = _reason(reason)
    with transaction.atomic():
        row = _waiting(row)
        item = row.batch.item
        code = confirmable_code(item, row.fields)
        if code is None:
            raise QueueError(_("Row %(row)d of batch %(batch)d has no code whose only fault "
                               "is its check character.")
                             % {"row": row.row_number, "batch": row.batch_id})
        subject = Subject.objects.filter(code=code).first() or _register(
            code, row_name(item, row.fields), actor=actor, reason=reason)
        key = LinkKey(LinkDecision.Kind.CODE, code)
        decision = _decide(key, subject, actor=actor, reason=reason)
        rows = _matching(key, row)
        _resolve(rows, subject, actor=actor, reason=reason)
        _journal("confirm_code", decision, rows, subject, actor=actor, reason=reason)
    return rows


def dismiss_row(row: BatchRow, *, actor: str, reason: str) -> BatchRow:
    """Refuse a waiting row for good: it counts as rejected in its batch."""
    reason = _reason(reason)
    with transaction.atomic():
        row = _waiting(row)
        _close(row, BatchRow.Status.DISMISSED, actor=actor, reason=reason)
        row.save()
        Batch.objects.filter(pk=row.batch_id).update(waiting=F("waiting") - 1,
                                                     rejected=F("rejected") + 1)
        log_event(actor=actor, action="dismiss", object_type="batch_row", object_id=row.pk,
                  new={"batch": row.batch_id, "row": row.row_number}, reason=reason)
    return row


# ---- helpers ------------------------------------------------------------------------------

def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise QueueError(_("Every decision in the linking queue needs a reason."))
    return reason


def _waiting(row: BatchRow) -> BatchRow:
    """The row, locked and re-read; QueueError unless it is still waiting."""
    locked = (BatchRow.objects.select_for_update(of=("self",))
              .select_related("batch__item").filter(pk=row.pk).first())
    if locked is None or locked.status != WAITING:
        raise QueueError(_("Row %(row)d of batch %(batch)d is no longer waiting: someone "
                           "resolved it meanwhile.")
                         % {"row": row.row_number, "batch": row.batch_id})
    return locked


def _register(code: str, name: str, *, actor: str, reason: str) -> Subject:
    if not name.strip():
        raise QueueError(_("The row has no name to register the subject %(code)s under.")
                         % {"code": code})
    try:
        return register_confirmed_code(code, name, actor=actor, reason=reason)
    except SubjectError as exc:
        raise QueueError(str(exc)) from None


def _decide(key: LinkKey, subject: Subject, *, actor: str, reason: str) -> LinkDecision:
    """The decision for `key`: a new one, or the one on file when it names the same subject."""
    existing = LinkDecision.objects.select_for_update(of=("self",)).filter(
        kind=key.kind, value=key.value).select_related("subject").first()
    if existing is None:
        return LinkDecision.objects.create(kind=key.kind, value=key.value, subject=subject,
                                           reason=reason, decided_by=actor)
    if existing.subject_id != subject.pk:
        raise QueueError(_("%(value)s was already linked to %(name)s (%(code)s) by "
                           "%(user)s.") % {"value": key.value, "name": existing.subject.name,
                                           "code": existing.subject.code,
                                           "user": existing.decided_by})
    return existing


def waiting_like(row: BatchRow) -> int:
    """How many other waiting rows carry the same code or name as `row` (what a decision
    on it would resolve besides it)."""
    key = link_key(row.batch.item, row.fields)
    return len(_carrying(key) - {row.pk}) if key else 0


def _carrying(key: LinkKey) -> set[int]:
    """Ids of the waiting rows carrying `key`."""
    items = InformationItem.objects.in_bulk(
        BatchRow.objects.filter(status=WAITING).order_by()
        .values_list("batch__item_id", flat=True).distinct())
    if key.kind == LinkDecision.Kind.CODE:
        return _rows_with_code(items.values(), key.value)
    return _rows_with_name(items, key.value)


def _matching(key: LinkKey, first: BatchRow) -> list[BatchRow]:
    """Every waiting row carrying `key`, `first` included, oldest batch first and locked."""
    ids = _carrying(key) | {first.pk}
    return list(BatchRow.objects.select_for_update(of=("self",))
                .select_related("batch__item", "batch__department")
                .filter(pk__in=ids, status=WAITING).order_by("batch_id", "row_number"))


def _rows_with_code(items, code: str) -> set[int]:
    found = Q(pk__in=[])
    for item in items:
        carries = Q()
        for field in _code_fields(item):
            carries |= Q(**{f"fields__{field}": code})
        if carries:
            found |= Q(batch__item=item) & carries
    return set(BatchRow.objects.filter(found, status=WAITING).values_list("pk", flat=True))


def _rows_with_name(items: dict, name: str) -> set[int]:
    """Rows without a code whose name normalises to `name` (names are normalised here,
    not in SQL, so this reads the waiting rows of items that have a name field)."""
    named = [pk for pk, item in items.items() if item.subject_name_field]
    rows = BatchRow.objects.filter(status=WAITING, batch__item_id__in=named).values_list(
        "pk", "batch__item_id", "fields")
    return {pk for pk, item_id, fields in rows.iterator(chunk_size=2_000)
            if link_key(items[item_id], fields) == LinkKey(LinkDecision.Kind.NAME, name)}


def _resolve(rows: list[BatchRow], subject: Subject, *, actor: str, reason: str) -> None:
    by_batch: dict[int, list[BatchRow]] = defaultdict(list)
    for row in rows:
        by_batch[row.batch_id].append(row)
    for batch_rows in by_batch.values():
        _accept_batch_rows(batch_rows, subject, actor=actor, reason=reason)


def _accept_batch_rows(rows: list[BatchRow], subject: Subject, *, actor: str,
                       reason: str) -> None:
    batch = rows[0].batch
    item = batch.item
    result = accept_rows(item, batch.department, [_row_in(item, row, subject.pk) for row in rows],
                         batch_id=batch.pk, actor=actor, received_at=batch.created_at)
    records = dict(Record.objects.filter(
        item=item, business_key__in=[business_key(item, row.fields) for row in rows])
        .values_list("business_key", "pk"))
    for row in rows:
        row.record_id = records.get(business_key(item, row.fields))
        _close(row, BatchRow.Status.LINKED, actor=actor, reason=reason)
    BatchRow.objects.bulk_update(rows, ["status", "record_id", "resolved_by", "resolved_at",
                                        "resolution"])
    Batch.objects.filter(pk=batch.pk).update(
        waiting=F("waiting") - len(rows), accepted=F("accepted") + len(rows),
        created_records=F("created_records") + len(result.created),
        updated_records=F("updated_records") + len(result.updated),
        unchanged_records=F("unchanged_records") + len(result.unchanged),
        late=F("late") + result.late)


def _row_in(item: InformationItem, row: BatchRow, subject_id: int) -> RowIn:
    """The row as `accept_rows` takes it (as collection.services builds accepted rows)."""
    fields = row.fields
    return RowIn(subject_id=subject_id, fields=fields, source_row=row.row_number,
                 decision_date=_date(fields.get(item.decision_date_field or "")),
                 validity_end=_date(fields.get(item.validity_end_field or "")),
                 severity=(item.severity_map or {}).get(fields.get(item.severity_field or ""),
                                                       ""))


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _close(row: BatchRow, status: str, *, actor: str, reason: str) -> None:
    row.status, row.resolved_by, row.resolution = status, actor, reason
    row.resolved_at = datetime.now(UTC)


def _journal(action: str, decision: LinkDecision | None, rows: list[BatchRow],
             subject: Subject, *, actor: str, reason: str) -> None:
    new = {"subject": subject.code,
           "rows": [{"batch": r.batch_id, "row": r.row_number, "record": r.record_id}
                    for r in rows]}
    if decision is not None:
        new.update(kind=decision.kind, value=decision.value, decision=decision.pk)
    log_event(actor=actor, action=action, object_type="link_decision" if decision else
              "batch_row", object_id=decision.pk if decision else rows[0].pk, new=new,
              reason=reason)
