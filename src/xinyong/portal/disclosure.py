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
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from xinyong.catalog.models import Disclosure, InformationItem, ListType
from xinyong.catalog.sections import section_of
from xinyong.core.masking import mask_identifier, mask_name, mask_resident_id
from xinyong.journal.models import Entry
from xinyong.records.models import Record, Status
from xinyong.subjects.models import INDIVIDUAL_BUSINESS, Base, Subject
from xinyong.subjects.services import find_by_code

__all__ = ["PROFILE_LIMIT", "PublicRecord", "data_as_of", "find_public_subject", "is_public",
           "list_entries", "profile_records", "public_lists", "public_record",
           "public_records", "public_subject", "subject_kind"]

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
    """List types shown on the site: public ones whose entries arrive as records of an item."""
    return ListType.objects.filter(public=True, active=True, item__isnull=False) \
        .select_related("department", "item").order_by("kind", "code")


def list_entries(list_type: ListType) -> QuerySet[Record]:
    """Public records of the list's item; where several list types share one item, those whose
    enum field names this list."""
    records = public_records(item=list_type.item)
    shared = next((f["code"] for f in list_type.item.fields
                   if list_type.name in (f.get("values") or [])), None)
    if shared:
        records = records.filter(**{f"fields__{shared}": list_type.name})
    return records.select_related("item", "subject", "department") \
        .order_by("-decision_date", "-id")


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
    about a record or a subject (walking the journal back from its tip, so it stays cheap on
    millions of records; looked up at most once a minute per process)."""
    return cache.get_or_set("portal:data_as_of", lambda: Entry.objects.filter(
        object_type__in=("record", "subject")).order_by("-seq").values_list(
        "at", flat=True).first(), 60)
