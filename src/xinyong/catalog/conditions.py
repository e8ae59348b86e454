"""The catalog's small declarative rule language, evaluated against one record.

A predicate is one of::

    {field: CF_CFLB, contains: 罚款}              # multi-value field holds the value
    {field: CF_CFLB, contains_any: [没收违法所得, 没收非法财物]}
    {field: CF_XDR_LB, in: [法人及非法人组织, 个体工商户]}
    {field: CF_XDR_SHXYM, equals: "00000000000000000X"}
    {field: CF_NR_FK, present: true}               # non-blank (false: blank)
    {all: [predicate, ...]}   {any: [predicate, ...]}   {not: predicate}

A field's `condition` wraps a predicate as `{when: predicate}`: the field is required when the
predicate holds. A behaviour's `match` is a bare predicate selecting the records that show it.
A record is a mapping of field code to value; multi-value fields hold lists.
"""

COMPARISONS = ("equals", "in", "contains", "contains_any", "present")
COMBINATORS = ("all", "any", "not")

__all__ = ["COMBINATORS", "COMPARISONS", "describe", "evaluate", "fields_named"]


def _values(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    return [str(value)]


def _blank(value) -> bool:
    return all(not v.strip() for v in _values(value))


def _contains(value, wanted: str) -> bool:
    if isinstance(value, list | tuple | set):
        return wanted in _values(value)
    return value is not None and wanted in str(value)


def _compare(predicate: dict, value) -> bool:
    if "equals" in predicate:
        return _values(value) == [str(predicate["equals"])]
    if "in" in predicate:
        allowed = {str(v) for v in predicate["in"]}
        return any(v in allowed for v in _values(value))
    if "contains" in predicate:
        return _contains(value, str(predicate["contains"]))
    if "contains_any" in predicate:
        return any(_contains(value, str(w)) for w in predicate["contains_any"])
    if "present" in predicate:
        return _blank(value) != bool(predicate["present"])
    raise ValueError(f"predicate has no comparison: {predicate!r}")


def evaluate(predicate: dict, record: dict) -> bool:
    """True when the record satisfies the predicate (a field `condition` or a `match`)."""
    if "when" in predicate:
        return evaluate(predicate["when"], record)
    if "all" in predicate:
        return all(evaluate(p, record) for p in predicate["all"])
    if "any" in predicate:
        return any(evaluate(p, record) for p in predicate["any"])
    if "not" in predicate:
        return not evaluate(predicate["not"], record)
    return _compare(predicate, record.get(predicate["field"]))


def fields_named(predicate: dict) -> set[str]:
    """Every field code a predicate reads."""
    if "when" in predicate:
        return fields_named(predicate["when"])
    if "not" in predicate:
        return fields_named(predicate["not"])
    for key in ("all", "any"):
        if key in predicate:
            return set().union(*(fields_named(p) for p in predicate[key]))
    return {predicate["field"]}


def describe(predicate: dict) -> str:
    """A one-line reading of a predicate, e.g. `CF_CFLB contains 罚款`."""
    if "when" in predicate:
        return describe(predicate["when"])
    if "not" in predicate:
        return f"not ({describe(predicate['not'])})"
    for key in ("all", "any"):
        if key in predicate:
            joiner = " and " if key == "all" else " or "
            return joiner.join(f"({describe(p)})" for p in predicate[key])
    op = next(k for k in COMPARISONS if k in predicate)
    value = predicate[op]
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, list):
        shown = f"[{', '.join(map(str, value))}]"
    else:
        shown = str(value)
    return f"{predicate['field']} {op} {shown}"
