"""`validate`, the whole run over one batch. Free text columns are checked whole; every other
field is prepared once per distinct value and joined back (`prepare`); then one pass
computes a boolean column per check, all polars expressions, in parallel, and messages are
built only for the checks that failed, on their rows (`issues`); last, repeated business keys
are marked (`duplicates`). The result has every field column in its canonical form plus
`__errors__` and `__warnings__`.
"""

from datetime import date, datetime

import polars as pl

from .context import Context
from .dates import date_checks
from .duplicates import SeenKeys, mark_duplicates
from .enums import boolean_checks, enum_checks, multi_enum_checks
from .fields import Field, canonical_col
from .identifiers import identifier_checks
from .issues import Check, with_issues
from .numbers import decimal_checks, integer_checks
from .prepare import prepared
from .rules import date_order_checks, required_checks
from .text import control_check, text_checks

CHECKS = {"integer": integer_checks, "decimal": decimal_checks, "enum": enum_checks,
          "multi_enum": multi_enum_checks, "date": date_checks,
          "boolean": boolean_checks, "identifier": identifier_checks}


def validate(frame: pl.DataFrame, item: dict, *, today: date,
             seen: SeenKeys | set | None = None) -> pl.DataFrame:
    """The batch with canonical field columns and `__errors__` / `__warnings__`. Pass one
    `SeenKeys` (or set) as `seen` to every batch of a file so duplicates across batches are
    found; without it duplicates are looked for within this batch only."""
    if isinstance(today, datetime):  # a datetime does not compare with a date column
        today = today.date()
    ctx = Context(item, {f["code"]: Field(f) for f in item["fields"]}, today)
    work = prepared(_with_fields(frame, ctx.fields), ctx)
    result = _finish(with_issues(work, _checks(ctx)), frame.columns, ctx.fields)
    return mark_duplicates(result, item, SeenKeys() if seen is None else seen)


def _with_fields(frame: pl.DataFrame, fields: dict) -> pl.DataFrame:
    """Every field as a Utf8 column: absent ones all null, others cast to text."""
    exprs = [pl.col(code).cast(pl.Utf8) if code in frame.columns
             else pl.lit(None, pl.Utf8).alias(code) for code in fields]
    return frame.with_columns(exprs)


def _checks(ctx: Context) -> list[Check]:
    """Every check of the batch, in the order their findings are listed."""
    checks = []
    for f in ctx.fields.values():
        checks.extend(required_checks(f, ctx))
        checks.append(control_check(f))
        checks.extend(CHECKS.get(f.spec["type"], text_checks)(f, ctx))
    checks.extend(date_order_checks(ctx))
    return checks


def _finish(work: pl.DataFrame, columns: list[str], fields: dict) -> pl.DataFrame:
    canon = [pl.col(canonical_col(code)).alias(code) for code in fields]
    order = list(columns) + [c for c in fields if c not in columns]
    return work.with_columns(canon).select([*order, "__errors__", "__warnings__"])
