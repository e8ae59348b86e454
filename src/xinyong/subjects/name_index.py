"""Keeping the search index (`SearchName`) in step with subjects' names.

The services that write subjects call these inside their own transaction; persons are never
indexed. `subjects.search` reads the index.
"""

from xinyong.core.text import name_bigrams

from .models import Base, SearchName, Subject

__all__ = ["INDEX_COLUMNS", "index_names", "index_row"]

INDEX_COLUMNS = ("subject_id", "name", "name_norm", "current", "grams")


def index_row(subject_id: int, name: str, name_norm: str, current: bool = True) -> tuple:
    """A row of `subjects_searchname` in `INDEX_COLUMNS` order, for bulk inserts."""
    return (subject_id, name, name_norm, current, " ".join(name_bigrams(name_norm)))


def index_names(subject: Subject) -> None:
    """(Re)index a subject's current and former names."""
    SearchName.objects.filter(subject=subject).delete()
    if subject.base == Base.PERSON:
        return
    names = [(subject.name, subject.name_norm, True)]
    names += [(f.name, f.name_norm, False) for f in subject.former_names.all()]
    SearchName.objects.bulk_create(
        SearchName(subject=subject, name=name, name_norm=norm, current=current,
                   grams=" ".join(name_bigrams(norm))) for name, norm, current in names)
