"""Read a catalog folder (catalog/<city>/) and check all of it.

`parse_catalog(path)` returns every problem found, each a `CatalogError` printed as
`path/to/file.yaml:LINE: message`, plus, when there are none, the `Catalog`: plain,
normalised entries with every optional key filled in, ready for `services.load_catalog`.
The layout and each key are described in catalog/README.md.
"""

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from stdnum import numdb
from stdnum.cn import uscc

from . import schema as s
from .conditions import COMBINATORS, COMPARISONS
from .models import DISCLOSURE_LEVELS
from .yamltext import CatalogError, YList, YMap, read_yaml

__all__ = ["Catalog", "CatalogError", "CatalogInvalid", "ParseResult", "check_catalog",
           "parse_catalog"]

SECTION_FILES = {
    "catalog.yaml": None,
    "vocabularies.yaml": s.VOCABULARIES,
    "publicity.yaml": {"publicity_rules": ("list", True)},
    "departments.yaml": {"departments": ("list", True)},
    "lists.yaml": {"list_types": ("list", True)},
    "behaviours.yaml": {"behaviours": ("list", True)},
    "measures.yaml": {"measures": ("list", True)},
}
ITEMS_DIR = "items"
# The reference sections each file defines: when a file cannot be read, references into
# its sections are not checked (they would only repeat the file's own error).
DEFINES = {
    "vocabularies.yaml": ("category", "measure_type", "business_matter", "update_frequency"),
    "publicity.yaml": ("publicity_rule", "publicity_family"),
    "departments.yaml": ("department",),
    ITEMS_DIR: ("item",),
    "lists.yaml": ("list_type",),
    "behaviours.yaml": ("behaviour",),
}
VOCABULARY_NAMES = {"categories": "category", "measure_types": "measure_type",
                    "business_matters": "business_matter",
                    "update_frequencies": "update_frequency"}


class CatalogInvalid(Exception):
    """The catalog has errors; nothing was written. `errors` lists them all."""

    def __init__(self, errors: list[CatalogError]):
        self.errors = list(errors)
        super().__init__(f"the catalog has {len(self.errors)} error(s); first: {self.errors[0]}"
                         if self.errors else "the catalog is invalid")


@dataclass
class Catalog:
    """A checked catalog: plain values (JSON-ready inside JSON columns), codes as references."""

    root: Path
    sha256: str
    files: list[str]
    header: dict
    terms: list[dict]
    publicity_rules: list[dict]
    departments: list[dict]
    items: list[dict]
    list_types: list[dict]
    behaviours: list[dict]
    measures: list[dict]
    sources: dict = field(default_factory=dict)


@dataclass
class ParseResult:
    catalog: Catalog | None
    errors: list[CatalogError]

    @property
    def ok(self) -> bool:
        return not self.errors


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def plain(value):
    """YAML values as plain JSON-ready Python: dates become ISO text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class _Build:
    """Errors found so far, and the codes each section defines (for references)."""

    def __init__(self):
        self.errors: list[CatalogError] = []
        self.codes: dict[str, dict] = defaultdict(dict)
        self.sources: dict = {}
        self.unreadable: set[str] = set()

    def cannot_read(self, place: str):
        self.unreadable.update(DEFINES.get(place, ()))

    def err(self, where, key, message: str):
        line = where.value_line(key) if key is not None else where.line
        self.errors.append(CatalogError(where.file, line, message))

    def register(self, section: str, entry: YMap, what: str) -> bool:
        code = entry.get("code")
        if code is None:
            return False
        seen = self.codes[section]
        if code in seen:
            first = seen[code]
            self.err(entry, "code", f"{what}: duplicate code {code!r} "
                                    f"(first defined at {first[0]}:{first[1]})")
            return False
        seen[code] = (entry.file, entry.key_line("code"))
        self.sources[(section, code)] = f"{entry.file}:{entry.line}"
        return True

    def refs(self, where, key, codes, section: str, what: str):
        if section in self.unreadable:
            return
        known = self.codes[section]
        for code in codes if isinstance(codes, list) else [codes]:
            if code not in known:
                self.err(where, key, f"{what}: unknown {section.replace('_', ' ')} {code!r}")


# ---- files -------------------------------------------------------------------------------

def _yaml_files(root: Path) -> list[Path]:
    found = [p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def content_sha256(root: Path, files: list[Path]) -> str:
    """SHA-256 over each YAML file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read(path: Path, b: _Build):
    shown = display_path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        b.errors.append(CatalogError(shown, 1, f"file is not UTF-8 text ({exc.reason})"))
        return None
    value, errors = read_yaml(text, shown)
    b.errors.extend(errors)
    return value


