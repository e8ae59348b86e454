"""Catalog services: the only code that writes the catalog tables, plus read helpers.

`load_catalog` checks the YAML, compares it with the database, applies the difference in one
transaction, records a `CatalogVersion` with the changes and journals every change with its
old and new values. Entries that leave the YAML stay in the database as inactive rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from xinyong.journal.services import log_create, log_delete, log_event, log_update

from .conditions import evaluate
from .loader import Catalog, CatalogError, CatalogInvalid, parse_catalog
from .models import (
    Behaviour,
    CatalogVersion,
    Department,
    InformationItem,
    ListType,
    Measure,
    PublicityRule,
    Term,
)

__all__ = [
    "CatalogError",
    "CatalogInvalid",
    "LoadResult",
    "behaviours_shown",
    "current_version",
    "effective_disclosure",
    "find",
    "find_all",
    "get_behaviour",
    "get_department",
    "get_item",
    "get_list_type",
    "get_measure",
    "load_catalog",
    "measures_for",
    "publicity_rule",
]


def _code(entry) -> str:
    return entry["code"]


@dataclass(frozen=True)
class Section:
    """How one part of the catalog maps onto a model."""

    name: str
    model: type
    object_type: str
    fk: dict = field(default_factory=dict)
    m2m: dict = field(default_factory=dict)
    key: Callable = _code
    versioned: bool = False


def _term_key(entry) -> str:
    return f"{entry['vocabulary']}:{entry['code']}"


SECTIONS = (
    Section("terms", Term, "catalog.term", key=_term_key),
    Section("publicity_rules", PublicityRule, "catalog.publicity_rule"),
    Section("departments", Department, "catalog.department", fk={"parent": Department}),
    Section("items", InformationItem, "catalog.item", m2m={"providers": Department},
            versioned=True),
    Section("list_types", ListType, "catalog.list_type",
            fk={"department": Department, "item": InformationItem}),
    Section("behaviours", Behaviour, "catalog.behaviour", fk={"item": InformationItem}),
    Section("measures", Measure, "catalog.measure",
            m2m={"departments": Department, "list_types": ListType, "behaviours": Behaviour}),
)


@dataclass
class SectionDiff:
    """Codes added and removed, and for each changed code the names of changed values
    (an item's changed fields appear as `fields.CODE`, `fields.+CODE`, `fields.-CODE`)."""

    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    def __bool__(self):
        return bool(self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        changed = {key: self.details.get(key, names) for key, names in self.changed.items()}
        return {"added": self.added, "removed": self.removed, "changed": changed}


def _field_changes(old: list, new: list) -> list[str]:
    before, after = {f["code"]: f for f in old}, {f["code"]: f for f in new}
    names = [f"fields.+{c}" for c in after if c not in before]
    names += [f"fields.-{c}" for c in before if c not in after]
    names += [f"fields.{c}" for c in after if c in before and before[c] != after[c]]
    if not names:  # same fields in another order
        names = ["fields"]
    return names


def _detail(old: dict, spec: dict, changed: list) -> list[str]:
    if "fields" not in changed or not isinstance(spec.get("fields"), list):
        return changed
    others = [name for name in changed if name != "fields"]
    return others + _field_changes(old["fields"], spec["fields"])


@dataclass
class LoadResult:
    """What a load did: the version (new, or the current one if nothing changed)."""

    version: CatalogVersion | None
    created: bool
    changes: dict
    catalog: Catalog

    def summary(self) -> str:
        if not self.created:
            number = self.version.number if self.version else "none"
            return f"catalog unchanged: version {number} (sha256 {self.catalog.sha256[:12]})"
        parts = [f"{name} +{len(c['added'])} ~{len(c['changed'])} -{len(c['removed'])}"
                 for name, c in self.changes.items() if name != "header"]
        if "header" in self.changes:
            parts.append(f"header ~{len(self.changes['header'])}")
        detail = "; ".join(parts) or "no data changes (file content only)"
        return f"catalog version {self.version.number} loaded: {detail}"


# ---- snapshots and diffs ------------------------------------------------------------------

def _spec(section: Section, entry: dict) -> dict:
    spec = {"active": True, **entry}
    for name in section.m2m:
        spec[name] = sorted(spec[name])
    return spec


def _snapshot(section: Section, obj, keys) -> dict:
    result = {}
    for key in keys:
        if key in section.fk:
            target = getattr(obj, key)
            result[key] = target.code if target else None
        elif key in section.m2m:
            result[key] = sorted(o.code for o in getattr(obj, key).all())
        else:
            result[key] = getattr(obj, key)
    return result


def _existing(section: Section) -> dict:
    rows = section.model.objects.select_related(*section.fk).prefetch_related(*section.m2m)
    return {section.key(vars(row)): row for row in rows}


def _diff(section: Section, specs: dict, existing: dict) -> SectionDiff:
    diff = SectionDiff()
    for key, spec in specs.items():
        row = existing.get(key)
        if row is None:
            diff.added.append(key)
            continue
        old = _snapshot(section, row, spec)
        changed = [name for name in spec if old[name] != spec[name]]
        if changed:
            diff.changed[key] = changed
            diff.details[key] = _detail(old, spec, changed)
    diff.removed = [key for key, row in existing.items() if row.active and key not in specs]
    return diff


def _specs(catalog: Catalog) -> dict[str, dict]:
    return {s.name: {s.key(e): _spec(s, e) for e in getattr(catalog, s.name)} for s in SECTIONS}


def compare(catalog: Catalog) -> dict[str, SectionDiff]:
    """What loading this catalog would change, per section."""
    specs = _specs(catalog)
    return {s.name: _diff(s, specs[s.name], _existing(s)) for s in SECTIONS}


# ---- writing ------------------------------------------------------------------------------

class _Writer:
    """Applies one section's diff and journals each change."""

    def __init__(self, actor: str, reason: str):
        self.actor, self.reason = actor, reason
        self.lookups: dict[type, dict] = {}

    def refresh(self, model):
        self.lookups[model] = {row.code: row for row in model.objects.all()}

    def resolve(self, model, code):
        return self.lookups[model][code] if code else None

    def assign(self, section: Section, obj, spec: dict):
        for key, value in spec.items():
            if key in section.m2m or section.fk.get(key) is section.model:
                continue
            if key in section.fk:
                setattr(obj, key, self.resolve(section.fk[key], value))
            else:
                setattr(obj, key, value)

    def relate(self, section: Section, obj, spec: dict):
        for key, model in section.fk.items():
            if model is section.model:
                setattr(obj, key, self.resolve(model, spec[key]))
                obj.save(update_fields=[key])
        for key, model in section.m2m.items():
            getattr(obj, key).set([self.resolve(model, code) for code in spec[key]])

    def apply(self, section: Section, specs: dict, existing: dict, diff: SectionDiff):
        touched = []
        for key in diff.added:
            obj = section.model()
            self.assign(section, obj, specs[key])
            obj.save()
            touched.append((obj, specs[key]))
            log_create(actor=self.actor, object_type=section.object_type, object_id=key,
                       new=specs[key], reason=self.reason)
        for key, names in diff.changed.items():
            touched.append((self.update(section, existing[key], specs[key], names), specs[key]))
        for key in diff.removed:
            self.remove(section, existing[key], key)
        self.refresh(section.model)
        for obj, spec in touched:
            self.relate(section, obj, spec)

    def update(self, section: Section, obj, spec: dict, names: list):
        old = _snapshot(section, obj, names)
        self.assign(section, obj, spec)
        if section.versioned:
            obj.version += 1
        obj.save()
        log_update(actor=self.actor, object_type=section.object_type, object_id=section.key(spec),
                   old=old, new={n: spec[n] for n in names}, reason=self.reason)
        return obj

    def remove(self, section: Section, obj, key: str):
        old = _snapshot(section, obj, _spec_keys(section, obj))
        obj.active = False
        obj.save(update_fields=["active"])
        log_delete(actor=self.actor, object_type=section.object_type, object_id=key, old=old,
                   reason=f"{self.reason}: removed from the catalog (kept inactive)")


def _spec_keys(section: Section, obj) -> list[str]:
    skip = {"id", "version"}
    names = [f.name for f in section.model._meta.concrete_fields if f.name not in skip]
    return names + list(section.m2m)


def _header_changes(header: dict, latest: CatalogVersion | None) -> list[str]:
    old = latest.header if latest else {}
    return sorted(k for k in header if old.get(k) != header[k])


def _changes(diffs: dict, header_changed: list) -> dict:
    changes = {name: diff.as_dict() for name, diff in diffs.items() if diff}
    if header_changed:
        changes["header"] = header_changed
    return changes


def _counts(catalog: Catalog) -> dict:
    return {s.name: len(getattr(catalog, s.name)) for s in SECTIONS}


def _new_version(catalog: Catalog, actor: str, changes: dict) -> CatalogVersion:
    latest = CatalogVersion.objects.order_by("-number").first()
    return CatalogVersion.objects.create(
        number=(latest.number + 1) if latest else 1, actor=actor,
        content_sha256=catalog.sha256, source_path=str(catalog.root), header=catalog.header,
        counts=_counts(catalog), changes=changes)


def _apply(catalog: Catalog, actor: str, changes: dict, diffs: dict) -> CatalogVersion:
    version = _new_version(catalog, actor, changes)
    log_event(actor=actor, action="catalog_load", object_type="catalog.version",
              object_id=version.number,
              new={"number": version.number, "sha256": catalog.sha256,
                   "source": str(catalog.root), "edition": catalog.header.get("edition"),
                   "counts": version.counts, "changes": changes},
              reason=f"catalog load from {catalog.root}")
    writer = _Writer(actor, f"catalog version {version.number}")
    specs = _specs(catalog)
    for section in SECTIONS:
        writer.refresh(section.model)
        writer.apply(section, specs[section.name], _existing(section), diffs[section.name])
    return version


def load_catalog(path=None, *, actor: str) -> LoadResult:
    """Check the catalog at `path` (default settings.CATALOG_DIR) and store it.

    Raises CatalogInvalid with every error, writing nothing, if the YAML has problems.
    An unchanged catalog creates no version: the result has created=False.
    """
    if not actor:
        raise ValueError("load_catalog needs an actor")
    result = parse_catalog(Path(path or settings.CATALOG_DIR))
    if result.errors:
        raise CatalogInvalid(result.errors)
    catalog = result.catalog
    with transaction.atomic():
        latest = CatalogVersion.objects.select_for_update().order_by("-number").first()
        diffs = compare(catalog)
        changes = _changes(diffs, _header_changes(catalog.header, latest))
        if latest and not changes and latest.content_sha256 == catalog.sha256:
            return LoadResult(latest, False, {}, catalog)
        version = _apply(catalog, actor, changes, diffs)
    return LoadResult(version, True, changes, catalog)


# ---- reading --------------------------------------------------------------------------------

def current_version() -> CatalogVersion | None:
    return CatalogVersion.objects.order_by("-number").first()


def get_department(code: str) -> Department:
    """The department with this code (raises Department.DoesNotExist)."""
    return Department.objects.get(code=code)


def get_item(code: str) -> InformationItem:
    """The active information item with this code (raises InformationItem.DoesNotExist)."""
    return InformationItem.objects.prefetch_related("providers").get(code=code, active=True)


def get_list_type(code: str) -> ListType:
    return ListType.objects.select_related("department", "item").get(code=code, active=True)


def get_behaviour(code: str) -> Behaviour:
    return Behaviour.objects.select_related("item").get(code=code, active=True)


def get_measure(code: str) -> Measure:
    return Measure.objects.prefetch_related("departments", "list_types", "behaviours").get(
        code=code, active=True)


def find_all(code: str) -> list:
    """Every catalog entry with this code, across sections (an item and the list type fed
    by it may share a code): items first, then list types, measures, behaviours,
    departments, publicity rules."""
    found = []
    for model in (InformationItem, ListType, Measure, Behaviour, Department, PublicityRule):
        found += list(model.objects.filter(code=code))
    return found


def find(code: str):
    """The first catalog entry with this code (see find_all), or None."""
    found = find_all(code)
    return found[0] if found else None


def publicity_rule(family: str, on: date | None = None, scope: str = "all"):
    """The publicity rule of a family in force on a date (the latest to start wins);
    without a date, or if none was in force, the family's default rule."""
    rules = PublicityRule.objects.filter(family=family, scope=scope, active=True)
    if on is not None:
        in_force = rules.filter(Q(in_force_from__isnull=True) | Q(in_force_from__lte=on),
                                Q(in_force_to__isnull=True) | Q(in_force_to__gte=on))
        rule = in_force.order_by("-in_force_from").first()
        if rule is not None:
            return rule
    return PublicityRule.objects.filter(family=family, default=True, active=True).first()


def effective_disclosure(item: InformationItem, subject_kind: str,
                         field_code: str | None = None) -> str:
    """The disclosure level of an item (or one of its fields) for a kind of subject.

    A level of `public` holds only for the subject kinds in `item.public_for`; for others
    (natural persons, as a rule: 山东省社会信用条例 Art. 20) it becomes `authorised`.
    """
    level = item.disclosure
    if field_code is not None:
        spec = item.field(field_code)
        if spec is None:
            raise KeyError(f"item {item.code} has no field {field_code}")
        level = spec.get("disclosure") or level
    if level == "public" and subject_kind not in item.public_for:
        return "authorised"
    return level


def measures_for(*, list_types=(), behaviours=(), matter: str | None = None):
    """Active measures triggered by any of these list types or behaviours (by code),
    optionally only those that apply to a business matter."""
    query = Measure.objects.filter(active=True).filter(
        Q(list_types__code__in=list(list_types)) | Q(behaviours__code__in=list(behaviours)))
    measures = list(query.distinct().prefetch_related("departments", "list_types"))
    if matter is not None:
        measures = [m for m in measures if not m.matters or matter in m.matters]
    return measures


def behaviours_shown(behaviours, fields: dict) -> list[Behaviour]:
    """Of an item's behaviours, those a record with these fields shows; a behaviour without
    a match rule is shown by every record of its item."""
    return [b for b in behaviours if not b.match or evaluate(b.match, fields)]
