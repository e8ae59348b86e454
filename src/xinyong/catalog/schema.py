"""What each kind of catalog entry may contain: keys, whether required, value types.

`checked()` reports unknown keys, missing required keys and wrongly typed values, and returns
the entry with the bad values left out, so the cross-checks that follow see only sound data.
A key whose value is empty (`key:` or `key: null`) counts as absent.
"""

import datetime
import difflib
import re

from .models import DISCLOSURE_LEVELS, SUBJECT_KINDS
from .yamltext import CatalogError, YList, YMap

DEPT_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
UPPER_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")
LOWER_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
DIVISION = re.compile(r"^\d{6}$")

NATURES = ("basic", "dishonest", "trustworthy", "other")
SEVERITIES = ("minor", "general", "serious")
FIELD_TYPES = ("string", "text", "date", "decimal", "integer", "enum", "multi_enum",
               "identifier", "boolean")
ENUM_TYPES = ("enum", "multi_enum")
SCHEMES = ("uscc", "org_code", "resident_id", "id_document", "registration_no", "other")
MASKS = ("id_number", "person_name", "middle")
DEPARTMENT_KINDS = ("municipal", "institution", "district", "court", "procuratorate",
                    "vertical")
LIST_KINDS = ("red", "black", "watch", "abnormal")
EXIT_KINDS = ("expiry", "fulfilment", "early_removal", "revocation", "repair")
MEASURE_CATEGORIES = ("rights_reducing", "management", "non_public", "incentive")
APPLIES_TO = ("subject", "legal_representative", "responsible_persons")
REPAIR = ("after_min_period", "on_fulfilment", "not_repairable", "not_set")
START_EVENTS = ("decision_date", "finding_date", "publication_date")

