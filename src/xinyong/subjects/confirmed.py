"""Codes confirmed as written (校验位人工确认): a subject registered under a code whose only
fault is its check character.

Departments sometimes report a USCC or resident ID that was issued (or printed on the
decision) with a wrong check character. `services.register_subject` and `bulk_register`
refuse such codes, rightly: nobody may create a subject from a code that does not check. The
credit centre may, after looking, confirm that the code exists as written; the subject then
takes its kind and division from the code with corrected check characters and keeps the code
exactly as written, and the journal entry carries the credit centre's reason.
"""

from django.db import transaction

from xinyong.core.identifiers import (
    Identifier,
    IdentifierError,
    org_code_check_char,
    parse_resident_id,
    parse_uscc,
    resident_id_check_char,
    uscc_check_char,
)
from xinyong.core.text import normalize_name
from xinyong.journal.services import log_create

from .models import Base, Organisation, Subject
from .name_index import index_names
from .services import SubjectError, snapshot

__all__ = ["check_character_fault", "register_confirmed_code"]


def _corrected_uscc(code: str) -> str:
    first17 = code[:16] + org_code_check_char(code[8:16])
    return first17 + uscc_check_char(first17)


def _corrected_resident_id(code: str) -> str:
    return code[:17] + resident_id_check_char(code[:17])


def check_character_fault(code: str) -> Identifier | None:
    """The valid identifier `code` becomes once its check characters are corrected, when
    they are its only fault; None for a valid code or one with any other fault."""
    if not isinstance(code, str) or len(code) != 18:
        return None
    attempts = [(_corrected_uscc, parse_uscc)]
    if code[:17].isascii() and code[:17].isdigit():
        attempts.insert(0, (_corrected_resident_id, parse_resident_id))
    for correct, parse in attempts:
        try:
            ident = parse(correct(code))
        except IdentifierError:
            continue
        return ident if ident.value != code else None
    return None


def register_confirmed_code(code: str, name: str, *, actor: str, reason: str) -> Subject:
    """Register a subject under `code` as written, after the credit centre confirmed it."""
    if not reason.strip():
        raise SubjectError("confirming a code with a wrong check character needs a reason")
    if not name.strip():
        raise SubjectError(f"a subject needs a name; none was given for {code}")
    ident = check_character_fault(code)
    if ident is None:
        raise SubjectError(f"{code!r} is not a code whose only fault is its check character")
    if Subject.objects.filter(code=code).exists():
        raise SubjectError(f"a subject with identifier {code} already exists")
    with transaction.atomic():
        subject = Subject.objects.create(
            base=ident.subject_base, subject_type=ident.subject_type or "自然人", code=code,
            name=name.strip(), name_norm=normalize_name(name),
            division=ident.parts.get("division", ""))
        if subject.base != Base.PERSON:
            Organisation.objects.create(subject=subject)
        index_names(subject)
        log_create(actor=actor, object_type="subject", object_id=subject.code,
                   new={**snapshot(subject), "check_character_confirmed": True},
                   reason=reason)
    return subject
