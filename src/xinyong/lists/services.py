"""The only writer of list entries (名单条目) and their lifecycle.

Entries arrive two ways. Departments report them through collection as records of a list's
item; `on_records_changed` follows every change to such records (creation, a reported
removal, a revocation) in the same transaction. Or a department recognises a subject in the
console: prior notice (事前告知) first, the listing after the statement period.

Exits: expiry (`expire_due`, daily; a check never sees an entry past its last day even
before the job runs), fulfilment or early removal, revocation of the underlying decision,
credit repair, a corrected objection, and — for red lists — withdrawal when the subject
acquires a serious dishonest record (the list type's `withdrawal` rule in the catalog).
Every change of status is a Transition with its date, actor and reason, and is journaled.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xinyong.catalog.conditions import evaluate
from xinyong.catalog.models import Behaviour, Department, InformationItem, ListType, Nature
from xinyong.catalog.services import behaviours_shown
from xinyong.core.calendar import CalendarNotCovered, add_working_days
from xinyong.core.periods import add_months, period_end
from xinyong.journal.services import log_create, log_event, log_update
from xinyong.records.models import Record
from xinyong.records.models import Status as RecordStatus
from xinyong.subjects.models import Subject

from .models import ExitKind, ListEntry, Source, Status, Transition

__all__ = ["EntryError", "SyncResult", "confirm_listing", "decided_exits",
           "effective_entries", "exit_entry", "expire_due", "give_notice", "history",
           "on_records_changed", "statement_ends", "sync_all", "sync_records",
           "withdraw_notice"]

SYSTEM = "system:lists"
CHUNK = 5_000
# Exits a department or the credit centre decides; expiry and withdrawal happen by rule.
DECIDED_EXITS = (ExitKind.FULFILMENT, ExitKind.EARLY_REMOVAL, ExitKind.REVOCATION,
                 ExitKind.REPAIR, ExitKind.OBJECTION)


class EntryError(ValueError):
    """A lifecycle step that the entry's state or the catalog's rules do not allow."""


def effective_entries(on: date | None = None) -> QuerySet[ListEntry]:
    """Entries listed on `on` (today): started and not past their last day, whether or not
    the daily expiry has run yet."""
    on = on or timezone.localdate()
    return ListEntry.objects.filter(status=Status.LISTED, listed_on__lte=on,
                                    list_type__active=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=on))


def history(entry: ListEntry) -> list[Transition]:
    return list(entry.transitions.order_by("at", "id"))


# ---- the console's recognition decisions -------------------------------------------------

def give_notice(*, list_type: ListType, subject: Subject, department: Department,
                document_number: str, reason: str, basis: str, notice_on: date,
                actor: str) -> ListEntry:
    """事前告知: tell the subject it is to be listed, why and on what basis; the listing takes
    effect only after the statement period (`confirm_listing`)."""
    if not list_type.active:
        raise EntryError(f"list type {list_type.code} is no longer in the catalog")
    if subject.catalog_kind not in list_type.subject_kinds:
        raise EntryError(f"{list_type.name} does not list subjects of kind "
                         f"{subject.catalog_kind}")
    if list_type.department_id and list_type.department_id != department.pk:
        raise EntryError(f"{list_type.name} is recognised by {list_type.department.name} only")
    for name, value in (("document number", document_number), ("reason", reason),
                        ("basis", basis)):
        if not value.strip():
            raise EntryError(f"the recognition decision needs its {name}")
    _not_future(notice_on)
    open_entry = ListEntry.objects.filter(list_type=list_type, subject=subject).filter(
        Q(status=Status.NOTICE) | Q(status=Status.LISTED, valid_until__isnull=True)
        | Q(status=Status.LISTED, valid_until__gte=timezone.localdate())).first()
    if open_entry is not None:
        raise EntryError(f"{subject.name} is already {open_entry.get_status_display()} on "
                         f"{list_type.name} (entry {open_entry.pk})")
    with transaction.atomic():
        entry = ListEntry.objects.create(
            list_type=list_type, subject=subject, department=department,
            recognised_by=department.name, document_number=document_number.strip(),
            reason=reason.strip(), basis=basis.strip(), source=Source.CONSOLE,
            status=Status.NOTICE, notice_on=notice_on)
        seq = log_create(actor=actor, object_type="list_entry", object_id=entry.pk,
                         new=_snapshot(entry), reason=reason).seq
        _transition(entry, "", Status.NOTICE, "notice", notice_on, actor, reason, seq)
    return entry


def statement_ends(entry: ListEntry) -> date | None:
    """The last day of the subject's statement period after prior notice."""
    days = entry.list_type.notice_working_days
    if not days or entry.notice_on is None:
        return entry.notice_on
    try:
        return add_working_days(entry.notice_on, days)
    except CalendarNotCovered:
        return entry.notice_on + timedelta(days=days * 7 // 5 + 1)


def confirm_listing(entry: ListEntry, *, listed_on: date, actor: str, reason: str = "",
                    valid_until: date | None = None) -> ListEntry:
    """列入: the listing takes effect on `listed_on`, after the statement period. Without
    `valid_until` the list type's default validity applies (its last day moved off a
    holiday, 民法典 Art. 203)."""
    with transaction.atomic():
        _locked(entry)
        if entry.status != Status.NOTICE:
            raise EntryError(f"entry {entry.pk} is {entry.get_status_display()}, not awaiting "
                             "listing")
        ends = statement_ends(entry)
        if ends is not None and listed_on <= ends:
            raise EntryError(f"the subject may state its case until {ends}; the listing can "
                             "take effect from the next day")
        valid_until = valid_until or _default_end(entry.list_type, listed_on)
        if valid_until is not None and valid_until < listed_on:
            raise EntryError("the validity cannot end before the listing starts")
        return _change(entry, actor=actor, on=listed_on, reason=reason or entry.reason,
                       kind="listed", status=Status.LISTED, listed_on=listed_on,
                       valid_until=valid_until)


def withdraw_notice(entry: ListEntry, *, on: date, actor: str, reason: str) -> ListEntry:
    """不予列入: after hearing the subject, the department does not list it."""
    _need(reason)
    _not_future(on)
    with transaction.atomic():
        _locked(entry)
        if entry.status != Status.NOTICE:
            raise EntryError(f"entry {entry.pk} is not awaiting listing")
        return _change(entry, actor=actor, on=on, reason=reason, kind=ExitKind.NOT_LISTED,
                       status=Status.EXITED, exited_on=on, exit_kind=ExitKind.NOT_LISTED,
                       exit_reason=reason, exit_by_record=False)


def exit_entry(entry: ListEntry, *, kind: str, on: date, actor: str, reason: str) -> ListEntry:
    """移出 by a decision: fulfilment, early removal, revocation of the underlying decision,
    credit repair or a corrected objection. Early removal respects the list type's minimum
    listing period (`after_months` of its early_removal rule)."""
    if kind not in DECIDED_EXITS:
        raise EntryError(f"{kind!r} is not an exit a department decides; one of "
                         f"{', '.join(DECIDED_EXITS)}")
    _need(reason)
    _not_future(on)
    with transaction.atomic():
        return _exit(_locked(entry), kind, on, actor, reason)


def _exit(entry, kind, on, actor, reason) -> ListEntry:
    if entry.status != Status.LISTED:
        raise EntryError(f"entry {entry.pk} is {entry.get_status_display()}, not listed")
    if kind not in decided_exits(entry.list_type):
        raise EntryError(f"{entry.list_type.name} has no {kind.replace('_', ' ')} rule in "
                         "the catalog")
    if entry.listed_on and on < entry.listed_on:
        raise EntryError(f"the exit cannot precede the listing ({entry.listed_on})")
    earliest = _earliest_early_removal(entry)
    if kind == ExitKind.EARLY_REMOVAL and earliest and on < earliest:
        raise EntryError(f"early removal is possible from {earliest} (the catalog's minimum "
                         "listing period)")
    return _change(entry, actor=actor, on=on, reason=reason, kind=kind,
                   status=Status.EXITED, exited_on=on, exit_kind=kind, exit_reason=reason,
                   exit_by_record=False)


def decided_exits(list_type: ListType) -> list[str]:
    """The exits a decision may make from this list. Revocation, credit repair and a
    corrected objection are open to every entry by law (NDRC Order 36, 山东省社会信用条例
    Arts. 39–40); fulfilment and early removal only where the list's rules provide them."""
    own = {rule["kind"] for rule in list_type.exit_rules}
    return [kind for kind in DECIDED_EXITS
            if kind not in (ExitKind.FULFILMENT, ExitKind.EARLY_REMOVAL) or kind in own]


def _earliest_early_removal(entry: ListEntry) -> date | None:
    months = next((rule.get("after_months") for rule in entry.list_type.exit_rules
                   if rule["kind"] == "early_removal"), None)
    return add_months(entry.listed_on, months) if months and entry.listed_on else None


def _need(reason: str) -> None:
    if not (reason or "").strip():
        raise EntryError("give the reason")


def _not_future(day: date) -> None:
    if day > timezone.localdate():
        raise EntryError("record a decision once it is made: the date cannot be in the future")


def _locked(entry: ListEntry) -> ListEntry:
    """Reload the entry and lock it until the transaction ends: two people deciding on it at
    once are served one after the other, the second seeing the first's result."""
    entry.refresh_from_db(from_queryset=ListEntry.objects.select_for_update())
    return entry


def _change(entry: ListEntry, *, actor: str, on: date, reason: str, kind: str, **values
            ) -> ListEntry:
    with transaction.atomic():
        old, before = _snapshot(entry), entry.status
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
        seq = log_update(actor=actor, object_type="list_entry", object_id=entry.pk, old=old,
                         new=_snapshot(entry), reason=reason).seq
        _transition(entry, before, entry.status, kind, on, actor, reason, seq)
    return entry


def _snapshot(entry: ListEntry) -> dict:
    return {"list_type": entry.list_type.code, "subject": entry.subject.code,
            "status": entry.status, "document_number": entry.document_number,
            "notice_on": entry.notice_on, "listed_on": entry.listed_on,
            "valid_until": entry.valid_until, "exited_on": entry.exited_on,
            "exit_kind": entry.exit_kind}


def _transition(entry, from_status, to_status, kind, on, actor, reason, seq=None) -> Transition:
    return Transition.objects.create(entry=entry, subject_id=entry.subject_id,
                                     from_status=from_status, to_status=to_status, kind=kind,
                                     on=on, actor=actor, reason=reason, journal_seq=seq)


def _default_end(list_type: ListType, listed_on: date | None) -> date | None:
    if not list_type.default_validity_months or listed_on is None:
        return None
    return period_end(listed_on, list_type.default_validity_months)


# ---- the daily expiry ---------------------------------------------------------------------

def expire_due(today: date | None = None, *, actor: str = SYSTEM) -> int:
    """期满移出: every listed entry whose last day is before `today` exits on the day after
    its last day (so a late run still records the right date). Returns the count."""
    today = today or timezone.localdate()
    due = list(ListEntry.objects.filter(status=Status.LISTED, valid_until__lt=today)
               .select_related("list_type", "subject"))
    if not due:
        return 0
    with transaction.atomic():
        seq = log_event(actor=actor, action="lists_expire", object_type="list_entry",
                        object_id=f"expiry:{today}",
                        new={"entries": [e.pk for e in due]}).seq
        transitions = []
        for entry in due:
            on = entry.valid_until + timedelta(days=1)
            reason = f"validity ended on {entry.valid_until}"
            entry.status, entry.exited_on = Status.EXITED, on
            entry.exit_kind, entry.exit_reason = ExitKind.EXPIRY, reason
            entry.exit_by_record, entry.updated_at = True, timezone.now()
            transitions.append(Transition(entry=entry, subject_id=entry.subject_id,
                                          from_status=Status.LISTED, to_status=Status.EXITED,
                                          kind=ExitKind.EXPIRY, on=on, actor=actor,
                                          reason=reason, journal_seq=seq))
        ListEntry.objects.bulk_update(due, ["status", "exited_on", "exit_kind", "exit_reason",
                                            "exit_by_record", "updated_at"], batch_size=1000)
        Transition.objects.bulk_create(transitions, batch_size=1000)
    return len(due)


# ---- entries reported through collection --------------------------------------------------

@dataclass
class SyncResult:
    created: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)

    def __bool__(self):
        return bool(self.created or self.changed or self.withdrawn)