def _place(root: Path, path: Path) -> str | None:
    rel = path.relative_to(root).as_posix()
    if rel in SECTION_FILES:
        return rel
    parts = rel.split("/")
    if len(parts) == 2 and parts[0] == ITEMS_DIR and rel.endswith(".yaml"):
        return ITEMS_DIR
    return None


def _read_files(root: Path, files: list[Path], b: _Build) -> tuple[dict, list]:
    docs, items = {}, []
    for path in files:
        place = _place(root, path)
        if place is None:
            b.errors.append(CatalogError(display_path(path), 1, (
                "unexpected file: a catalog holds catalog.yaml, vocabularies.yaml, "
                "publicity.yaml, departments.yaml, lists.yaml, behaviours.yaml, measures.yaml "
                "and items/*.yaml")))
            continue
        value = _read(path, b)
        if value is None:
            b.cannot_read(place)
            continue
        if place == ITEMS_DIR:
            items.append(value)
        else:
            docs[place] = value
    for name in SECTION_FILES:
        if not (root / name).is_file():
            b.errors.append(CatalogError(display_path(root / name), 1, "required file is missing"))
            b.cannot_read(name)
    return docs, items


def _doc(docs: dict, name: str, b: _Build) -> YMap:
    value = docs.get(name)
    if value is None:
        return YMap(file=name)
    spec = SECTION_FILES[name] or s.HEADER
    checked = s.checked(value, spec, name, b.errors)
    if checked is None or any(k not in checked for k, (_, req) in spec.items() if req
                              and name != "catalog.yaml"):
        b.cannot_read(name)
    return checked if checked is not None else YMap(file=getattr(value, "file", name))


# ---- header, vocabularies, departments ------------------------------------------------

def _division_known(code: str) -> bool:
    info = numdb.get("cn/loc").info(code)
    return len(info) >= 2 and "county" in info[-1][1]


def _check_division(b: _Build, entry: YMap, key: str, what: str) -> str | None:
    if entry.get(key) is None:
        return None
    code = str(entry[key])
    if not _division_known(code):
        b.err(entry, key, f"{what}: {key} {code} is not a GB/T 2260 division code")
    return code


def _header(b: _Build, doc: YMap) -> dict:
    division = _check_division(b, doc, "division", "catalog.yaml")
    if doc.get("issuer") is not None:
        b.refs(doc, "issuer", doc["issuer"], "department", "catalog.yaml: issuer")
    header = {k: plain(doc.get(k)) for k in s.HEADER}
    header["division"], header["basis"] = division, plain(doc.get("basis") or [])
    return header


def _terms(b: _Build, doc: YMap) -> list[dict]:
    terms = []
    for key, vocabulary in VOCABULARY_NAMES.items():
        entries = s.checked_list(doc, key, s.TERM, vocabulary.replace("_", " "), b.errors)
        for position, entry in enumerate(entries):
            if b.register(vocabulary, entry, f"{vocabulary.replace('_', ' ')} {entry.get('code')}"):
                terms.append({"vocabulary": vocabulary, "code": entry["code"],
                              "name": entry.get("name", ""),
                              "description": entry.get("description", ""),
                              "position": position})
    return terms


def _department(b: _Build, entry: YMap) -> dict:
    what = f"department {entry['code']}"
    division = _check_division(b, entry, "division", what)
    if entry.get("uscc") and not uscc.is_valid(entry["uscc"]):
        b.err(entry, "uscc", f"{what}: uscc {entry['uscc']!r} is not a valid unified social "
                             "credit code (leave it out when unknown)")
    if entry.get("parent") == entry["code"]:
        b.err(entry, "parent", f"{what}: a department cannot be its own parent")
    return {"code": entry["code"], "name": entry.get("name", ""),
            "short_name": entry.get("short_name", ""), "kind": entry.get("kind", ""),
            "division": division or "", "parent": entry.get("parent"),
            "uscc": entry.get("uscc", ""), "note": entry.get("note", ""),
            "active": entry.get("active", True)}


