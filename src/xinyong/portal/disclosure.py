"""What the public may see. Every public page, export and public API response takes its data
from here, so no page can forget a rule:

- **No natural person is public** (山东省社会信用条例 Art. 20): no person subject, no record about
  one. This holds even where the catalog marks an item public for persons (失信被执行人): their
  publication is the Supreme People's Court's own (zxgk.court.gov.cn), not this site's.
- Only items whose disclosure is public, for the subject kinds the item is public for.
- Only records that are published, active (a revoked record — and any later state such as
  repaired — is not) and inside their publicity window on the day: start ≤ today ≤ end, the end
  being the last public day.
- Only fields whose disclosure is public, masked where the catalog says so.
- List entries (名单): only entries of public, active list types that are listed on the day
  (`lists.services.effective_entries`: never in prior notice, never exited or past their last
  day), about organisations of the kinds the list's item is public for; their details only
  where the item's field they come from is public.
- The measures list (应用清单) is public as a whole (山东省社会信用条例 Art. 25): it is the
  catalog's rule, about no one; a triggering list type is linked only when it is public.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xinyong.catalog.models import Disclosure, InformationItem, ListType, Measure, Term
from xinyong.catalog.sections import section_of
from xinyong.core.masking import mask_identifier, mask_name, mask_resident_id
from xinyong.journal.models import Entry
from xinyong.lists.models import ListEntry
from xinyong.lists.services import effective_entries
from xinyong.records.models import Record, Status
from xinyong.subjects.models import INDIVIDUAL_BUSINESS, Base, Subject
from xinyong.subjects.services import find_by_code

__all__ = ["PROFILE_LIMIT", "MeasureGroup", "PublicEntry", "PublicMeasure", "PublicRecord",
           "data_as_of", "find_public_subject", "is_public", "list_entries", "profile_entries",
           "profile_records", "public_entry", "public_lists", "public_measures",
           "public_record", "public_records", "public_subject", "subject_kind"]

PROFILE_LIMIT = 500  # records on one profile; a subject with more is shown its newest
PUBLIC_ORGANISATION_FIELDS = ("legal_representative", "established", "registered_capital",
                              "address", "industry", "registration_authority")


def subject_kind(subject: Subject) -> str:
    """The catalog's subject kind: person, enterprise, non_enterprise or individual_business."""
    return subject.catalog_kind


def is_public(subject: Subject) -> bool:
    return subject.base != Base.PERSON


def find_public_subject(code: str) -> Subject | None:
    """The organisation a code names (USCC or legacy code); None for persons and unknowns
    alike, so a public page cannot tell who is registered as a person."""
    subject = find_by_code(code)
    return subject if subject is not None and is_public(subject) else None


def public_subject(subject: Subject) -> dict | None:
    if not is_public(subject):
        return None
    data = {
        "code": subject.code, "name": subject.name, "base": subject.base,
        "base_label": subject.get_base_display(), "subject_type": subject.subject_type,
        "status": subject.status, "status_label": subject.get_status_display(),
        "division": subject.division,
        "former_names": [{"name": f.name, "valid_from": f.valid_from, "valid_to": f.valid_to}
                         for f in subject.former_names.all()],
    }
    org = getattr(subject, "organisation", None)
    for name in PUBLIC_ORGANISATION_FIELDS:
        data[name] = getattr(org, name) if org else None
    return data


def _public_items() -> list[InformationItem]:
    return list(InformationItem.objects.filter(active=True, disclosure=Disclosure.PUBLIC))


def _kinds_q(kinds: list[str]) -> Q | None:
    """Subjects of these kinds, persons left out whatever the catalog says."""
    parts = []
    enterprise, individual = Q(subject__base=Base.ENTERPRISE), \
        Q(subject__subject_type=INDIVIDUAL_BUSINESS)
    if "enterprise" in kinds and "individual_business" in kinds:
        parts.append(enterprise)
    elif "enterprise" in kinds:
        parts.append(enterprise & ~individual)
    elif "individual_business" in kinds:
        parts.append(enterprise & individual)
    if "non_enterprise" in kinds:
        parts.append(Q(subject__base=Base.NON_ENTERPRISE))
    return reduce(or_, parts) if parts else None


