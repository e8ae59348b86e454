"""核查 → 措施 → 反馈: the only writer of checks and their feedback.

`run_check` resolves each queried subject (an identifier finds it; a name only proposes
candidates, each with why it matched — never a silent pick), gathers its effective list
entries and the dishonest or trustworthy records that trigger measures, and returns the
measures the checking department applies in the business matter, each with its legal basis.
The check is stored: it is the log of who checked whom, for what, and what was found.
`give_feedback` records, per measure, whether the department applied it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from xinyong.catalog.models import Department
from xinyong.catalog.services import behaviours_shown
from xinyong.core.calendar import CalendarNotCovered, add_working_days
from xinyong.core.identifiers import IdentifierError, parse_any
from xinyong.core.text import normalize_code, normalize_name
from xinyong.core.writelock import write_turn
from xinyong.journal.services import log_event
from xinyong.subjects.models import Subject
from xinyong.subjects.search import search_organisations

from .models import Channel, Check, CheckHit, CheckMeasure, FeedbackStatus
from .queries import EntryRow, effective_entries_of, records_of, subjects_by_code
from .rules import Rules, rules

__all__ = ["MAX_SUBJECTS", "CheckError", "FeedbackIn", "Query", "cases", "give_feedback",
           "overdue", "run_check", "statistics"]

MAX_SUBJECTS = 1_000
CANDIDATES = 10  # per name-only query
# The messages a result carries are English in the API and translated on the console's
# pages (gettext_noop: marked for the catalog, not translated here); what varies goes in fields.
EXPLANATIONS = {  # how a name-only query matched a candidate
    ("code", True): gettext_noop("the identifier matches"),
    ("name", True): gettext_noop("the name matches exactly"),
    ("name", False): gettext_noop("a former name (曾用名) matches exactly"),
    ("prefix", True): gettext_noop("the name starts with the query"),
    ("prefix", False): gettext_noop("a former name starts with the query"),
    ("substring", True): gettext_noop("the name contains the query"),
    ("substring", False): gettext_noop("a former name contains the query"),
}


class CheckError(ValueError):
    """A check or feedback the platform cannot accept, with a message the caller can act on."""


@dataclass(frozen=True)
class Query:
    """One subject to check: an identifier (USCC, organisation code, registration number,
    resident ID) or, failing that, a name."""

    code: str = ""
    name: str = ""


# ---- running a check ----------------------------------------------------------------------

def run_check(*, department: Department, matter: str, purpose: str, queries: list[Query],
              client=None, username: str = "", channel: str = Channel.API,
              now: datetime | None = None) -> Check:
    now = now or timezone.now()
    today = timezone.localdate(now)
    snapshot = rules()
    _validate(snapshot, matter, purpose, queries)
    subjects = _resolve_codes([q.code for q in queries if q.code])
    found = [s for s in subjects.values() if s is not None]
    entries = _entries(found, today)
    records = _records(snapshot, found, today)
    results, hits, measures = [], [], []
    for position, query in enumerate(queries, start=1):
        result, subject_hits, subject_measures = _one(
            snapshot, department, matter, query, subjects, entries, records)
        results.append({"position": position, **result})
        hits += subject_hits
        measures += subject_measures
    due = _feedback_due(today, snapshot.feedback_days) if measures else None
    with write_turn(), transaction.atomic():
        check = Check.objects.create(
            department=department, client=client, username=username, channel=channel,
            matter=matter, purpose=purpose.strip(), checked_at=now, checked_on=today,
            subjects_count=len(queries),
            hit_count=sum(1 for r in results if r.get("entries") or r.get("measures")),
            measures_count=len(measures), feedback_pending=len(measures), feedback_due=due,
            results=results)
        for row in hits + measures:
            row.check_run = check
        CheckHit.objects.bulk_create(hits, batch_size=500)
        CheckMeasure.objects.bulk_create(measures, batch_size=500)
        if measures:
            _number_measures(check, results, measures)
    return check


def _validate(snapshot: Rules, matter: str, purpose: str, queries: list[Query]) -> None:
    if matter not in snapshot.matters:
        raise CheckError(f"unknown business matter {matter!r}; one of "
                         f"{', '.join(sorted(snapshot.matters))}")
    if not (purpose or "").strip():
        raise CheckError("state the purpose of the check (e.g. the case or tender number)")
    if not queries:
        raise CheckError("name at least one subject to check")
    if len(queries) > MAX_SUBJECTS:
        raise CheckError(f"at most {MAX_SUBJECTS:,} subjects per check; got {len(queries):,}")
    for position, query in enumerate(queries, start=1):
        if not (query.code or "").strip() and not (query.name or "").strip():
            raise CheckError(f"subject {position}: give an identifier or a name")


def _resolve_codes(codes: list[str]) -> dict[str, Subject | None]:
    """Each code's subject: its primary code, a legacy code or an upgraded 15-digit ID."""
    normal = {code: normalize_code(code) for code in codes}
    found = subjects_by_code(set(normal.values()))
    return {code: found.get(norm) or _upgraded(norm) for code, norm in normal.items()}