def _departments(b: _Build, doc: YMap) -> list[dict]:
    entries = s.checked_list(doc, "departments", s.DEPARTMENT, "department", b.errors)
    result = [_department(b, e) for e in entries
              if b.register("department", e, f"department {e.get('code')}")]
    for entry in entries:
        if entry.get("parent") is not None:
            b.refs(entry, "parent", entry["parent"], "department",
                   f"department {entry.get('code')}: parent")
    return result


# ---- publicity rules --------------------------------------------------------------------

def _period(b: _Build, entry: YMap, what: str) -> dict | None:
    low, high = entry.get("min_months"), entry.get("max_months")
    if low is not None and high is not None and low > high:
        b.err(entry, "min_months", f"{what}: min_months {low} exceeds max_months {high}")
    return {"publish": entry.get("publish"), "min_months": low, "max_months": high,
            "repair": entry.get("repair", "not_set"), "note": entry.get("note", "")}


def _periods(b: _Build, rule: YMap, what: str) -> dict:
    periods = s.checked(rule["periods"], s.PERIODS, f"{what}: periods", b.errors)
    result = {}
    for severity in s.SEVERITIES:
        value = periods.get(severity) if periods else None
        checked = s.checked(value, s.PERIOD, f"{what}: {severity}", b.errors) if value else None
        result[severity] = _period(b, checked, f"{what}: {severity}") if checked else None
    return result


def _publicity_rule(b: _Build, rule: YMap) -> dict:
    what = f"publicity rule {rule['code']}"
    start, end = rule.get("in_force_from"), rule.get("in_force_to")
    if start and end and start > end:
        b.err(rule, "in_force_to", f"{what}: in_force_to {end} is before in_force_from {start}")
    periods = _periods(b, rule, what) if "periods" in rule else {}
    cases = s.checked_list(rule, "special_cases", s.SPECIAL_CASE, f"{what}: special case",
                           b.errors)
    return {"code": rule["code"], "family": rule.get("family", ""), "name": rule.get("name", ""),
            "basis": rule.get("basis", ""), "scope": rule.get("scope", "all"),
            "in_force_from": start, "in_force_to": end, "default": rule.get("default", False),
            "start_event": rule.get("start_event", ""), "periods": periods,
            "special_cases": plain(cases), "note": rule.get("note", "")}


def _publicity(b: _Build, doc: YMap) -> list[dict]:
    entries = s.checked_list(doc, "publicity_rules", s.PUBLICITY_RULE, "publicity rule",
                             b.errors)
    result = [_publicity_rule(b, e) for e in entries
              if b.register("publicity_rule", e, f"publicity rule {e.get('code')}")]
    defaults = defaultdict(list)
    for entry in entries:
        if entry.get("family") is not None:
            b.codes["publicity_family"].setdefault(entry["family"], (entry.file, entry.line))
        if entry.get("default"):
            defaults[entry.get("family")].append(entry)
    for family in {e.get("family") for e in entries} - {None}:
        if len(defaults[family]) != 1:
            where = (defaults[family] or [e for e in entries if e.get("family") == family])[-1]
            b.err(where, "default", f"publicity family {family!r} needs exactly one rule with "
                                    f"default: true (found {len(defaults[family])})")
    return result


# ---- predicates (field conditions, behaviour matches) -------------------------------------

def _scalar(value) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _compared_values(b: _Build, p: YMap, op: str, what: str) -> list | None:
    value = p[op]
    if op == "present":
        return [] if isinstance(value, bool) else b.err(p, op, f"{what}: present must be "
                                                               "true or false")
    if op in ("in", "contains_any"):
        if isinstance(value, YList) and value and all(_scalar(v) for v in value):
            return [str(v) for v in value]
        return b.err(p, op, f"{what}: {op} must be a non-empty list of values")
    if _scalar(value):
        return [str(value)]
    return b.err(p, op, f"{what}: {op} must be a single value")