def public_records(today: date | None = None, *, item: InformationItem | None = None,
                   subject: Subject | None = None) -> QuerySet[Record]:
    """Records the public may see on `today`, optionally of one item or one subject."""
    today = today or timezone.localdate()
    records = Record.objects.filter(
        published=True, status=Status.ACTIVE,
    ).filter(Q(publicity_start__isnull=True) | Q(publicity_start__lte=today),
             Q(publicity_end__isnull=True) | Q(publicity_end__gte=today))
    items = [i for i in _public_items() if item is None or i.pk == item.pk]
    if subject is not None:
        if not is_public(subject):
            return records.none()
        kind = subject_kind(subject)
        return records.filter(subject=subject, item__in=[i for i in items if kind in i.public_for])
    allowed = [Q(item=i) & q for i in items if (q := _kinds_q(i.public_for)) is not None]
    return records.filter(reduce(or_, allowed)) if allowed else records.none()


def profile_records(subject: Subject) -> list[Record]:
    """A subject's public records for its profile, by item, newest first."""
    return list(public_records(subject=subject).select_related("item", "subject", "department")
                .order_by("item__code", "-decision_date", "-id")[:PROFILE_LIMIT])


def public_lists() -> QuerySet[ListType]:
    """List types shown on the site: the public, active ones."""
    return ListType.objects.filter(public=True, active=True) \
        .select_related("department", "item").order_by("kind", "code")


# ---- list entries (名单) ------------------------------------------------------------------

ENTRY_DETAILS = ("recognised_by", "document_number", "reason")  # shown besides the dates


def _entry_kinds(list_type: ListType) -> list[str]:
    """Subject kinds whose entries of this list are public: the list's kinds, and of those,
    where entries arrive as records of an item, the kinds the item is public for. Never
    persons, whatever the catalog says."""
    item = list_type.item
    return [k for k in list_type.subject_kinds if k != "person" and (
        item is None or (item.disclosure == Disclosure.PUBLIC and k in item.public_for))]


def _entry_fields(list_type: ListType) -> dict[str, dict | None]:
    """The details of an entry shown, each with the item field it comes from (None where
    the catalog maps none: typed in a recognition decision); details from a non-public field
    are left out."""
    item, shown = list_type.item, {}
    for role in ENTRY_DETAILS:
        code = (list_type.entry_fields or {}).get(role)
        if not code or item is None:
            shown[role] = None
            continue
        spec = item.field(code)
        if spec is not None and spec.get("disclosure", item.disclosure) == Disclosure.PUBLIC:
            shown[role] = spec
    return shown


def list_entries(list_type: ListType, today: date | None = None) -> QuerySet[ListEntry]:
    """The entries of a public list the public may see on `today`, newest listing first."""
    if not (list_type.public and list_type.active):
        return ListEntry.objects.none()
    kinds = _kinds_q(_entry_kinds(list_type))
    if kinds is None:
        return ListEntry.objects.none()
    return effective_entries(today).filter(kinds, list_type=list_type) \
        .select_related("list_type__item", "subject").order_by("-listed_on", "-id")


def profile_entries(subject: Subject, today: date | None = None) -> list[ListEntry]:
    """A public subject's entries on public lists on `today`, by list."""
    if not is_public(subject):
        return []
    kind = subject_kind(subject)
    types = [t for t in public_lists() if kind in _entry_kinds(t)]
    return list(effective_entries(today).filter(subject=subject, list_type__in=types)
                .select_related("list_type__item", "subject")
                .order_by("list_type__kind", "list_type__code", "-listed_on", "-id")
                [:PROFILE_LIMIT])


@dataclass(frozen=True)
class PublicEntry:
    id: int
    list_code: str
    list_name: str
    kind: str
    kind_label: str
    subject_code: str
    subject_name: str
    recognised_by: str
    document_number: str
    reason: str
    listed_on: date | None
    valid_until: date | None  # the last day listed; None: until an exit


def public_entry(entry: ListEntry) -> PublicEntry:
    """The public view of an entry from `list_entries` or `profile_entries`."""
    list_type = entry.list_type
    shown = _entry_fields(list_type)
    details = {}
    for role in ENTRY_DETAILS:
        value = str(getattr(entry, role) or "").strip()
        details[role] = "" if role not in shown else \
            _shown(shown[role], value) if shown[role] else value
    return PublicEntry(
        id=entry.pk, list_code=list_type.code, list_name=list_type.name, kind=list_type.kind,
        kind_label=str(list_type.get_kind_display()), subject_code=entry.subject.code,
        subject_name=entry.subject.name, listed_on=entry.listed_on,
        valid_until=entry.valid_until, **details)


# ---- the measures list (应用清单) ----------------------------------------------------------