def _upgraded(code: str) -> Subject | None:
    try:
        ident = parse_any(code)
    except IdentifierError:
        return None
    if ident.value == code:
        return None
    return Subject.objects.filter(code=ident.value).first()


def _entries(subjects: list[Subject], today: date) -> dict[int, list[EntryRow]]:
    found: dict[int, list] = {}
    for entry in effective_entries_of([s.pk for s in subjects], today):
        found.setdefault(entry.subject_id, []).append(entry)
    return found


def _records(snapshot: Rules, subjects: list[Subject], today: date) -> dict[int, list]:
    """Per subject, (record, behaviour) for every behaviour its effective records show."""
    found: dict[int, list] = {}
    for record in records_of([s.pk for s in subjects], list(snapshot.behaviours_by_item),
                             today):
        for behaviour in behaviours_shown(snapshot.behaviours_by_item[record.item_id],
                                          record.fields):
            found.setdefault(record.subject_id, []).append((record, behaviour))
    return found


def _one(snapshot, department, matter, query, subjects, entries, records):
    """The result for one queried subject, with its CheckHit and CheckMeasure rows."""
    asked = {key: value for key, value in (("code", query.code), ("name", query.name)) if value}
    if not query.code:
        return {"query": asked, **_candidates(query.name)}, [], []
    subject = subjects.get(query.code)
    if subject is None:
        return {"query": asked, **_not_found(query.code)}, [], []
    own_entries = entries.get(subject.pk, [])
    own_records = records.get(subject.pk, [])
    rules_found = snapshot.measures_for(
        department.pk, matter, {e.list_type_id for e in own_entries},
        {b.pk for _record, b in own_records})
    hits = [CheckHit(subject_id=subject.pk, list_type_id=e.list_type_id, entry_id=e.id)
            for e in own_entries]
    hits += [CheckHit(subject_id=subject.pk, behaviour=b, record_id=r.id)
             for r, b in own_records]
    measures = [CheckMeasure(subject_id=subject.pk, measure=rule.measure, list_types=lists,
                             triggers=triggers)
                for rule, lists, triggers in rules_found]
    result = {"query": asked, "status": "found",
              "subject": {"code": subject.code, "name": subject.name,
                          "kind": subject.catalog_kind},
              **_name_warning(query, subject),
              "entries": [_entry(snapshot, e) for e in own_entries],
              "records": [_record(r, b) for r, b in own_records],
              "measures": [_measure(rule, triggers) for rule, _lists, triggers in rules_found]}
    return result, hits, measures


def _name_warning(query: Query, subject: Subject) -> dict:
    """A name sent along with the identifier that is not the subject's: say so (a typo in
    the identifier may have found someone else)."""
    if not query.name.strip() or normalize_name(query.name) == normalize_name(subject.name) \
            or subject.former_names.filter(name=query.name.strip()).exists():
        return {}
    return {"warning": gettext_noop("the name given is neither the registered nor a former "
                                    "name of this subject; make sure the identifier is right")}


def _not_found(code: str) -> dict:
    try:
        parse_any(normalize_code(code))
    except IdentifierError as exc:
        return {"status": "invalid", "message": gettext_noop("not a valid identifier"),
                "detail": str(exc)}
    return {"status": "not_found",
            "message": gettext_noop("no subject with this identifier is registered on the "
                                    "platform; no list entries or measures are known for it")}


