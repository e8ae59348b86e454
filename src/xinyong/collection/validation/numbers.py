"""Integer and decimal fields. The canonical form is plain digits without leading zeros, "-"
first when negative, and for a decimal a fraction without trailing zeros, never an exponent
("1,234" → "1234" and "12.0" → "12" as integers; "0.20" → "0.2" and "1,234.50" → "1234.5" as
decimals); a decimal field's `unit` may follow the number ("0.2万元"). Integers and decimals
are never negative: every quantity in a credit catalog (amounts, years, counts) is, so "-1"
is an error ("-0" is 0). A decimal has at most `scale` decimals (trailing zeros do not
count). Values already canonical take a short cut (`canonical_number`).
"""

import polars as pl

from .context import Context
from .fields import Field, as_found, canonical_col, control_col, scratch_col, short_value, valid_col
from .issues import Check, about_value, not_of_type

INTEGER = r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$"
DECIMAL = r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$"
CANONICAL_INTEGER = r"^(?:0|[1-9][0-9]*)$"
CANONICAL_DECIMAL = r"^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$"


def _negative_col(code: str) -> str:
    return f"__neg_{code}"


def _scale_col(code: str) -> str:
    """How many decimals a decimal value has (trailing zeros not counted)."""
    return f"__scale_{code}"


def prepare_integer(f: Field) -> list[dict]:
    return [*_number_passes(f, short_value(f), INTEGER), _number_canonical(f, fraction=False)]


def prepare_decimal(f: Field) -> list[dict]:
    value = short_value(f)
    if f.spec.get("unit"):
        value = value.str.strip_suffix(f.spec["unit"]).str.strip_chars()
    return [*_number_passes(f, value, DECIMAL), _number_canonical(f, fraction=True)]


def canonical_number(f: Field) -> list[dict]:
    """The prepared columns of a number already in canonical form."""
    point = f.orig.str.find(".", literal=True)
    columns = {canonical_col(f.code): f.orig, valid_col(f.code): pl.lit(True),
               _negative_col(f.code): pl.lit(False), control_col(f.code): pl.lit(False)}
    if f.spec["type"] == "decimal":
        columns[_scale_col(f.code)] = (f.orig.str.len_bytes() - point - 1).fill_null(0)
    return [columns]


def _number_passes(f: Field, value: pl.Expr, pattern: str) -> list[dict]:
    """Sign, integer digits and fraction digits of a number (scratch columns)."""
    s, parts = pl.col(scratch_col(f, "s")), pl.col(scratch_col(f, "parts")).struct
    whole = parts.field("field_0").str.strip_chars_start("0")
    return [
        {scratch_col(f, "s"): value},
        {valid_col(f.code): s.str.contains(pattern) & s.str.contains(r"\d"),
         scratch_col(f, "neg"): s.str.starts_with("-"),
         scratch_col(f, "parts"): s.str.strip_chars_start("+-")
         .str.replace_all(",", "", literal=True).str.split_exact(".", 1)},
        {scratch_col(f, "whole"): pl.when(whole == "").then(pl.lit("0")).otherwise(whole),
         scratch_col(f, "frac"): parts.field("field_1").fill_null("").str.strip_chars_end("0")},
    ]


def _number_canonical(f: Field, fraction: bool) -> dict:
    ok, whole = pl.col(valid_col(f.code)), pl.col(scratch_col(f, "whole"))
    frac = pl.col(scratch_col(f, "frac")) if fraction else pl.lit("")
    negative = pl.col(scratch_col(f, "neg")) & ~((whole == "0") & (frac == ""))
    number = pl.concat_str([pl.when(negative).then(pl.lit("-")), whole,
                            pl.when(frac != "").then(pl.lit(".") + frac)], ignore_nulls=True)
    columns = {canonical_col(f.code): pl.when(ok).then(number).otherwise(as_found(f)),
               _negative_col(f.code): ok & negative}
    if fraction:
        columns[_scale_col(f.code)] = pl.when(ok).then(frac.str.len_chars())
    return columns


def _negative_check(f: Field) -> Check:
    return Check(f.code, "negative", pl.col(_negative_col(f.code)), about_value(f, "不能为负数"))


def integer_checks(f: Field, ctx: Context) -> list[Check]:
    return [not_of_type(f, "不是整数"), _negative_check(f)]


def decimal_checks(f: Field, ctx: Context) -> list[Check]:
    unit = f.spec.get("unit")
    checks = [not_of_type(f, "不是有效数字" + (f"（单位为{unit}）" if unit else "")),
              _negative_check(f)]
    scale = f.spec.get("scale")
    if scale is not None:
        too_fine = pl.col(_scale_col(f.code)) > scale
        checks.append(Check(f.code, "scale", too_fine, about_value(f, f"小数位数超过{scale}位")))
    return checks