@dataclass(frozen=True)
class PublicMeasure:
    code: str
    name: str
    content: str
    category: str
    type: str
    type_name: str
    legal_basis: str
    departments: list[str]  # implementing departments' names
    implementers: str  # other implementing units
    list_types: list[tuple[str, str, bool]]  # triggering (code, name, public: has a page)
    behaviours: list[tuple[str, str]]  # triggering (code, name)
    matters: list[tuple[str, str]]  # business matters (code, name)


@dataclass(frozen=True)
class MeasureGroup:
    category: str
    title: str
    incentive: bool
    measures: list[PublicMeasure]


# Incentives first, then the three categories of punishment in the order of the national
# basic list of punishment measures (全国失信惩戒措施基础清单).
_Category = Measure.Category
MEASURE_CATEGORIES = {
    _Category.INCENTIVE: gettext_lazy("Incentives for trustworthy subjects"),
    _Category.RIGHTS_REDUCING: gettext_lazy("Measures that reduce rights or add obligations"),
    _Category.MANAGEMENT: gettext_lazy("Management measures"),
    _Category.NON_PUBLIC: gettext_lazy("Measures by organisations outside public administration"),
}


def public_measures() -> list[MeasureGroup]:
    """The active measures of the catalog's measures list, grouped by category in
    MEASURE_CATEGORIES order; empty groups left out."""
    terms = {(t.vocabulary, t.code): t.name for t in Term.objects.filter(
        vocabulary__in=("business_matter", "measure_type"))}
    shown = {t.pk for t in public_lists()}
    measures = Measure.objects.filter(active=True).prefetch_related(
        "departments", "list_types", "behaviours").order_by("code")
    groups: dict[str, list[PublicMeasure]] = {}
    for m in measures:
        groups.setdefault(m.category, []).append(PublicMeasure(
            code=m.code, name=m.name, content=m.content, category=m.category, type=m.type,
            type_name=terms.get(("measure_type", m.type), m.type),
            legal_basis=m.legal_basis, implementers=m.implementers,
            departments=[d.name for d in sorted(m.departments.all(), key=lambda d: d.code)],
            list_types=[(t.code, t.name, t.pk in shown)
                        for t in sorted(m.list_types.all(), key=lambda t: t.code)
                        if t.active],
            behaviours=[(b.code, b.name)
                        for b in sorted(m.behaviours.all(), key=lambda b: b.code) if b.active],
            matters=[(code, terms.get(("business_matter", code), code))
                     for code in m.matters or []]))
    return [MeasureGroup(category=c.value, title=str(title),
                         incentive=c == _Category.INCENTIVE, measures=groups[c])
            for c, title in MEASURE_CATEGORIES.items() if c in groups]


@dataclass(frozen=True)
class PublicRecord:
    id: int
    item_code: str
    item_name: str
    section: str
    subject_code: str
    subject_name: str
    department: str
    decision_date: date | None
    publicity_end: date | None
    fields: list[tuple[str, str, str]]  # (code, name, value) of the public, non-empty fields

    def value(self, code: str) -> str:
        return next((v for c, _, v in self.fields if c == code), "")


def public_record(record: Record) -> PublicRecord:
    """The public view of a record from `public_records` (select_related item, subject and
    department to keep it to one query)."""
    item = record.item
    fields = [(f["code"], f["name"], _shown(f, record.fields.get(f["code"])))
              for f in item.fields if f.get("disclosure") == Disclosure.PUBLIC]
    return PublicRecord(
        id=record.pk, item_code=item.code, item_name=item.name, section=section_of(item),
        subject_code=record.subject.code, subject_name=record.subject.name,
        department=record.department.name, decision_date=record.decision_date,
        publicity_end=record.publicity_end, fields=[f for f in fields if f[2]])


def _shown(field: dict, value) -> str:
    if value is None:
        return ""
    text = "、".join(map(str, value)) if isinstance(value, list) else str(value).strip()
    mask = field.get("mask")
    if not mask or not text:
        return text
    if mask == "person_name":
        return mask_name(text)
    if mask == "id_number" and len(text) in (15, 18):
        return mask_resident_id(text)
    return mask_identifier("other", text)


def data_as_of() -> datetime | None:
    """When the newest credit data reached the platform: the time of the latest journal entry
    about a record, a subject or a list entry (walking the journal back from its tip, so it
    stays cheap on millions of records; looked up at most once a minute per process)."""
    return cache.get_or_set("portal:data_as_of", lambda: Entry.objects.filter(
        object_type__in=("record", "subject", "list_entry")).order_by("-seq").values_list(
        "at", flat=True).first(), 60)