def _candidates(name: str) -> dict:
    found = search_organisations(name, per_page=CANDIDATES)
    candidates = [{"code": hit.subject.code, "name": hit.subject.name,
                   "matched_name": hit.name,
                   "explanation": EXPLANATIONS[(hit.tier, hit.current or hit.tier == "code")]}
                  for hit in found.hits]
    if found.too_short:
        message = gettext_noop("the name is too short to search; give at least two characters")
    elif not candidates:
        message = gettext_noop("no organisation has this name; check by identifier")
    else:
        message = gettext_noop("a name does not identify a subject: choose the right candidate "
                               "and check again by its identifier (natural persons are checked "
                               "by identity number only)")
    return {"status": "candidates", "candidates": candidates, "matches": found.total,
            "message": message}


def _entry(snapshot, entry) -> dict:
    list_type = snapshot.list_types.get(entry.list_type_id)
    return {"entry_id": entry.id, "list_type": list_type.code, "list_name": list_type.name,
            "kind": list_type.kind, "recognised_by": entry.recognised_by,
            "department": entry.department, "document_number": entry.document_number,
            "reason": entry.reason, "basis": entry.basis,
            "listed_on": entry.listed_on.isoformat(),
            "valid_until": entry.valid_until.isoformat() if entry.valid_until else None}


def _record(record, behaviour) -> dict:
    return {"record_id": record.id, "behaviour": behaviour.code,
            "behaviour_name": behaviour.name, "nature": behaviour.nature,
            "severity": behaviour.severity,
            "decision_date": record.decision_date.isoformat() if record.decision_date else None}


def _measure(rule, triggers: list[str]) -> dict:
    m = rule.measure
    return {"code": m.code, "name": m.name, "category": m.category, "type": m.type,
            "content": m.content, "legal_basis": m.legal_basis,
            "implementers": m.implementers, "triggered_by": triggers}


def _number_measures(check: Check, results: list, measures: list[CheckMeasure]) -> None:
    """Give each measure in the stored results the id feedback refers to."""
    ids = iter(m.pk for m in measures)
    for result in results:
        for measure in result.get("measures", []):
            measure["id"] = next(ids)
    Check.objects.filter(pk=check.pk).update(results=results)
    check.results = results


