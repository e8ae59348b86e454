"""What of a subject the public may see. Public pages and the public API pass through here.

Natural persons are never public (山东省社会信用条例 Art. 20): their records are disclosed only
by authorised query or government sharing, so `public_subject` returns None for them.
"""

from .models import Base, Subject

PUBLIC_ORGANISATION_FIELDS = ("legal_representative", "established", "registered_capital",
                              "address", "industry", "registration_authority")


def is_public(subject: Subject) -> bool:
    return subject.base != Base.PERSON


def public_subject(subject: Subject) -> dict | None:
    if not is_public(subject):
        return None
    data = {
        "code": subject.code,
        "name": subject.name,
        "base": subject.base,
        "base_label": subject.get_base_display(),
        "subject_type": subject.subject_type,
        "status": subject.status,
        "status_label": subject.get_status_display(),
        "division": subject.division,
        "former_names": [
            {"name": f.name, "valid_from": f.valid_from, "valid_to": f.valid_to}
            for f in subject.former_names.all()
        ],
    }
    org = getattr(subject, "organisation", None)
    for name in PUBLIC_ORGANISATION_FIELDS:
        data[name] = getattr(org, name) if org else None
    return data