def _check_comparison(b: _Build, p: YMap, fields: dict, what: str, own: str | None):
    extra = [k for k in p if k != "field" and k not in COMPARISONS]
    for key in extra:
        b.errors.append(CatalogError(p.file, p.key_line(key), s.unknown_key_message(
            key, {"field": 0, **dict.fromkeys(COMPARISONS + COMBINATORS)}, what)))
    ops = [k for k in p if k in COMPARISONS]
    if len(ops) != 1:
        return b.err(p, None, f"{what}: needs exactly one of {', '.join(COMPARISONS)}")
    name = p.get("field")
    if not isinstance(name, str) or name not in fields:
        return b.err(p, "field", f"{what}: unknown field {name!r}")
    if name == own:
        b.err(p, "field", f"{what}: a field's condition cannot test the field itself")
    values = _compared_values(b, p, ops[0], what)
    spec = fields[name]
    allowed = set(spec.get("values", [])) | set(spec.get("legacy_values", []))
    if values and spec.get("type") in s.ENUM_TYPES:
        for value in values:
            if value not in allowed:
                b.err(p, ops[0], f"{what}: {value!r} is not a value of field {name}")


def check_predicate(b: _Build, p, fields: dict, what: str, own: str | None = None, where=None):
    """Check a predicate's shape, its field names and compared enum values."""
    if not isinstance(p, YMap):
        return b.err(where, None, f"{what} must be a mapping") if where else None
    combinators = [k for k in COMBINATORS if k in p]
    if not combinators:
        if "field" not in p:
            return b.err(p, None, f"{what}: needs 'field' (or all / any / not)")
        return _check_comparison(b, p, fields, what, own)
    key = combinators[0]
    if len(p) != 1:
        return b.err(p, None, f"{what}: {key} stands alone in its mapping")
    if key == "not":
        return check_predicate(b, p[key], fields, what, own, where=p)
    if not isinstance(p[key], YList) or not p[key]:
        return b.err(p, key, f"{what}: {key} must be a non-empty list of conditions")
    for part in p[key]:
        check_predicate(b, part, fields, what, own, where=p)


# ---- information items ------------------------------------------------------------------

def _field_applicability(b: _Build, f: YMap, what: str):
    kind = f.get("type")
    rules = {"values": s.ENUM_TYPES, "legacy_values": s.ENUM_TYPES,
             "max_length": ("string", "text", "identifier"), "scale": ("decimal",),
             "unit": ("decimal", "integer"), "scheme": ("identifier",), "long_term": ("date",),
             "not_before": ("date",)}
    for key, types in rules.items():
        if key in f and kind and kind not in types:
            b.err(f, key, f"{what}: {key} applies only to {' / '.join(types)} fields")
    if kind in s.ENUM_TYPES and not f.get("values"):
        b.err(f, None, f"{what}: an {kind} field needs its values")
    values = list(f.get("values", [])) + list(f.get("legacy_values", []))
    for value in {v for v in values if values.count(v) > 1}:
        b.err(f, "values", f"{what}: value {value!r} is listed twice")


def _field_rules(b: _Build, f: YMap, what: str, item_disclosure: str | None):
    required, condition = f.get("required"), f.get("condition")
    if required == "conditional" and condition is None:
        b.err(f, "required", f"{what}: a conditional field needs a condition")
    if condition is not None and required != "conditional":
        b.err(f, "condition", f"{what}: condition given but required is not 'conditional'")
    disclosure = f.get("disclosure", item_disclosure)
    if f.get("personal") and disclosure == "public":
        b.err(f, "disclosure", f"{what}: a personal field (personal: true) is never public")
    if item_disclosure and disclosure and (DISCLOSURE_LEVELS.index(disclosure)
                                           < DISCLOSURE_LEVELS.index(item_disclosure)):
        b.err(f, "disclosure", f"{what}: disclosure {disclosure!r} is more open than the "
                               f"item's {item_disclosure!r}")


