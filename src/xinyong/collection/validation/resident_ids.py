"""Resident ID numbers (公民身份号码, GB 11643): 18 characters, or the old 15 digits. A
malformed number or an impossible birth date (none from 1900 to today) is an error; a wrong
check character is the warning "check_char", and an address code unknown to GB/T 2260
(abolished codes included) the warning "division". An `id_document` field is checked as a
resident ID on the rows where its document type field — the enum field whose code has ZJLX
for ZJHM, e.g. CF_XDR_ZJLX for CF_XDR_ZJHM — is 身份证; otherwise its length alone is.
"""

from datetime import date

import polars as pl

from xinyong.core.identifiers import (
    division_name,
    resident_id_check_char,
    validate_resident_id_array,
)

from .context import Context
from .dates import DATE_MIN
from .fields import Field, enum_col
from .identifier_forms import as_unicode_array, form15_col, form_col
from .issues import OVERRIDE, Check, about_value, compose, flagged_values, invalid

RESIDENT_ID_DOCUMENTS = ("身份证", "居民身份证")


def resident_id_checks(f: Field, ctx: Context, applies: pl.Expr) -> list[Check]:
    """The checks of a resident ID, on the rows where `applies`."""
    long_form, short_form = pl.col(form_col(f.code)), pl.col(form15_col(f.code))
    bad_birth = _bad_birth_dates(ctx.distinct_values(f, long_form | short_form), ctx.today)
    check_chars = _resident_id_findings(ctx.distinct_values(f, long_form))
    divisions = _unknown_divisions(ctx.distinct_values(f, long_form | short_form))
    return [
        invalid(f, applies & ~long_form & ~short_form,
                "不是有效的公民身份号码，应为18位（前17位为数字，末位为数字或X）或15位数字"),
        invalid(f, applies & f.canon.is_in(bad_birth.implode()),
                compose("的出生日期码“", _birth_digits(f.canon),
                        "”不是1900年以来、不晚于今天的有效日期")),
        flagged_values(f, check_chars, "check_char", applies=applies),
        Check(f.code, "division", applies & f.canon.str.slice(0, 6).is_in(divisions),
              about_value(f, "的地址码（前6位）不是GB/T 2260行政区划代码（含已撤销的代码）",
                          OVERRIDE),
              warning=True),
    ]


def id_document_checks(f: Field, ctx: Context) -> list[Check]:
    kind = _document_type_field(f, ctx)
    if kind is None:
        return []
    applies = pl.col(enum_col(kind.code)).is_in(RESIDENT_ID_DOCUMENTS).fill_null(False)
    return resident_id_checks(f, ctx, applies)


def _document_type_field(f: Field, ctx: Context) -> Field | None:
    """The enum field naming the kind of document of an id_document field (…ZJHM → …ZJLX)."""
    if not f.code.endswith("ZJHM"):
        return None
    other = ctx.fields.get(f.code[:-4] + "ZJLX")
    return other if other is not None and other.spec["type"] == "enum" else None


def _birth_digits(code: pl.Expr) -> pl.Expr:
    """The YYYYMMDD birth date of a well-formed resident ID (18 or 15 digits)."""
    return pl.when(code.str.len_chars() == 18).then(code.str.slice(6, 8)) \
        .otherwise(pl.lit("19") + code.str.slice(6, 6))


def _bad_birth_dates(codes: pl.Series, today: date) -> pl.Series:
    """The well-formed resident IDs whose birth date is no date from 1900 to `today`."""
    birth = _birth_digits(pl.col("code")).str.to_date("%Y%m%d", strict=False)
    table = pl.DataFrame({"code": codes})
    return table.filter(~birth.is_between(DATE_MIN, today).fill_null(False))["code"]


def _resident_id_findings(values: pl.Series) -> dict[str, str]:
    """Well-formed 18-character IDs with a wrong check character: {code: detail}."""
    ok = validate_resident_id_array(as_unicode_array(values, 18))
    return {code: f"校验位应为{resident_id_check_char(code[:17])}，实为{code[17]}"
            for code in values.filter(~pl.Series(ok)).to_list()}


def _unknown_divisions(codes: pl.Series) -> list[str]:
    """The address codes (first 6 digits) of `codes` that GB/T 2260 never had."""
    prefixes = codes.str.slice(0, 6).unique()
    return [p for p in prefixes.to_list() if division_name(p) is None]