def on_records_changed(sender, *, item, record_ids, actor, **kwargs) -> None:
    """records_changed receiver: keep entries in step, inside the records' transaction."""
    sync_records(item, record_ids, actor=actor)


def sync_records(item: InformationItem, record_ids: list[int], *, actor: str,
                 today: date | None = None) -> SyncResult:
    """Bring the entries fed by these records of `item` in line with them, and withdraw red
    entries of subjects the records show to be seriously dishonest."""
    today = today or timezone.localdate()
    result = SyncResult()
    list_types = list(ListType.objects.filter(item=item, active=True))
    if list_types:
        for start in range(0, len(record_ids), CHUNK):
            _sync_chunk(list_types, record_ids[start:start + CHUNK], actor, today, result)
    _withdraw_red(item, record_ids, actor, today, result)
    if result:
        seq = log_event(actor=actor, action="lists_sync", object_type="list_entry",
                        object_id=f"item:{item.code}",
                        new={"created": len(result.created), "changed": result.changed[:1000],
                             "withdrawn": result.withdrawn}).seq
        Transition.objects.filter(entry_id__in=result.created + result.changed
                                  + result.withdrawn, journal_seq__isnull=True
                                  ).update(journal_seq=seq)
    return result


def sync_all(*, actor: str, today: date | None = None) -> SyncResult:
    """Rebuild every collection entry from its records (idempotent): for a new list type in
    the catalog, or to repair after an interruption."""
    total = SyncResult()
    items = InformationItem.objects.filter(list_types__active=True).distinct()
    for item in items:
        ids = list(Record.objects.filter(item=item).order_by("id").values_list("id", flat=True))
        for start in range(0, len(ids), CHUNK):
            part = sync_records(item, ids[start:start + CHUNK], actor=actor, today=today)
            total.created += part.created
            total.changed += part.changed
            total.withdrawn += part.withdrawn
    return total