def _field(f: YMap, item_disclosure: str | None) -> dict:
    return {"code": f["code"], "name": f.get("name", ""), "type": f.get("type", ""),
            "required": f.get("required", False), "condition": plain(f.get("condition")),
            "values": plain(f.get("values", [])),
            "legacy_values": plain(f.get("legacy_values", [])),
            "max_length": f.get("max_length"), "scale": f.get("scale"),
            "unit": f.get("unit", ""), "scheme": f.get("scheme", ""),
            "long_term": plain(f.get("long_term")), "not_before": f.get("not_before"),
            "disclosure": f.get("disclosure", item_disclosure or ""),
            "mask": f.get("mask", False), "personal": f.get("personal", False),
            "aliases": plain(f.get("aliases", [])), "note": f.get("note", "")}


def _fields(b: _Build, item: YMap, what: str) -> dict[str, YMap]:
    fields: dict[str, YMap] = {}
    for f in s.checked_list(item, "fields", s.FIELD, f"{what} field", b.errors):
        if "code" not in f:
            continue
        if f["code"] in fields:
            b.err(f, "code", f"{what}: duplicate field {f['code']!r} (first at line "
                             f"{fields[f['code']].line})")
            continue
        fields[f["code"]] = f
        _field_applicability(b, f, f"{what} field {f['code']}")
        _field_rules(b, f, f"{what} field {f['code']}", item.get("disclosure"))
    return fields


def _field_refs(b: _Build, item: YMap, fields: dict, what: str):
    singles = {"decision_date_field": ("date",), "validity_end_field": ("date",),
               "subject_name_field": None, "subject_kind_field": ("enum",),
               "severity_field": ("enum",)}
    for key, types in singles.items():
        name = item.get(key)
        if name is None:
            continue
        if name not in fields:
            b.err(item, key, f"{what}: {key} names unknown field {name!r}")
        elif types and fields[name].get("type") not in types:
            b.err(item, key, f"{what}: {key} {name} must be a {' / '.join(types)} field")
    for key in ("business_key", "subject_code_fields"):
        for name in item.get(key, []):
            if name not in fields:
                b.err(item, key, f"{what}: {key} names unknown field {name!r}")
            elif key == "business_key" and fields[name].get("required") is not True:
                b.err(item, key, f"{what}: business key field {name} must be required: true")


def _value_map(b: _Build, item: YMap, fields: dict, keys: tuple[str, str], allowed, what):
    field_key, map_key = keys
    name, mapping = item.get(field_key), item.get(map_key)
    if (name is None) != (mapping is None):
        return b.err(item, map_key if mapping is not None else field_key,
                     f"{what}: {field_key} and {map_key} go together")
    if name not in fields or mapping is None:
        return None
    values = set(fields[name].get("values", []))
    for key, target in mapping.items():
        targets = target if isinstance(target, list) else [target]
        if key not in values:
            b.errors.append(CatalogError(mapping.file, mapping.key_line(key),
                                         f"{what}: {key!r} is not a value of field {name}"))
        for t in targets:
            if t not in allowed:
                b.err(mapping, key, f"{what}: {map_key} value {t!r} must be one of: "
                                    f"{', '.join(allowed)}")
    for missing in sorted(values - set(mapping)):
        b.err(item, map_key, f"{what}: {map_key} does not map value {missing!r} of {name}")


def _public_for(b: _Build, item: YMap, what: str) -> list[str]:
    kinds = list(item.get("subject_kinds", []))
    if "public_for" not in item:
        return [k for k in kinds if k != "person"] if item.get("disclosure") == "public" else []
    public_for = list(item["public_for"])
    if public_for and item.get("disclosure") != "public":
        b.err(item, "public_for", f"{what}: public_for needs disclosure: public")
    for kind in set(public_for) - set(kinds):
        b.err(item, "public_for", f"{what}: public_for names {kind!r}, not a subject kind "
                                  "of this item")
    if "person" in public_for and not item.get("person_public_basis"):
        b.err(item, "public_for", f"{what}: publishing natural persons' records needs "
                                  "person_public_basis (山东省社会信用条例 Art. 20)")
    return public_for


def _item_refs(b: _Build, item: YMap, what: str):
    b.refs(item, "providers", list(item.get("providers", [])), "department", f"{what}: provider")
    if item.get("category") is not None:
        b.refs(item, "category", item["category"], "category", what)
    if item.get("update_frequency") is not None:
        b.refs(item, "update_frequency", item["update_frequency"], "update_frequency", what)
    if item.get("publicity_rule") is not None:
        b.refs(item, "publicity_rule", item["publicity_rule"], "publicity_family", what)
    if not item.get("providers", True):
        b.err(item, "providers", f"{what}: needs at least one provider")


