"""Frames (数据帧): how rows travel from a file to `Table.batches()`. A format's reader yields
source frames — `__row__` and one text column per source column, named c0..cN — and this
module turns them into batches: blank rows dropped, mapped columns renamed to field codes (in
catalog order) and cleaned, `__raw__` built, and the result cut into batches of the size the
caller asked for. It also builds source frames from rows held as Python objects (XLSX, JSON).
"""

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import polars as pl

from ..headers import HeaderMap, column_label
from ..workbooks import FORMULA_TRIGGERS, MARKER
from . import limits

ROW, RAW = "__row__", "__raw__"


@dataclass
class Plan:
    """How source columns c0..cN become a batch."""

    columns: list[str]  # source column names, c0..cN
    raw_keys: list[str]  # __raw__ key of each source column
    fields: list[tuple[str, str]]  # (source column, field code), in catalog order


def make_plan(mapping: HeaderMap, item: dict, raw_keys: list[str]) -> Plan:
    columns = [f"c{i}" for i in range(len(raw_keys))]
    by_code = {code: f"c{index}" for index, code in mapping.columns.items()}
    fields = [(by_code[f["code"]], f["code"]) for f in item["fields"] if f["code"] in by_code]
    return Plan(columns, raw_keys, fields)


def raw_keys(headers: list[str], width: int, first_column: int) -> list[str]:
    """Unique __raw__ keys: the header text, or "（D列）" when empty or repeated."""
    keys: list[str] = []
    seen: set[str] = set()
    for index in range(width):
        text = (headers[index] if index < len(headers) else None) or ""
        key = text.strip().lstrip("\ufeff")
        if not key or key in seen:
            key = f"{key}（{column_label(first_column + index)}列）"
        seen.add(key)
        keys.append(key)
    return keys


def blank_cell_expr(column: str) -> pl.Expr:
    """True for a null or empty cell (a cell of spaces is not blank)."""
    return pl.col(column).is_null() | (pl.col(column) == "")


def blank_row_expr(columns: list[str]) -> pl.Expr:
    return pl.all_horizontal([blank_cell_expr(c) for c in columns])


def raw_expr(plan: Plan) -> pl.Expr:
    fields = [pl.col(c).alias(k) for c, k in zip(plan.columns, plan.raw_keys, strict=True)]
    return pl.struct(fields).struct.json_encode().alias(RAW)


def shape(frame: pl.DataFrame, plan: Plan, raw: bool) -> pl.DataFrame:
    """A source frame as a batch: `__row__`, the fields in catalog order, `__raw__` if `raw`."""
    frame = frame.filter(~blank_row_expr(plan.columns))
    marked = _columns_with_marker(frame, plan)
    exprs = [pl.col(ROW).cast(pl.Int64)]
    for column, code in plan.fields:
        exprs.append(_field_expr(column, restore=column in marked).alias(code))
    if raw:
        exprs.append(raw_expr(plan))
    return frame.select(exprs)


_TRIGGERS = "".join(f"\\x{{{ord(c):X}}}" for c in FORMULA_TRIGGERS)
_MARKED = f"^{re.escape(MARKER)}([{_TRIGGERS}])"  # a value neutralise() protected


def _field_expr(column: str, *, restore: bool) -> pl.Expr:
    """A field's value stripped, empty → null; with `restore`, a value `workbooks.neutralise`
    protected first gets its marker removed."""
    value = pl.col(column)
    if restore:
        value = value.str.replace(_MARKED, "$1")
    stripped = value.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _columns_with_marker(frame: pl.DataFrame, plan: Plan) -> set[str]:
    """Columns with a value starting with the neutralisation marker (rare: only those pay
    for the regular expression that restores them)."""
    if not plan.fields or not frame.height:
        return set()
    flags = frame.select([pl.col(c).str.starts_with(MARKER).any().alias(c) for c, _ in plan.fields])
    return {c for c, flagged in flags.row(0, named=True).items() if flagged}


def rebatch(frames: Iterator[pl.DataFrame], size: int) -> Iterator[pl.DataFrame]:
    """Frames of exactly `size` rows (the last may be shorter). Nothing is held while the
    consumer works on a batch but the rows already read beyond it."""
    pending: list[pl.DataFrame] = []
    have = 0
    for frame in frames:
        pending.append(frame)
        have += frame.height
        while have >= size:
            batch, rest = _split(pending, size)
            pending, have = ([rest] if rest.height else []), rest.height
            yield batch
            del batch
    if pending:
        yield _split(pending, have)[0]


def _split(frames: list[pl.DataFrame], size: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    joined = pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]
    return joined.slice(0, size), joined.slice(size)


def frames_from_rows(numbered_rows: Iterable[tuple[int, object]],
                     columns: Callable[[list], dict[str, pl.Series]]) -> Iterator[pl.DataFrame]:
    """Source frames of up to SOURCE_ROWS rows from (row number, row) pairs: `__row__` is the
    number, and `columns(rows)` gives the text columns c0..cN."""
    numbers: list[int] = []
    rows: list = []
    for number, row in numbered_rows:
        numbers.append(number)
        rows.append(row)
        if len(rows) == limits.SOURCE_ROWS:
            yield _source_frame(numbers, columns(rows))
            numbers, rows = [], []
    if rows:
        yield _source_frame(numbers, columns(rows))


def _source_frame(numbers: list[int], columns: dict[str, pl.Series]) -> pl.DataFrame:
    return pl.DataFrame({ROW: pl.Series(ROW, numbers, dtype=pl.Int64), **columns})
