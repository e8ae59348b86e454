"""The catalog's rule language (`xinyong.catalog.conditions`) compiled to polars expressions,
and read aloud in Chinese. `compile_condition(predicate)` is the vectorised twin of
`conditions.evaluate`: for every row it gives the same answer `evaluate` gives for the row as
a record, never null. A field held as a polars `List(Utf8)` column (a multi_enum field split
into its values) behaves like a Python list in `evaluate`: `contains` tests membership,
`equals` needs exactly that one value; a field held as a `Utf8` column behaves like a Python
`str`: `contains` tests for a substring. `describe_condition(predicate, names)` reads a
predicate for error messages, e.g. `处罚类别包含“罚款”`.
"""

import json
from collections.abc import Callable, Collection, Mapping

import polars as pl

from .characters import WHITESPACE_CLASS

__all__ = ["blank", "comparison_key", "comparisons", "compile_condition", "describe_condition"]

_BLANK = f"^{WHITESPACE_CLASS}*$"


def blank(expr: pl.Expr) -> pl.Expr:
    """True where a Utf8 value is null or only whitespace (`conditions._blank` of a str)."""
    return expr.is_null() | expr.str.contains(_BLANK)


def compile_condition(predicate: dict, *, lists: Collection[str] = (),
                      columns: Mapping[str, str] | None = None,
                      computed: Mapping[str, str] | None = None) -> pl.Expr:
    """A boolean expression (never null) true where the row satisfies `predicate` (a field
    `condition` `{when: ...}` or a bare predicate). `lists` names the fields held as
    `List(Utf8)` columns; `columns` maps field codes to column names (default: the code);
    `computed` maps the `comparison_key` of a comparison to a boolean column that already
    holds its outcome (e.g. computed once per distinct value of the field)."""
    column = (lambda code: columns.get(code, code)) if columns else (lambda code: code)
    lists = frozenset(lists)
    computed = computed or {}

    def compare(p: dict) -> pl.Expr:
        done = computed.get(comparison_key(p))
        if done is not None:
            return pl.col(done)
        code = p["field"]
        outcome = _compare_list if code in lists else _compare_text
        return outcome(p, pl.col(column(code))).fill_null(False)

    return _compile(predicate, compare)


def comparison_key(predicate: dict) -> str:
    """A stable text key of one comparison, e.g. for naming a precomputed column."""
    return json.dumps(predicate, sort_keys=True, ensure_ascii=False)


def comparisons(predicate: dict) -> list[dict]:
    """Every comparison (`{field: ..., op: ...}`) inside a predicate."""
    for key in ("when", "not"):
        if key in predicate:
            return comparisons(predicate[key])
    for key in ("all", "any"):
        if key in predicate:
            return [c for p in predicate[key] for c in comparisons(p)]
    return [predicate]


def _compile(predicate: dict, compare: Callable[[dict], pl.Expr]) -> pl.Expr:
    if "when" in predicate:
        return _compile(predicate["when"], compare)
    if "all" in predicate:
        return pl.all_horizontal([_compile(p, compare) for p in predicate["all"]]
                                 or [pl.lit(True)])
    if "any" in predicate:
        return pl.any_horizontal([_compile(p, compare) for p in predicate["any"]]
                                 or [pl.lit(False)])
    if "not" in predicate:
        return ~_compile(predicate["not"], compare)
    return compare(predicate)


def _compare_text(predicate: dict, expr: pl.Expr) -> pl.Expr:
    if "equals" in predicate:
        return expr == str(predicate["equals"])
    if "in" in predicate:
        return expr.is_in([str(v) for v in predicate["in"]])
    if "contains" in predicate:
        return expr.str.contains(str(predicate["contains"]), literal=True)
    if "contains_any" in predicate:
        wanted = [str(w) for w in predicate["contains_any"]]
        return pl.any_horizontal([expr.str.contains(w, literal=True) for w in wanted]
                                 or [pl.lit(False)])
    if "present" in predicate:
        return blank(expr) != bool(predicate["present"])
    raise ValueError(f"predicate has no comparison: {predicate!r}")


def _compare_list(predicate: dict, expr: pl.Expr) -> pl.Expr:
    if "equals" in predicate:
        return (expr.list.len() == 1) & (expr.list.first() == str(predicate["equals"]))
    if "in" in predicate:
        allowed = [str(v) for v in predicate["in"]]
        return expr.list.eval(pl.element().is_in(allowed)).list.any()
    if "contains" in predicate:
        return expr.list.contains(str(predicate["contains"]))
    if "contains_any" in predicate:
        wanted = [str(w) for w in predicate["contains_any"]]
        return pl.any_horizontal([expr.list.contains(w) for w in wanted] or [pl.lit(False)])
    if "present" in predicate:
        filled = expr.list.eval(~blank(pl.element())).list.any().fill_null(False)
        return filled == bool(predicate["present"])
    raise ValueError(f"predicate has no comparison: {predicate!r}")


# ---- Chinese reading -------------------------------------------------------------------------


def describe_condition(predicate: dict, names: Mapping[str, str] | None = None) -> str:
    """The predicate in Chinese words, fields by their catalog names, e.g.
    `行政相对人类别为“法人及非法人组织”或“个体工商户”`."""
    names = names or {}
    if "when" in predicate:
        return describe_condition(predicate["when"], names)
    if "not" in predicate:
        return f"并非{_grouped(predicate['not'], names)}"
    for key, joiner in (("all", "，且"), ("any", "，或")):
        if key in predicate:
            return joiner.join(_grouped(p, names) for p in predicate[key])
    return _describe_comparison(predicate, names.get(predicate["field"], predicate["field"]))


def _grouped(predicate: dict, names: Mapping[str, str]) -> str:
    text = describe_condition(predicate, names)
    combined = any(k in predicate for k in ("all", "any", "not"))
    return f"（{text}）" if combined else text


def _quoted(values) -> str:
    items = [f"“{v}”" for v in values]
    if len(items) < 2:
        return "".join(items)
    return "、".join(items[:-1]) + "或" + items[-1]


def _describe_comparison(predicate: dict, name: str) -> str:
    if "equals" in predicate:
        return f"{name}为{_quoted([predicate['equals']])}"
    if "in" in predicate:
        return f"{name}为{_quoted(predicate['in'])}"
    if "contains" in predicate:
        return f"{name}包含{_quoted([predicate['contains']])}"
    if "contains_any" in predicate:
        return f"{name}包含{_quoted(predicate['contains_any'])}"
    if "present" in predicate:
        return f"{name}{'已填写' if predicate['present'] else '未填写'}"
    raise ValueError(f"predicate has no comparison: {predicate!r}")
