"""The measures list (应用清单) as a check needs it, read once per catalog version.

A check runs many times a second; the catalog changes a few times a year. The snapshot is
rebuilt whenever the latest catalog version differs from the one it was built from (one
indexed query a check), so a catalog load reaches every process without a restart.
"""

from dataclasses import dataclass
from threading import Lock

from xinyong.catalog.models import Behaviour, CatalogVersion, ListType, Measure, Term

from .queries import catalog_key

__all__ = ["DEFAULT_FEEDBACK_DAYS", "MeasureRule", "Rules", "rules"]

DEFAULT_FEEDBACK_DAYS = 10  # when the catalog header does not say


@dataclass(frozen=True)
class MeasureRule:
    measure: Measure
    department_ids: frozenset
    matters: frozenset  # empty: every matter
    list_type_ids: frozenset
    behaviour_ids: frozenset
    for_subject: bool  # applies_to includes the subject itself

    def applies(self, department_id: int, matter: str) -> bool:
        return self.for_subject and department_id in self.department_ids and (
            not self.matters or matter in self.matters)


@dataclass(frozen=True)
class Rules:
    key: tuple
    measures: tuple[MeasureRule, ...]
    list_types: dict  # id -> ListType
    behaviours_by_item: dict  # item id -> [Behaviour]
    behaviours: dict  # id -> Behaviour
    matters: dict  # code -> name
    feedback_days: int

    def measures_for(self, department_id: int, matter: str, list_type_ids, behaviour_ids
                     ) -> list[tuple[MeasureRule, list[str], list[str]]]:
        """The measures this department applies in this matter that the given list types or
        behaviours trigger, each with the codes of the list types that triggered it and of
        all its triggers (list types, then behaviours)."""
        found = []
        for rule in self.measures:
            if not rule.applies(department_id, matter):
                continue
            lists = [self.list_types[i].code for i in sorted(rule.list_type_ids & list_type_ids)]
            behaviours = [self.behaviours[i].code
                          for i in sorted(rule.behaviour_ids & behaviour_ids)]
            if lists or behaviours:
                found.append((rule, lists, lists + behaviours))
        return found


_lock = Lock()
_current: Rules | None = None


def rules() -> Rules:
    global _current
    key = catalog_key()
    if _current is None or _current.key != key:
        with _lock:
            _current = _build(key)
    return _current


def _build(key: tuple) -> Rules:
    measures = Measure.objects.filter(active=True).prefetch_related(
        "departments", "list_types", "behaviours")
    behaviours: dict = {}
    for behaviour in Behaviour.objects.filter(active=True).select_related("item"):
        behaviours.setdefault(behaviour.item_id, []).append(behaviour)
    header = CatalogVersion.objects.filter(pk=int(key[0])).values_list(
        "header", flat=True).first() if key else None
    return Rules(
        key=key,
        measures=tuple(MeasureRule(
            measure=m, department_ids=frozenset(d.pk for d in m.departments.all()),
            matters=frozenset(m.matters or ()),
            list_type_ids=frozenset(lt.pk for lt in m.list_types.all() if lt.active),
            behaviour_ids=frozenset(b.pk for b in m.behaviours.all() if b.active),
            for_subject="subject" in (m.applies_to or ["subject"])) for m in measures),
        list_types={lt.pk: lt for lt in ListType.objects.filter(active=True)},
        behaviours_by_item=behaviours,
        behaviours={b.pk: b for item in behaviours.values() for b in item},
        matters=dict(Term.objects.filter(vocabulary="business_matter", active=True)
                     .values_list("code", "name")),
        feedback_days=(header or {}).get("feedback_within_working_days")
        or DEFAULT_FEEDBACK_DAYS)
