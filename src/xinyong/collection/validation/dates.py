"""Date fields. The canonical form is "YYYY-MM-DD". Accepted: YYYY/MM/DD, YYYY-MM-DD,
YYYY.MM.DD (one-digit month and day too, an optional time after the date), YYYYMMDD,
YYYY年M月D日, full-width digits, Excel serial numbers 1..2958465 of the 1900 date system (60,
Excel's fictitious 1900-02-29, is rejected; a fraction is a time of day and dropped; a serial
read as a date before 1949-10-01, e.g. a bare year "2024", gets the warning "serial_date")
and, for `long_term` fields, "长期" / "长期有效" (→ the `long_term` date). Years before 1900
or after 2099 (or after the field's `long_term`) are errors ("date_range").
"""

from datetime import date

import polars as pl

from .context import Context
from .fields import Field, as_found, canonical_col, date_col, scratch_col, short_value, valid_col
from .issues import Check, about_value, not_of_type

DECISION_DATE_MIN = date(1949, 10, 1)
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)
LONG_TERM_WORDS = ("长期", "长期有效")
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
SERIAL_PLAUSIBLE = DECISION_DATE_MIN  # an earlier date read from a serial is worth a warning
_EXCEL_EPOCH = -25569  # 1899-12-30 as days since 1970-01-01; serials from 61 count from it
_YMD = (r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.-]\d+)?)?)?"
        r"|(\d{2})(\d{2}))$")


def _early_serial_col(code: str) -> str:
    """Whether the value is an Excel serial read as a date before `SERIAL_PLAUSIBLE`."""
    return f"__early_{code}"


def prepare_date(f: Field) -> list[dict]:
    parsed, value = pl.col(date_col(f.code)), pl.col(scratch_col(f, "s"))
    return [{scratch_col(f, "s"): short_value(f)},
            {date_col(f.code): _date_value(f, value)},
            {canonical_col(f.code): pl.coalesce(parsed.dt.to_string("%Y-%m-%d"), as_found(f)),
             valid_col(f.code): parsed.is_not_null(),
             _early_serial_col(f.code): _serial(value).is_not_null()
             & (parsed < SERIAL_PLAUSIBLE)}]


def _serial(value: pl.Expr) -> pl.Expr:
    """The Excel serial number a value spells, as an Int64 (null when it is no serial)."""
    return value.str.extract(r"^(\d{1,7})(?:\.\d+)?$").cast(pl.Int64)


def _date_value(f: Field, value: pl.Expr) -> pl.Expr:
    spelled = value.str.replace_many(["/", ".", "年", "月"], ["-", "-", "-", "-"])
    groups = spelled.str.strip_suffix("日").str.extract_groups(_YMD).struct
    month = pl.coalesce(groups.field("2"), groups.field("4")).str.zfill(2)
    day = pl.coalesce(groups.field("3"), groups.field("5")).str.zfill(2)
    iso = pl.concat_str([groups.field("1"), month, day], separator="-")
    serial = _serial(value)
    days = pl.when(serial.is_between(1, 59)).then(serial + _EXCEL_EPOCH + 1) \
        .when(serial.is_between(61, EXCEL_SERIAL_MAX)).then(serial + _EXCEL_EPOCH)
    candidates = [iso.str.to_date("%Y-%m-%d", strict=False), days.cast(pl.Int32).cast(pl.Date)]
    if f.spec.get("long_term"):
        long_term = date.fromisoformat(f.spec["long_term"])
        candidates.append(pl.when(value.is_in(LONG_TERM_WORDS)).then(pl.lit(long_term)))
    return pl.coalesce(candidates)


def date_range(f: Field) -> tuple[date, date]:
    latest = date.fromisoformat(f.spec["long_term"]) if f.spec.get("long_term") else DATE_MAX
    return DATE_MIN, max(DATE_MAX, latest)


def usable_date(f: Field) -> pl.Expr:
    """True where the field holds a date within its range (one worth comparing)."""
    earliest, latest = date_range(f)
    return pl.col(date_col(f.code)).is_between(earliest, latest)


def date_checks(f: Field, ctx: Context) -> list[Check]:
    parsed = pl.col(date_col(f.code))
    earliest, latest = date_range(f)
    early = Check(f.code, "serial_date", pl.col(_early_serial_col(f.code)),
                  about_value(f, "按Excel日期序列号读作", parsed.dt.to_string("%Y-%m-%d"),
                              f"，早于{SERIAL_PLAUSIBLE.isoformat()}，请核对是否填写有误"),
                  warning=True)
    why = pl.when(_serial(short_value(f)) == 60).then(
        pl.lit("是Excel日期序列号60，对应Excel虚构的1900年2月29日，不是有效日期")).otherwise(
        pl.lit("不是有效日期，应为 YYYY/MM/DD 或 YYYY-MM-DD"))
    hint = "；长期有效请填2099/12/31或“长期”" if f.spec.get("long_term") else ""
    outside = ~parsed.is_between(earliest, latest)
    return [not_of_type(f, why),
            Check(f.code, "date_range", outside,
                  about_value(f, f"超出可接受的日期范围（{earliest}至{latest}）{hint}")),
            early]
