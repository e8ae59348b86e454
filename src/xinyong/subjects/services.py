"""The only place that changes the three base databases (三库). Every change is journalled."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from xinyong.core.identifiers import Identifier, IdentifierError, parse_any
from xinyong.core.text import normalize_code, normalize_name
from xinyong.journal.services import log_create, log_update

from .models import Base, FormerName, LegacyIdentifier, Organisation, Scheme, Status, Subject
from .name_index import index_names

ORGANISATION_FIELDS = ("legal_representative", "established", "registered_capital", "address",
                       "industry", "registration_authority")
SUBJECT_FIELDS = ("name", "status", "division", "subject_type")


class SubjectError(ValueError):
    """A subject cannot be registered or changed as asked; the message says why."""


def snapshot(subject: Subject) -> dict:
    """The subject's current values, as stored in journal entries."""
    values = {"base": subject.base, "code": subject.code}
    values.update({name: getattr(subject, name) for name in SUBJECT_FIELDS})
    org = Organisation.objects.filter(subject=subject).first()
    if org:
        values.update({name: getattr(org, name) for name in ORGANISATION_FIELDS})
    return values


def identify(code: str) -> Identifier:
    """Parse a primary identifier; only a USCC or a resident ID can key a subject."""
    try:
        ident = parse_any(code)
    except IdentifierError as exc:
        raise SubjectError(f"invalid identifier {code!r}: {exc.message}") from None
    if ident.kind not in ("uscc", "resident_id"):
        raise SubjectError(f"{code!r} is a {ident.kind}; a subject needs a unified social credit "
                           "code or an 18-digit resident ID")
    return ident


@dataclass
class NewSubject:
    """Everything needed to register one subject (used one by one and in bulk)."""

    code: str
    name: str
    status: str = Status.ACTIVE
    division: str = ""
    organisation: dict = field(default_factory=dict)
    legacy: list[tuple[str, str]] = field(default_factory=list)


def register_subject(new: NewSubject, *, actor: str, reason: str = "") -> Subject:
    ident = identify(new.code)
    if Subject.objects.filter(code=ident.value).exists():
        raise SubjectError(f"a subject with identifier {ident.value} already exists")
    base = ident.subject_base
    with transaction.atomic():
        subject = Subject.objects.create(
            base=base,
            subject_type=ident.subject_type or "自然人",
            code=ident.value,
            name=new.name.strip(),
            name_norm=normalize_name(new.name),
            status=new.status,
            division=new.division or ident.parts.get("division", ""),
        )
        if base != Base.PERSON:
            Organisation.objects.create(subject=subject, **new.organisation)
        for scheme, value in _legacy_identifiers(ident, new.legacy):
            LegacyIdentifier.objects.create(subject=subject, scheme=scheme, value=value)
        index_names(subject)
        log_create(actor=actor, object_type="subject", object_id=subject.code,
                   new=snapshot(subject), reason=reason)
    return subject


def _legacy_identifiers(ident: Identifier, given: list[tuple[str, str]]):
    pairs = {(scheme, normalize_code(value)) for scheme, value in given if value}
    if ident.kind == "uscc":
        pairs.add((Scheme.ORG_CODE, ident.parts["org_code"]))
    if ident.parts.get("legacy_15"):
        pairs.add((Scheme.RESIDENT_ID_15, ident.value[:6] + ident.value[8:17]))
    return sorted(pairs)


def update_subject(subject: Subject, *, actor: str, reason: str, changed_on: date | None = None,
                   **changes) -> Subject:
    """Change name, status, division or registration data; a new name keeps the old as 曾用名."""
    unknown = set(changes) - set(SUBJECT_FIELDS) - set(ORGANISATION_FIELDS)
    if unknown:
        raise SubjectError(f"unknown subject fields: {', '.join(sorted(unknown))}")
    if subject.is_person and set(changes) & set(ORGANISATION_FIELDS):
        raise SubjectError("natural persons have no registration data")
    with transaction.atomic():
        old = snapshot(subject)
        new_name = changes.get("name")
        if new_name and new_name.strip() != subject.name:
            until = (changed_on or date.today()) - timedelta(days=1)
            FormerName.objects.create(subject=subject, name=subject.name,
                                      name_norm=subject.name_norm, valid_to=until)
            subject.name_norm = normalize_name(new_name)
            changes["name"] = new_name.strip()
        for name in SUBJECT_FIELDS:
            if name in changes:
                setattr(subject, name, changes[name])
        subject.save()
        if new_name:
            index_names(subject)
        org_changes = {k: v for k, v in changes.items() if k in ORGANISATION_FIELDS}
        if org_changes:
            Organisation.objects.update_or_create(subject=subject, defaults=org_changes)
        new = snapshot(subject)
        if new != old:
            log_update(actor=actor, object_type="subject", object_id=subject.code,
                       old=old, new=new, reason=reason)
    return subject


def find_by_code(value: str) -> Subject | None:
    """The subject a code names: its primary code, a legacy code, or an upgraded 15-digit ID."""
    code = normalize_code(value or "")
    if not code:
        return None
    subject = Subject.objects.filter(code=code).first()
    if subject:
        return subject
    try:
        ident = parse_any(code)
    except IdentifierError:
        ident = None
    if ident and ident.value != code:
        subject = Subject.objects.filter(code=ident.value).first()
        if subject:
            return subject
    legacy = LegacyIdentifier.objects.filter(value=code).select_related("subject").first()
    return legacy.subject if legacy else None
