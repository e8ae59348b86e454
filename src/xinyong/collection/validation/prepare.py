"""The first stage of `validate`: every field's canonical column and the columns its checks
read. A preparer returns passes: mappings of column name to expression, each pass free to
read the columns of the ones before. Values other than free text repeat a lot (dates,
amounts, enums, the codes of a few hundred departments), so their passes run on the
distinct values — values already canonical taking a short cut — and are joined back; the
comparisons of the fields' conditions on them are computed there too.
"""

import polars as pl

from .conditions import compile_condition
from .context import Context
from .dates import prepare_date
from .enums import prepare_boolean, prepare_enum, prepare_multi_enum
from .fields import SCRATCH_PREFIX, Field, control_col
from .identifier_forms import CANONICAL_CODE, canonical_code, prepare_identifier
from .numbers import (
    CANONICAL_DECIMAL,
    CANONICAL_INTEGER,
    canonical_number,
    prepare_decimal,
    prepare_integer,
)
from .text import has_control, prepare_text

PREPARERS = {"integer": prepare_integer, "decimal": prepare_decimal, "enum": prepare_enum,
             "multi_enum": prepare_multi_enum, "date": prepare_date,
             "identifier": prepare_identifier, "boolean": prepare_boolean}
# type → (pattern of the values already canonical, their passes)
SHORT_CUTS = {"decimal": (CANONICAL_DECIMAL, canonical_number),
              "integer": (CANONICAL_INTEGER, canonical_number),
              "identifier": (CANONICAL_CODE, canonical_code)}


def prepared(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """`frame` with the prepared columns of every field; fills `ctx.tables`."""
    text = {}
    for f in ctx.fields.values():
        if not f.per_value:
            text.update(prepare_text(f))
    work = frame.with_columns(**text)
    wanted = ctx.condition_comparisons()
    lists, columns = ctx.condition_columns()
    for f in ctx.fields.values():
        if f.per_value:
            table = _distinct_table(work.select(pl.col(f.code).unique()), f)
            ctx.tables[f.code] = table.with_columns(
                compile_condition(p, lists=lists, columns=columns).alias(name)
                for name, p in wanted.get(f.code, ()))
            work = _join_prepared(work, f.code, ctx.tables[f.code])
    return work


def _join_prepared(work: pl.DataFrame, code: str, table: pl.DataFrame) -> pl.DataFrame:
    """`work` with the prepared columns of each row's value (`table` has one row per
    distinct value of column `code`)."""
    if table.height == 1:  # one value (often: a column left empty): no join needed
        return work.with_columns(pl.lit(table[c]).first().alias(c) for c in table.columns[1:])
    joined = work.select(code).join(table, on=code, how="left", nulls_equal=True,
                                    maintain_order="left", build_side="prefer_right")
    return work.hstack(joined.drop(code).get_columns())


def _distinct_table(values: pl.DataFrame, f: Field, *, short_cut: bool = True) -> pl.DataFrame:
    """Prepared columns of distinct values; values already canonical take a short cut."""
    fast = SHORT_CUTS.get(f.spec["type"]) if short_cut else None
    if fast is not None:
        pattern, passes = fast
        canonical = values.select(f.orig.str.contains(pattern).fill_null(False)).to_series()
        done = _run(values.filter(canonical), passes(f))
        rest = _distinct_table(values.filter(~canonical), f, short_cut=False)
        return pl.concat([done, rest.select(done.columns)])
    passes = PREPARERS[f.spec["type"]](f)
    return _run(values, [*passes, {control_col(f.code): has_control(f.orig)}])


def _run(table: pl.DataFrame, passes: list[dict]) -> pl.DataFrame:
    for step in passes:
        table = table.with_columns(**step)
    return table.select(c for c in table.columns if not c.startswith(SCRATCH_PREFIX))