def _item(b: _Build, raw, fields_by_item: dict) -> dict | None:
    code = raw.get("code") if isinstance(raw, YMap) else None
    what = f"item {code}" if isinstance(code, str) else "item"
    item = s.checked(raw, s.ITEM, what, b.errors)
    if item is None or not b.register("item", item, what):
        return None
    fields = _fields(b, item, what)
    fields_by_item[item["code"]] = fields
    _field_refs(b, item, fields, what)
    for f in fields.values():
        if f.get("condition") is not None:
            _check_condition(b, f, fields, f"{what} field {f['code']} condition")
        if f.get("not_before") is not None:
            _check_not_before(b, f, fields, f"{what} field {f['code']}")
    kinds = list(item.get("subject_kinds", s.SUBJECT_KINDS))
    _value_map(b, item, fields, ("subject_kind_field", "subject_kind_map"), kinds, what)
    _value_map(b, item, fields, ("severity_field", "severity_map"), s.SEVERITIES, what)
    _item_refs(b, item, what)
    return _item_dict(item, fields, _public_for(b, item, what))


def _check_not_before(b: _Build, f: YMap, fields: dict, what: str):
    name = f["not_before"]
    if name == f["code"]:
        b.err(f, "not_before", f"{what}: not_before cannot name the field itself")
    elif name not in fields:
        b.err(f, "not_before", f"{what}: not_before names unknown field {name!r}")
    elif fields[name].get("type") != "date":
        b.err(f, "not_before", f"{what}: not_before {name} must be a date field")


def _check_condition(b: _Build, f: YMap, fields: dict, what: str):
    condition = f["condition"]
    if set(condition) != {"when"}:
        return b.err(f, "condition", f"{what}: write the rule as {{when: ...}}")
    check_predicate(b, condition["when"], fields, what, own=f["code"], where=condition)


def _item_dict(item: YMap, fields: dict, public_for: list) -> dict:
    disclosure = item.get("disclosure")
    text_keys = ("name", "nature", "category", "publicity_rule", "update_frequency",
                 "legal_basis", "disclosure", "person_public_basis", "decision_date_field",
                 "validity_end_field", "subject_name_field", "subject_kind_field",
                 "severity_field", "description")
    result = {"code": item["code"]}
    result.update({k: item.get(k, "") for k in text_keys})
    result.update({
        "subject_kinds": plain(item.get("subject_kinds", [])),
        "providers": plain(item.get("providers", [])),
        "fields": [_field(f, disclosure) for f in fields.values()],
        "business_key": plain(item.get("business_key", [])), "public_for": public_for,
        "subject_code_fields": plain(item.get("subject_code_fields", [])),
        "subject_kind_map": plain(item.get("subject_kind_map", {})),
        "severity_map": plain(item.get("severity_map", {})),
    })
    return result


# ---- list types, behaviours, measures ---------------------------------------------------

def _entry_source(b: _Build, entry: YMap, what: str, fields_by_item: dict) -> dict:
    """entry_match and entry_fields: which records of the item are entries, and which of
    their fields give the entry's document number, reason and so on."""
    fields = fields_by_item.get(entry.get("item"))
    has_source = entry.get("entry_match") is not None or entry.get("entry_fields") is not None
    if entry.get("item") is None and has_source:
        b.err(entry, None, f"{what}: entry_match and entry_fields need an item")
    roles = {}
    if entry.get("entry_fields") is not None:
        roles = s.checked(entry["entry_fields"], s.ENTRY_FIELDS, f"{what} entry_fields",
                          b.errors) or {}
        for role, code in roles.items():
            if fields is not None and code not in fields:
                b.err(entry["entry_fields"], role,
                      f"{what}: entry_fields.{role}: item {entry['item']} has no field {code}")
    if entry.get("entry_match") is not None and fields is not None:
        check_predicate(b, entry["entry_match"], fields, f"{what} entry_match")
    return {"entry_match": plain(entry.get("entry_match")), "entry_fields": plain(roles)}


