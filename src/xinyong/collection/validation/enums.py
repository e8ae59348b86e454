"""Fields with a closed list of values: enum, multi_enum and boolean. An enum keeps the value
itself; `legacy_values` are accepted and kept as they are (the catalog has no mapping from
legacy to current values), and when the values include "其他", "其他-名称" (also "其他：名称",
"其他（名称）") is accepted as "其他" and kept as written. A multi_enum becomes its distinct
values in catalog order (`values`, then `legacy_values`) joined with ";"; the source may
separate them with , ， 、 ; ；, and a catalog value that itself contains a separator (e.g.
the legacy "没收违法所得、没收非法财物") is recognised whole. A boolean becomes "true" or
"false" (from 是/否, Y/N, yes/no, true/false, 1/0, T/F, √/×).
"""

import polars as pl

from .characters import PYTHON_WHITESPACE, WHITESPACE_CLASS
from .context import Context
from .fields import Field, as_found, canonical_col, enum_col, parts_col, short_value, valid_col
from .issues import Check, about_value, compose, not_of_type, quoted, value_list

OTHER_VALUE = "其他"
_OTHER_PREFIX = f"^{OTHER_VALUE}[-－—–:：(（]"
_SEPARATORS = ",，、;；"
_PART_STRIP = _SEPARATORS + PYTHON_WHITESPACE
_TRUE = ("是", "Y", "YES", "TRUE", "1", "T", "√")
_FALSE = ("否", "N", "NO", "FALSE", "0", "F", "×")


def allowed_values(f: Field) -> list[str]:
    return [*f.spec.get("values", []), *f.spec.get("legacy_values", [])]


def prepare_enum(f: Field) -> list[dict]:
    value, allowed = as_found(f).str.strip_chars(), allowed_values(f)
    matched = pl.when(value.is_in(allowed)).then(value)
    if OTHER_VALUE in allowed:
        matched = matched.when(value.str.contains(_OTHER_PREFIX)).then(pl.lit(OTHER_VALUE))
    return [{canonical_col(f.code): value, enum_col(f.code): matched}]


def prepare_multi_enum(f: Field) -> list[dict]:
    allowed, parts = allowed_values(f), pl.col(parts_col(f.code))
    tokens = f.orig.str.extract_all(_multi_pattern(allowed))
    split = tokens.list.eval(pl.element().str.strip_chars(_PART_STRIP)).list.eval(
        pl.element().filter(pl.element() != ""))
    ranks = parts.list.eval(
        pl.element().replace_strict(allowed, list(range(len(allowed))), default=None))
    ordered = ranks.list.unique().list.sort().list.eval(
        pl.element().replace_strict(list(range(len(allowed))), allowed))
    valid = (parts.list.len() > 0) & parts.list.eval(pl.element().is_in(allowed)).list.all()
    return [{parts_col(f.code): split},
            {valid_col(f.code): valid},
            {canonical_col(f.code): pl.when(pl.col(valid_col(f.code)))
             .then(ordered.list.join(";")).when(parts.list.len() > 0).then(f.orig)}]


def _multi_pattern(allowed: list[str]) -> str:
    """One token per value: catalog values first (longest first, so values containing a
    separator stay whole), each followed by separators or the end, else any run of text."""
    known = "|".join(_regex_literal(v) for v in sorted(allowed, key=len, reverse=True))
    return f"(?:{known}|[^{_SEPARATORS}]+?){WHITESPACE_CLASS}*(?:[{_SEPARATORS}]+|$)"


def _regex_literal(text: str) -> str:
    return "".join(f"\\{c}" if c in r"\.+*?()|[]{}^$#&-~" else
                   (f"\\x{{{ord(c):x}}}" if c.isspace() else c) for c in text)


def prepare_boolean(f: Field) -> list[dict]:
    value = short_value(f).str.to_uppercase()
    truth = pl.when(value.is_in(_TRUE)).then(pl.lit("true")) \
        .when(value.is_in(_FALSE)).then(pl.lit("false"))
    return [{canonical_col(f.code): pl.coalesce(truth, as_found(f)),
             valid_col(f.code): truth.is_not_null()}]


def enum_checks(f: Field, ctx: Context) -> list[Check]:
    bad = f.canon.is_not_null() & pl.col(enum_col(f.code)).is_null()
    return [Check(f.code, "invalid", bad,
                  about_value(f, "不是允许的值，应为", value_list(f.spec.get("values", []))))]


def multi_enum_checks(f: Field, ctx: Context) -> list[Check]:
    parts = pl.col(parts_col(f.code))
    bad = parts.list.eval(pl.element().filter(~pl.element().is_in(allowed_values(f))))
    failed = f.canon.is_not_null() & ~pl.col(valid_col(f.code))
    message = compose(f.label, quoted(f.orig), "中的“", bad.list.join("”、“"),
                      "”不是允许的值，应为以下一项或多项（以分号分隔）：",
                      value_list(f.spec.get("values", [])))
    return [Check(f.code, "invalid", failed, message)]


def boolean_checks(f: Field, ctx: Context) -> list[Check]:
    return [not_of_type(f, "不是有效的是否值，应为“是”或“否”")]