@dataclass(frozen=True)
class _Target:
    """What a record says its entry should be."""

    status: str
    listed_on: date | None
    valid_until: date | None
    exited_on: date | None = None
    exit_kind: str = ""
    exit_reason: str = ""


def _sync_chunk(list_types, record_ids, actor, today, result: SyncResult) -> None:
    records = list(Record.objects.filter(pk__in=record_ids).select_related("department"))
    existing = {(e.record_id, e.list_type_id): e for e in ListEntry.objects.filter(
        record_id__in=record_ids, list_type__in=list_types)}
    new_entries, transitions = [], []
    for record in records:
        for list_type in list_types:
            entry = existing.get((record.pk, list_type.pk))
            if list_type.entry_match and not evaluate(list_type.entry_match, record.fields):
                if entry is not None and _unmatched(entry, record, today, actor, transitions):
                    result.changed.append(entry.pk)
                continue
            target = _target(list_type, record, today)
            if entry is None:
                entry = _new_entry(list_type, record, target)
                new_entries.append((entry, _arrival(entry, target, actor)))
            elif _update(entry, list_type, record, target, actor, transitions):
                result.changed.append(entry.pk)
    ListEntry.objects.bulk_create([entry for entry, _steps in new_entries], batch_size=500)
    result.created += [entry.pk for entry, _steps in new_entries]
    transitions += [step for _entry, steps in new_entries for step in steps]
    for step in transitions:
        step.entry_id = step.entry.pk
    Transition.objects.bulk_create(transitions, batch_size=1000)


