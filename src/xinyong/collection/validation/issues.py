"""What validation reports and how it words it: the `{field, code, message}` issue struct,
the `Check` every rule yields, the helpers that write the Chinese messages (quoting the value
found, cut to 50 characters, control characters shown as `[U+001F]`), and the last stage of
`validate`: turning the checks that failed into each row's `__errors__` and `__warnings__`
lists, with messages built only for the checks that failed, on their rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from .characters import CONTROL_CHARS, CONTROL_LABELS
from .fields import Field, valid_col

ISSUE = pl.Struct({"field": pl.Utf8, "code": pl.Utf8, "message": pl.Utf8})
ISSUES = pl.List(ISSUE)

SHOWN_CHARS = 50
OVERRIDE = "（可由报送人员说明理由后确认）"  # the end of a warning's message


@dataclass(frozen=True)
class Check:
    """One rule: `failed` is true on the rows breaking it; `message` (Utf8) is evaluated only
    on rows with some finding. `field` None marks a row-level rule."""

    field: str | None
    code: str
    failed: pl.Expr
    message: pl.Expr
    warning: bool = False


# ---- wording ---------------------------------------------------------------------------------


def compose(*parts) -> pl.Expr:
    """Concatenate literals and expressions into one message (null parts left out)."""
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in parts]
    return pl.concat_str(exprs, ignore_nulls=True)


def shown(expr: pl.Expr) -> pl.Expr:
    """The value as quoted in messages: at most 50 characters, then "…"; control characters
    as [U+001F] (messages are stored and shown, and NUL has no place in either)."""
    cut = pl.when(expr.str.len_chars() > SHOWN_CHARS).then(
        expr.str.slice(0, SHOWN_CHARS) + "…").otherwise(expr)
    return cut.str.replace_many(CONTROL_CHARS, CONTROL_LABELS)


def quoted(expr: pl.Expr) -> pl.Expr:
    return compose("“", shown(expr), "”")


def about_value(f: Field, *tail) -> pl.Expr:
    """`名称（代码）“值”…` — the usual opening of a message about a field's value."""
    return compose(f.label, quoted(f.orig), *tail)


def value_list(values: Iterable[str]) -> str:
    return "、".join(f"“{v}”" for v in values)


# ---- common checks ---------------------------------------------------------------------------


def invalid(f: Field, failed: pl.Expr, what) -> Check:
    """The error "invalid" on the rows with a value where `failed`."""
    return Check(f.code, "invalid", f.canon.is_not_null() & failed, about_value(f, what))


def not_of_type(f: Field, what) -> Check:
    """The type check of a short field: present but not of its type."""
    return invalid(f, ~pl.col(valid_col(f.code)), what)


def flagged_values(f: Field, findings: dict[str, str], code: str, tail: str = OVERRIDE, *,
                   applies: pl.Expr | None = None) -> Check:
    """A warning on the values listed in `findings` (canonical value → what is wrong), on
    the rows where `applies`."""
    if not findings:
        return Check(f.code, code, pl.lit(False), pl.lit(""), warning=True)
    keys = list(findings)
    detail = f.canon.replace_strict(keys, [findings[k] for k in keys], default=None,
                                    return_dtype=pl.Utf8)
    failed = f.canon.is_in(keys) if applies is None else applies & f.canon.is_in(keys)
    return Check(f.code, code, failed, about_value(f, detail, tail), warning=True)


# ---- issue lists -----------------------------------------------------------------------------


def with_issues(work: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """`work` with `__errors__` and `__warnings__` (and a boolean column `__k<i>` per check):
    messages are built only for the checks that found something, on the rows where they
    did."""
    empty = pl.lit([], dtype=ISSUES)
    flags = [f"__k{i}" for i in range(len(checks))]
    if flags:
        work = work.with_columns(c.failed.fill_null(False).alias(flag)
                                 for c, flag in zip(checks, flags, strict=True))
    hits = work.select(pl.col(flag).any() for flag in flags).row(0) if flags else ()
    found = [(i, c) for i, (c, hit) in enumerate(zip(checks, hits, strict=True)) if hit]
    if not found:
        return work.with_columns(__errors__=empty, __warnings__=empty)
    flagged = pl.any_horizontal([pl.col(f"__k{i}") for i, _ in found])
    position = work.select(
        pl.when(flagged).then(flagged.cast(pl.UInt32).cum_sum() - 1)).to_series()
    rows = work.filter(flagged).with_row_index("__p__")
    spread = [_issue_lists(rows, [(i, c) for i, c in found if c.warning == warning])
              .gather(position).alias(name)
              for name, warning in (("__errors__", False), ("__warnings__", True))]
    return work.with_columns(spread).with_columns(
        pl.col("__errors__", "__warnings__").fill_null(empty))


def _issue_lists(rows: pl.DataFrame, found: list[tuple[int, Check]]) -> pl.Series:
    """One list of issues per row of `rows` (`__p__` its index), in the order of the checks:
    each check's messages are built on its failing rows only, then grouped by row."""
    if not found:
        return pl.repeat(None, rows.height, dtype=ISSUES, eager=True)
    long = pl.concat([
        rows.filter(pl.col(f"__k{i}")).select(
            "__p__", field=pl.lit(c.field, pl.Utf8), code=pl.lit(c.code, pl.Utf8),
            message=c.message.cast(pl.Utf8))
        for i, c in found])
    grouped = long.group_by("__p__", maintain_order=True).agg(
        __issues__=pl.struct("field", "code", "message"))
    aligned = rows.select("__p__").join(grouped, on="__p__", how="left", maintain_order="left")
    return aligned["__issues__"]