def _feedback_due(today: date, days: int) -> date:
    try:
        return add_working_days(today, days)
    except CalendarNotCovered:
        return today + timedelta(days=days * 7 // 5 + 1)


# ---- feedback -------------------------------------------------------------------------------

@dataclass(frozen=True)
class FeedbackIn:
    measure_id: int  # a CheckMeasure id, as the check returned it
    status: str
    handler: str
    acted_on: date
    reason: str = ""
    outcome: str = ""


def give_feedback(check: Check, feedback: list[FeedbackIn], *, reported_by: str,
                  now: datetime | None = None) -> list[CheckMeasure]:
    """反馈: per measure, applied, not applied (with the reason) or not applicable. Feedback
    may be corrected; every report is journaled with what it replaced."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not feedback:
        raise CheckError("give feedback on at least one measure")
    rows = {m.pk: m for m in check.measures.select_related("measure")}
    for item in feedback:
        _check_feedback(check, rows, item, today)
    with transaction.atomic():
        changed = []
        for item in feedback:
            row = rows[item.measure_id]
            old = _feedback_snapshot(row)
            row.status, row.handler, row.acted_on = item.status, item.handler.strip(), \
                item.acted_on
            row.reason, row.outcome = item.reason.strip(), item.outcome.strip()
            row.reported_at, row.reported_by = now, reported_by
            row.save()
            changed.append({"id": row.pk, "old": old, "new": _feedback_snapshot(row)})
        pending = check.measures.filter(status=FeedbackStatus.PENDING).count()
        Check.objects.filter(pk=check.pk).update(feedback_pending=pending)
        check.feedback_pending = pending
        log_event(actor=reported_by, action="feedback", object_type="check",
                  object_id=check.pk, new={"measures": changed})
    return [rows[item.measure_id] for item in feedback]


def _check_feedback(check: Check, rows: dict, item: FeedbackIn, today: date) -> None:
    where = f"measure {item.measure_id}"
    if item.measure_id not in rows:
        raise CheckError(f"{where} is not a measure of check {check.pk}")
    if item.status not in FeedbackStatus.values or item.status == FeedbackStatus.PENDING:
        raise CheckError(f"{where}: status must be applied, not_applied or not_applicable")
    if item.status == FeedbackStatus.NOT_APPLIED and not item.reason.strip():
        raise CheckError(f"{where}: a measure not applied needs the reason")
    if not item.handler.strip():
        raise CheckError(f"{where}: name the handler (经办人)")
    if item.acted_on < check.checked_on or item.acted_on > today:
        raise CheckError(f"{where}: the date of action must lie between the check "
                         f"({check.checked_on}) and today ({today})")


def _feedback_snapshot(row: CheckMeasure) -> dict:
    return {"status": row.status, "handler": row.handler, "acted_on": row.acted_on,
            "reason": row.reason, "outcome": row.outcome}


# ---- follow-up and statistics ------------------------------------------------------------

def overdue(checks: QuerySet[Check], today: date | None = None) -> QuerySet[Check]:
    """Checks still awaiting feedback after their due date (flagged to the department)."""
    today = today or timezone.localdate()
    return checks.filter(feedback_pending__gt=0, feedback_due__lt=today)


def statistics(checks: QuerySet[Check]) -> dict:
    """Checks, hits, measures applied and the feedback rate per department, measure and list
    type, over the given checks."""
    checks = checks.order_by()  # a sorted queryset would group by its sort columns too
    measures = CheckMeasure.objects.filter(check_run__in=checks)
    tally = {"measures": Count("id"),
             "applied": Count("id", filter=Q(status=FeedbackStatus.APPLIED)),
             "not_applied": Count("id", filter=Q(status=FeedbackStatus.NOT_APPLIED)),
             "not_applicable": Count("id", filter=Q(status=FeedbackStatus.NOT_APPLICABLE)),
             "pending": Count("id", filter=Q(status=FeedbackStatus.PENDING))}
    per_department = {row.pop("department"): row for row in checks.values(
        "department").annotate(checks=Count("id"), hits=Count("id", filter=Q(hit_count__gt=0)))}
    for row in measures.values("check_run__department").annotate(**tally):
        per_department.setdefault(row.pop("check_run__department"), {}).update(row)
    names = dict(Department.objects.filter(pk__in=per_department).values_list("pk", "name"))
    departments = [_rated({**_zero(), **row, "department": names.get(pk, pk)})
                   for pk, row in per_department.items()]
    by_measure = [_rated(row) for row in measures.values(
        "measure__code", "measure__name", "measure__category").annotate(**tally)
        .order_by("-measures")]
    by_list = list(CheckHit.objects.filter(check_run__in=checks, list_type__isnull=False)
                   .values("list_type__code", "list_type__name", "list_type__kind")
                   .annotate(hits=Count("id"), checks=Count("check_run", distinct=True))
                   .order_by("-hits"))
    totals = _rated({"checks": checks.count(),
                     "hits": checks.filter(hit_count__gt=0).count(),
                     **measures.aggregate(**tally)})
    return {"totals": totals, "departments": sorted(departments, key=lambda r: -r["checks"]),
            "measures": by_measure, "list_types": by_list}


def _zero() -> dict:
    return {"checks": 0, "hits": 0, "measures": 0, "applied": 0, "not_applied": 0,
            "not_applicable": 0, "pending": 0}


def _rated(row: dict) -> dict:
    answered = row["measures"] - row["pending"]
    row["feedback_rate"] = round(100 * answered / row["measures"], 1) if row["measures"] \
        else None
    return row


def cases(checks: QuerySet[Check]) -> QuerySet[CheckMeasure]:
    """联合奖惩案例: measures departments report as applied, newest first."""
    return (CheckMeasure.objects.filter(check_run__in=checks, status=FeedbackStatus.APPLIED)
            .select_related("check_run__department", "subject", "measure")
            .order_by("-acted_on", "-id"))