def _fields_of(list_type: ListType, record: Record) -> dict:
    values = {role: record.fields.get(code) for role, code in list_type.entry_fields.items()}
    return {role: "、".join(map(str, value)) if isinstance(value, list) else value
            for role, value in values.items()}


def _date(value) -> date | None:
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _target(list_type: ListType, record: Record, today: date) -> _Target:
    item, roles = list_type.item, _fields_of(list_type, record)
    listed_on = record.decision_date
    stated_end = _date(record.fields.get(item.validity_end_field)) \
        if item.validity_end_field else None
    valid_until = stated_end or _default_end(list_type, listed_on)
    removed_on = _date(roles.get("removed_on"))
    if record.status == RecordStatus.REVOKED:
        return _Target(Status.EXITED, listed_on, valid_until, record.revoked_on,
                       ExitKind.REVOCATION, record.revoked_reason)
    if removed_on:
        kind = ExitKind.FULFILMENT if any(r["kind"] == "fulfilment"
                                          for r in list_type.exit_rules) \
            else ExitKind.EARLY_REMOVAL
        return _Target(Status.EXITED, listed_on, valid_until, removed_on, kind,
                       str(roles.get("removal_reason") or "removal reported by the department"))
    if valid_until and valid_until < today:
        return _Target(Status.EXITED, listed_on, valid_until, valid_until + timedelta(days=1),
                       ExitKind.EXPIRY, f"validity ended on {valid_until}")
    return _Target(Status.LISTED, listed_on, valid_until)