def _withdrawal(b: _Build, entry: YMap, what: str) -> dict | None:
    if entry.get("withdrawal") is None:
        return None
    if entry.get("kind") != "red":
        b.err(entry, "withdrawal", f"{what}: only a red list's entries are withdrawn "
                                   "by new dishonest records")
    return plain(s.checked(entry["withdrawal"], s.WITHDRAWAL, f"{what} withdrawal", b.errors))


def _list_type(b: _Build, entry: YMap, fields_by_item: dict) -> dict:
    what = f"list type {entry['code']}"
    if entry.get("department") is not None:
        b.refs(entry, "department", entry["department"], "department", what)
    if entry.get("item") is not None:
        b.refs(entry, "item", entry["item"], "item", what)
    rules = s.checked_list(entry, "exit_rules", s.EXIT_RULE, f"{what} exit rule", b.errors)
    if "exit_rules" in entry and not entry["exit_rules"]:
        b.err(entry, "exit_rules", f"{what}: state at least one exit rule")
    escalation = None
    if entry.get("escalation") is not None:
        escalation = s.checked(entry["escalation"], s.ESCALATION, f"{what} escalation",
                               b.errors)
    keys = ("name", "kind", "legal_basis", "description")
    result = {"code": entry["code"], **{k: entry.get(k, "") for k in keys}}
    result.update({"department": entry.get("department"), "item": entry.get("item"),
                   "subject_kinds": plain(entry.get("subject_kinds", [])),
                   "default_validity_months": entry.get("default_validity_months"),
                   "public": entry.get("public", True), "exit_rules": plain(rules),
                   "escalation": plain(escalation),
                   "notice_working_days": entry.get("notice_working_days"),
                   "withdrawal": _withdrawal(b, entry, what),
                   **_entry_source(b, entry, what, fields_by_item)})
    return result


def _lists(b: _Build, doc: YMap, fields_by_item: dict) -> list[dict]:
    entries = s.checked_list(doc, "list_types", s.LIST_TYPE, "list type", b.errors)
    result = [_list_type(b, e, fields_by_item) for e in entries
              if b.register("list_type", e, f"list type {e.get('code')}")]
    for entry in entries:
        escalation = entry.get("escalation")
        if isinstance(escalation, YMap) and escalation.get("to") is not None:
            b.refs(escalation, "to", escalation["to"], "list_type",
                   f"list type {entry.get('code')} escalation")
            if escalation["to"] == entry.get("code"):
                b.err(escalation, "to", f"list type {entry['code']}: escalation to itself")
    return result


def _behaviour(b: _Build, entry: YMap, fields_by_item: dict) -> dict:
    what = f"behaviour {entry['code']}"
    nature, severity = entry.get("nature"), entry.get("severity")
    if nature == "dishonest" and severity is None:
        b.err(entry, None, f"{what}: a dishonest behaviour needs a severity")
    if nature == "trustworthy" and severity is not None:
        b.err(entry, "severity", f"{what}: a trustworthy behaviour has no severity")
    b.refs(entry, "item", entry.get("item"), "item", what)
    fields = fields_by_item.get(entry.get("item"))
    if entry.get("match") is not None and fields is not None:
        check_predicate(b, entry["match"], fields, f"{what} match")
    keys = ("name", "nature", "severity", "legal_basis", "item", "description")
    return {"code": entry["code"], **{k: entry.get(k, "") for k in keys},
            "match": plain(entry.get("match"))}


def _behaviours(b: _Build, doc: YMap, fields_by_item: dict) -> list[dict]:
    entries = s.checked_list(doc, "behaviours", s.BEHAVIOUR, "behaviour", b.errors)
    return [_behaviour(b, e, fields_by_item) for e in entries
            if b.register("behaviour", e, f"behaviour {e.get('code')}")]


def _trigger_fit(b: _Build, entry: YMap, what: str, kinds: dict, natures: dict):
    incentive = entry.get("category") == "incentive"
    for code in entry.get("list_types", []):
        if code in kinds and (kinds[code] == "red") != incentive:
            b.err(entry, "list_types", f"{what}: list type {code} ({kinds[code]}) cannot "
                                       f"trigger a measure of category {entry.get('category')}")
    for code in entry.get("behaviours", []):
        if code in natures and (natures[code] == "trustworthy") != incentive:
            b.err(entry, "behaviours", f"{what}: behaviour {code} ({natures[code]}) cannot "
                                       f"trigger a measure of category {entry.get('category')}")