# A key spec is (type, required). Types are the names in `_TYPE_CHECKS`, or a tuple of the
# allowed text values, or ("list_of", tuple) for a list drawn from those values.
HEADER = {
    "city": ("str", True), "division": ("division", True), "edition": ("str", True),
    "effective": ("date", True), "issuer": ("dept_code", True), "basis": ("str_list", False),
    "description": ("text", False), "feedback_within_working_days": ("pos_int", False),
}
VOCABULARIES = {
    "categories": ("list", True), "measure_types": ("list", True),
    "business_matters": ("list", True), "update_frequencies": ("list", True),
}
TERM = {"code": ("lower_code", True), "name": ("str", True), "description": ("text", False)}
DEPARTMENT = {
    "code": ("dept_code", True), "name": ("str", True), "short_name": ("str", False),
    "kind": (DEPARTMENT_KINDS, True), "division": ("division", True),
    "parent": ("dept_code", False), "uscc": ("str", False), "note": ("text", False),
    "active": ("bool", False),
}
PUBLICITY_RULE = {
    "code": ("lower_code", True), "family": ("lower_code", True), "name": ("str", True),
    "basis": ("text", True), "scope": ("lower_code", False), "in_force_from": ("date", False),
    "in_force_to": ("date", False), "default": ("bool", False),
    "start_event": (START_EVENTS, True), "periods": ("map", True),
    "special_cases": ("list", False), "note": ("text", False),
}
PERIODS = {"minor": ("map", False), "general": ("map", False), "serious": ("map", False)}
PERIOD = {
    "publish": ("publish_flag", True), "min_months": ("nonneg_int", False),
    "max_months": ("pos_int", False), "repair": (REPAIR, False), "note": ("text", False),
}
SPECIAL_CASE = {
    "name": ("str", True), "penalty_types": ("str_list", False), "sectors": ("str_list", False),
    "publish": ("publish_flag", False), "min_months": ("nonneg_int", False),
    "max_months": ("pos_int", False), "repairable": ("bool", False), "note": ("text", False),
}
ITEM = {
    "code": ("upper_code", True), "name": ("str", True), "nature": (NATURES, True),
    "category": ("lower_code", True), "subject_kinds": (("list_of", SUBJECT_KINDS), True),
    "providers": ("str_list", True), "fields": ("list", True),
    "business_key": ("str_list", True), "publicity_rule": ("lower_code", False),
    "update_frequency": ("lower_code", True), "legal_basis": ("text", True),
    "disclosure": (DISCLOSURE_LEVELS, True),
    "public_for": (("list_of", SUBJECT_KINDS), False), "person_public_basis": ("text", False),
    "decision_date_field": ("upper_code", False), "validity_end_field": ("upper_code", False),
    "subject_name_field": ("upper_code", True), "subject_code_fields": ("str_list", False),
    "subject_kind_field": ("upper_code", False), "subject_kind_map": ("map", False),
    "severity_field": ("upper_code", False), "severity_map": ("map", False),
    "description": ("text", False),
}
FIELD = {
    "code": ("upper_code", True), "name": ("str", True), "type": (FIELD_TYPES, True),
    "required": ("required_flag", True), "condition": ("map", False),
    "values": ("str_list", False), "legacy_values": ("str_list", False),
    "max_length": ("pos_int", False), "scale": ("nonneg_int", False), "unit": ("str", False),
    "scheme": (SCHEMES, False), "long_term": ("date", False), "not_before": ("upper_code", False),
    "disclosure": (DISCLOSURE_LEVELS, False), "mask": ("mask", False),
    "personal": ("bool", False), "aliases": ("str_list", False), "note": ("text", False),
}
LIST_TYPE = {
    "code": ("upper_code", True), "name": ("str", True), "kind": (LIST_KINDS, True),
    "department": ("dept_code", False), "legal_basis": ("text", True),
    "subject_kinds": (("list_of", SUBJECT_KINDS), True),
    "default_validity_months": ("pos_int", False), "public": ("bool", True),
    "exit_rules": ("list", True), "escalation": ("map", False), "item": ("upper_code", False),
    "entry_match": ("map", False), "entry_fields": ("map", False),
    "notice_working_days": ("pos_int", False), "withdrawal": ("map", False),
    "description": ("text", False),
}
# What an entry takes from its source record: each role names a field of the list's item.
ENTRY_FIELDS = {role: ("upper_code", False) for role in (
    "document_number", "reason", "basis", "recognised_by", "removed_on", "removal_reason")}
WITHDRAWAL = {"severities": (("list_of", SEVERITIES), True), "basis": ("text", True)}
EXIT_RULE = {
    "kind": (EXIT_KINDS, True), "text": ("text", True), "after_months": ("pos_int", False),
    "within_working_days": ("pos_int", False),
}
ESCALATION = {"to": ("upper_code", True), "after_months": ("pos_int", True),
              "basis": ("text", True)}
BEHAVIOUR = {
    "code": ("upper_code", True), "name": ("str", True),
    "nature": (("dishonest", "trustworthy"), True), "severity": (SEVERITIES, False),
    "legal_basis": ("text", True), "item": ("upper_code", True), "match": ("map", False),
    "description": ("text", False),
}
MEASURE = {
    "code": ("upper_code", True), "name": ("str", True), "content": ("text", True),
    "category": (MEASURE_CATEGORIES, True), "type": ("lower_code", True),
    "legal_basis": ("text", True), "departments": ("str_list", False),
    "implementers": ("text", False), "list_types": ("str_list", False),
    "behaviours": ("str_list", False), "matters": ("str_list", False),
    "applies_to": (("list_of", APPLIES_TO), False),
}


def _is_text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _matches(pattern):
    return lambda v: isinstance(v, str) and bool(pattern.match(v))


