"""Finding organisations by code or name for the public search box.

Ranking: exact code, exact name, name prefix, name substring (current, then former names).
Natural persons are never searched. A faster bigram index arrives with the full portal.
"""

import re

from xinyong.core.text import normalize_code, normalize_name

from .models import Base, FormerName, Subject
from .services import find_by_code

CODE_SHAPE = re.compile(r"^[0-9A-Z]{8,18}$")


def search_organisations(query: str, *, limit: int = 20) -> list[Subject]:
    query = (query or "").strip()
    if not query:
        return []
    organisations = Subject.objects.exclude(base=Base.PERSON).select_related("organisation")
    code = normalize_code(query)
    if CODE_SHAPE.match(code):
        subject = find_by_code(code)
        if subject and subject.base != Base.PERSON:
            return [subject]
    name = normalize_name(query)
    if len(name) < 2:
        return []
    found: dict[int, Subject] = {}
    for subject in organisations.filter(name_norm=name)[:limit]:
        found.setdefault(subject.pk, subject)
    for subject in organisations.filter(name_norm__startswith=name)[:limit]:
        found.setdefault(subject.pk, subject)
    for subject in organisations.filter(name_norm__contains=name)[:limit]:
        found.setdefault(subject.pk, subject)
    former = FormerName.objects.filter(name_norm__contains=name).exclude(
        subject__base=Base.PERSON).values_list("subject_id", flat=True)[:limit]
    for subject in organisations.filter(pk__in=list(former)):
        found.setdefault(subject.pk, subject)
    return list(found.values())[:limit]