def _measure(b: _Build, entry: YMap, kinds: dict, natures: dict) -> dict:
    what = f"measure {entry['code']}"
    b.refs(entry, "departments", list(entry.get("departments", [])), "department", what)
    b.refs(entry, "list_types", list(entry.get("list_types", [])), "list_type", what)
    b.refs(entry, "behaviours", list(entry.get("behaviours", [])), "behaviour", what)
    b.refs(entry, "matters", list(entry.get("matters", [])), "business_matter", what)
    if entry.get("type") is not None:
        b.refs(entry, "type", entry["type"], "measure_type", what)
    if not entry.get("list_types") and not entry.get("behaviours"):
        b.err(entry, None, f"{what}: needs a trigger (list_types and/or behaviours)")
    if not entry.get("departments") and not entry.get("implementers"):
        b.err(entry, None, f"{what}: needs implementing departments or implementers")
    _trigger_fit(b, entry, what, kinds, natures)
    keys = ("name", "content", "category", "type", "legal_basis", "implementers")
    result = {"code": entry["code"], **{k: entry.get(k, "") for k in keys}}
    for key in ("departments", "list_types", "behaviours", "matters"):
        result[key] = plain(entry.get(key, []))
    result["applies_to"] = plain(entry.get("applies_to", ["subject"]))
    return result


def _measures(b: _Build, doc: YMap, lists: list, behaviours: list) -> list[dict]:
    kinds = {e["code"]: e["kind"] for e in lists}
    natures = {e["code"]: e["nature"] for e in behaviours}
    entries = s.checked_list(doc, "measures", s.MEASURE, "measure", b.errors)
    return [_measure(b, e, kinds, natures) for e in entries
            if b.register("measure", e, f"measure {e.get('code')}")]


# ---- the whole catalog --------------------------------------------------------------------

def _assemble(b: _Build, root: Path, docs: dict, raw_items: list) -> dict:
    sections = {"terms": _terms(b, _doc(docs, "vocabularies.yaml", b)),
                "publicity_rules": _publicity(b, _doc(docs, "publicity.yaml", b)),
                "departments": _departments(b, _doc(docs, "departments.yaml", b))}
    sections["header"] = _header(b, _doc(docs, "catalog.yaml", b))
    fields_by_item: dict = {}
    items = [_item(b, raw, fields_by_item) for raw in raw_items]
    sections["items"] = sorted((i for i in items if i), key=lambda i: i["code"])
    if not raw_items:
        b.errors.append(CatalogError(display_path(root / ITEMS_DIR), 1,
                                     "no information items (items/*.yaml)"))
    sections["list_types"] = _lists(b, _doc(docs, "lists.yaml", b), fields_by_item)
    sections["behaviours"] = _behaviours(b, _doc(docs, "behaviours.yaml", b), fields_by_item)
    sections["measures"] = _measures(b, _doc(docs, "measures.yaml", b),
                                     sections["list_types"], sections["behaviours"])
    return sections


def _order(error: CatalogError):
    return (error.path, error.line or 0, error.message)


def parse_catalog(path) -> ParseResult:
    """Read and check the catalog folder; the catalog is returned only when error-free."""
    root = Path(path)
    if not root.is_dir():
        return ParseResult(None, [CatalogError(display_path(root), None,
                                               "catalog directory does not exist")])
    b = _Build()
    files = _yaml_files(root)
    docs, raw_items = _read_files(root, files, b)
    sections = _assemble(b, root, docs, raw_items)
    if b.errors:
        return ParseResult(None, sorted(set(b.errors), key=_order))
    catalog = Catalog(root=root.resolve(), sha256=content_sha256(root, files),
                      files=[p.relative_to(root).as_posix() for p in files],
                      sources=b.sources, **sections)
    return ParseResult(catalog, [])


def check_catalog(path) -> list[CatalogError]:
    """Every problem in the catalog folder, in file and line order."""
    return parse_catalog(path).errors
