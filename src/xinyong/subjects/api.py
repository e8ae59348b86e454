"""Public subject lookups. Only what `disclosure.public_subject` returns leaves this module."""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema
from ninja.errors import HttpError

from .disclosure import is_public, public_subject
from .services import find_by_code

router = Router(tags=["subjects"])


class FormerNameOut(Schema):
    name: str
    valid_from: date | None
    valid_to: date


class PublicSubjectOut(Schema):
    code: str
    name: str
    base: str
    subject_type: str
    status: str
    division: str
    legal_representative: str | None
    established: date | None
    registered_capital: Decimal | None
    address: str | None
    industry: str | None
    registration_authority: str | None
    former_names: list[FormerNameOut]


@router.get("/{code}", response=PublicSubjectOut, summary="Public registration data of an "
            "organisation by its unified social credit code or a legacy code")
def get_subject(request, code: str):
    subject = find_by_code(code)
    # Persons answer exactly like unknown codes, so the API does not reveal who is registered.
    if subject is None or not is_public(subject):
        raise HttpError(404, "no public subject with this code")
    return public_subject(subject)
