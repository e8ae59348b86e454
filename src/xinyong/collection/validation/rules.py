"""Rules that look beyond one value: required fields (always, or when the field's catalog
`condition` holds, the condition read aloud in the message) and the order of dates — the
decision date is not after `today` nor before 1949-10-01, the validity end is not before the
decision date, and a date field with `not_before` is not earlier than the field it names.
Only dates within their field's range are compared.
"""

import polars as pl

from .conditions import compile_condition, describe_condition
from .context import Context
from .dates import DECISION_DATE_MIN, usable_date
from .fields import Field, date_col
from .issues import Check, about_value, compose, quoted


def required_checks(f: Field, ctx: Context) -> list[Check]:
    required = f.spec.get("required")
    missing = f.canon.is_null()
    if required is True:
        return [Check(f.code, "required", missing, compose(f.label, "必填"))]
    if required != "conditional" or not f.spec.get("condition"):
        return []
    lists, columns = ctx.condition_columns()
    holds = compile_condition(f.spec["condition"], lists=lists, columns=columns,
                              computed=ctx.computed)
    names = {code: g.spec["name"] for code, g in ctx.fields.items()}
    words = describe_condition(f.spec["condition"], names)
    return [Check(f.code, "required", missing & holds, compose(f.label, "必填：", words))]


def date_order_checks(ctx: Context) -> list[Check]:
    checks, fields, item = [], ctx.fields, ctx.item
    decision = item.get("decision_date_field")
    if decision in fields:
        checks.extend(_decision_date_checks(fields[decision], ctx))
        end = item.get("validity_end_field")
        if end in fields and end != decision:
            checks.append(_not_before(fields[end], fields[decision]))
    for f in fields.values():
        other = fields.get(f.spec.get("not_before") or "")
        if f.spec["type"] == "date" and other and other.spec["type"] == "date" and other != f:
            checks.append(_not_before(f, other))
    return checks


def _decision_date_checks(f: Field, ctx: Context) -> list[Check]:
    parsed, usable = pl.col(date_col(f.code)), usable_date(f)
    today = ctx.today.isoformat()
    return [Check(f.code, "future_date", usable & (parsed > ctx.today),
                  about_value(f, f"晚于今天（{today}），决定日期不能是将来的日期")),
            Check(f.code, "too_early", usable & (parsed < DECISION_DATE_MIN),
                  about_value(f, f"早于{DECISION_DATE_MIN.isoformat()}"))]


def _not_before(later: Field, earlier: Field) -> Check:
    both = usable_date(later) & usable_date(earlier)
    failed = both & (pl.col(date_col(later.code)) < pl.col(date_col(earlier.code)))
    message = about_value(later, "早于", earlier.label, quoted(earlier.orig))
    return Check(later.code, "date_order", failed, message)