_TYPE_CHECKS = {
    "str": (_is_text, "must be text on one line",),
    "text": (_is_text, "must be text"),
    "bool": (lambda v: isinstance(v, bool), "must be true or false"),
    "pos_int": (lambda v: type(v) is int and v > 0, "must be a whole number above 0"),
    "nonneg_int": (lambda v: type(v) is int and v >= 0, "must be a whole number, 0 or more"),
    "date": (lambda v: type(v) is datetime.date, "must be a date written YYYY-MM-DD"),
    "map": (lambda v: isinstance(v, YMap), "must be a mapping (key: value lines)"),
    "list": (lambda v: isinstance(v, YList), "must be a list"),
    "str_list": (lambda v: isinstance(v, YList) and all(_is_text(x) for x in v),
                 "must be a list of text values"),
    "dept_code": (_matches(DEPT_CODE), "must be a department code (lower-case letters, "
                                       "digits, underscores)"),
    "upper_code": (_matches(UPPER_CODE), "must be a code of capital letters, digits and "
                                         "underscores"),
    "lower_code": (_matches(LOWER_CODE), "must be a code of lower-case letters, digits and "
                                         "underscores"),
    "division": (lambda v: DIVISION.match(str(v)) is not None and not isinstance(v, bool),
                 "must be a six-digit GB/T 2260 division code"),
    "required_flag": (lambda v: v is True or v is False or v == "conditional",
                      "must be true, false or conditional"),
    "publish_flag": (lambda v: v is True or v is False or v == "optional",
                     "must be true, false or optional"),
    "mask": (lambda v: isinstance(v, bool) or v in MASKS,
             f"must be true, false or one of {', '.join(MASKS)}"),
}


def _type_problem(value, kind) -> str | None:
    if isinstance(kind, tuple) and kind and kind[0] == "list_of":
        allowed = kind[1]
        if isinstance(value, YList) and all(v in allowed for v in value):
            return None
        return f"must be a list drawn from: {', '.join(allowed)}"
    if isinstance(kind, tuple):
        return None if value in kind else f"must be one of: {', '.join(kind)}"
    check, message = _TYPE_CHECKS[kind]
    if kind == "str" and isinstance(value, str) and "\n" in value.strip():
        return message
    return None if check(value) else message


def unknown_key_message(key: str, spec: dict, what: str) -> str:
    close = difflib.get_close_matches(key, list(spec), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{what}: unknown key {key!r}{hint}"


def checked(m, spec: dict, what: str, errors: list, *, file: str = "",
            line: int = 1) -> YMap | None:
    """Check one mapping against its key spec; return it without its bad values."""
    if not isinstance(m, YMap):
        errors.append(CatalogError(getattr(m, "file", "") or file, getattr(m, "line", line),
                                   f"{what} must be a mapping (key: value lines)"))
        return None
    clean = YMap(file=m.file, line=m.line)
    clean.key_lines, clean.value_lines = m.key_lines, m.value_lines
    for key, value in m.items():
        if key not in spec:
            errors.append(CatalogError(m.file, m.key_line(key),
                                       unknown_key_message(key, spec, what)))
        elif value is not None:
            problem = _type_problem(value, spec[key][0])
            if problem:
                errors.append(CatalogError(m.file, m.value_line(key), f"{what}: {key} {problem}"))
            else:
                clean[key] = value
    for key, (_kind, required) in spec.items():
        if required and m.get(key) is None:
            errors.append(CatalogError(m.file, m.line, f"{what}: missing required key {key!r}"))
    return clean


def label(what: str, entry, index: int) -> str:
    """`department scjgj`, or `department #3` while the entry has no usable code."""
    code = entry.get("code") if isinstance(entry, dict) else None
    return f"{what} {code}" if isinstance(code, str) and code else f"{what} #{index + 1}"


def checked_list(m: YMap, key: str, spec: dict, what: str, errors: list) -> list[YMap]:
    """Check each mapping of the list under `key`; return the sound ones."""
    entries = m.get(key) or YList(file=m.file, line=m.line)
    result = []
    for index, entry in enumerate(entries):
        clean = checked(entry, spec, label(what, entry, index), errors, file=m.file,
                        line=entries.item_line(index))
        if clean is not None:
            result.append(clean)
    return result