def _new_entry(list_type: ListType, record: Record, target: _Target) -> ListEntry:
    roles = _fields_of(list_type, record)
    return ListEntry(
        list_type=list_type, subject_id=record.subject_id, record=record,
        department=record.department,
        recognised_by=str(roles.get("recognised_by") or record.department.name)[:200],
        document_number=str(roles.get("document_number") or "")[:200],
        reason=str(roles.get("reason") or ""), basis=str(roles.get("basis") or ""),
        source=Source.COLLECTION, status=target.status, listed_on=target.listed_on,
        valid_until=target.valid_until, exited_on=target.exited_on,
        exit_kind=target.exit_kind, exit_reason=target.exit_reason,
        exit_by_record=target.status == Status.EXITED)


def _arrival(entry: ListEntry, target: _Target, actor: str) -> list[Transition]:
    batch = f"reported in batch {entry.record.batch_id}" if entry.record.batch_id \
        else "reported through collection"
    steps = [Transition(entry=entry, subject_id=entry.subject_id, from_status="",
                        to_status=Status.LISTED, kind="listed",
                        on=target.listed_on or timezone.localdate(), actor=actor,
                        reason=batch)]
    if target.status == Status.EXITED:
        steps.append(Transition(entry=entry, subject_id=entry.subject_id,
                                from_status=Status.LISTED, to_status=Status.EXITED,
                                kind=target.exit_kind, on=target.exited_on, actor=actor,
                                reason=target.exit_reason))
    return steps


def _update(entry: ListEntry, list_type, record, target: _Target, actor,
            transitions: list) -> bool:
    """Apply a changed record to its entry. An exit decided on the platform (repair,
    objection, withdrawal, a console decision) stands; one that came from the record
    (revocation, expiry, reported removal) follows the record when it changes again."""
    fresh = _new_entry(list_type, record, target)
    details = ("recognised_by", "document_number", "reason", "basis", "listed_on",
               "valid_until")
    changed = [name for name in details if getattr(entry, name) != getattr(fresh, name)]
    for name in changed:
        setattr(entry, name, getattr(fresh, name))
    follows = entry.status != Status.EXITED or entry.exit_by_record
    moved = follows and (entry.status, entry.exit_kind) != (target.status, target.exit_kind)
    if moved:
        transitions.append(Transition(
            entry=entry, subject_id=entry.subject_id, from_status=entry.status,
            to_status=target.status, kind=target.exit_kind or "listed",
            on=target.exited_on or target.listed_on or timezone.localdate(), actor=actor,
            reason=target.exit_reason or "the department reported the entry again"))
        entry.status, entry.exited_on = target.status, target.exited_on
        entry.exit_kind, entry.exit_reason = target.exit_kind, target.exit_reason
        entry.exit_by_record = target.status == Status.EXITED
    if changed or moved:
        entry.save()
    return bool(changed or moved)


def _unmatched(entry: ListEntry, record: Record, today: date, actor: str,
               transitions: list) -> bool:
    """The department corrected the record so that it no longer names this list: the entry
    leaves it, as if revoked (a correction to another list makes that list's entry)."""
    if entry.status == Status.EXITED:
        return False
    reason = "the department corrected the record: it no longer names this list"
    transitions.append(Transition(entry=entry, subject_id=entry.subject_id,
                                  from_status=entry.status, to_status=Status.EXITED,
                                  kind=ExitKind.REVOCATION, on=today, actor=actor,
                                  reason=reason))
    entry.status, entry.exited_on, entry.exit_kind = Status.EXITED, today, ExitKind.REVOCATION
    entry.exit_reason, entry.exit_by_record = reason, True
    entry.save()
    return True


# ---- red lists: withdrawal on a serious dishonest record ----------------------------------

def _withdraw_red(item: InformationItem, record_ids, actor, today, result: SyncResult) -> None:
    rules = {lt.pk: set(lt.withdrawal.get("severities", [])) for lt in ListType.objects.filter(
        kind=ListType.Kind.RED, active=True, withdrawal__isnull=False)}
    severities = set().union(*rules.values()) if rules else set()
    behaviours = list(Behaviour.objects.filter(item=item, active=True,
                                               nature=Nature.DISHONEST,
                                               severity__in=severities))
    if not behaviours or not record_ids:
        return
    # Start from the red lists (short) rather than the batch (up to a million rows).
    red_subjects = set(effective_entries(today).filter(list_type_id__in=rules)
                       .values_list("subject_id", flat=True))
    if not red_subjects:
        return
    shown = _serious_records(item, record_ids, red_subjects, behaviours)
    red = effective_entries(today).filter(list_type_id__in=rules, subject_id__in=list(shown)) \
        .select_related("list_type", "subject") if shown else []
    for entry in red:
        found = [(record, b) for record, b in shown.get(entry.subject_id, [])
                 if b.severity in rules[entry.list_type_id]]
        if found:
            record, behaviour = found[0]
            key = record.business_key.replace("\x1f", " ")
            reason = (f"{behaviour.name} ({record.item.code} {key}, {record.decision_date}); "
                      f"{entry.list_type.withdrawal['basis']}")
            _change(entry, actor=actor, on=today, reason=reason, kind=ExitKind.WITHDRAWAL,
                    status=Status.EXITED, exited_on=today, exit_kind=ExitKind.WITHDRAWAL,
                    exit_reason=reason, exit_by_record=False)
            result.withdrawn.append(entry.pk)


def _serious_records(item, record_ids, subject_ids: set, behaviours) -> dict[int, list]:
    """Active records among `record_ids` of these subjects, with the behaviours they show."""
    wanted, subjects = set(record_ids), sorted(subject_ids)
    shown: dict[int, list] = {}
    for start in range(0, len(subjects), CHUNK):
        records = Record.objects.filter(
            item=item, subject_id__in=subjects[start:start + CHUNK],
            id__range=(min(wanted), max(wanted)), status=RecordStatus.ACTIVE,
        ).select_related("item")
        for record in (r for r in records if r.pk in wanted):
            for behaviour in behaviours_shown(behaviours, record.fields):
                shown.setdefault(record.subject_id, []).append((record, behaviour))
    return shown
