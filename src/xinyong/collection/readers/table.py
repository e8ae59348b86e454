"""Table (读取结果): what every format's reader produces. `ReadError` is the one error a file
that cannot be read raises; `Table` is a file that opened, whose rows come through
`batches()`; `Source` is what a format's reader hands to `Table`; and `new_table` assembles
one from a source and what a first pass over it found (`Survey`): it maps the header row to
the catalog item's fields, refuses header errors and files without data rows, and words the
warnings about columns that are not read.
"""

import weakref
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from ..headers import HeaderMap, column_label, map_headers, normalise_header
from ..rejects import NON_FIELD_HEADERS
from .frames import RAW, ROW, Plan, make_plan, raw_expr, raw_keys, rebatch, shape


class ReadError(Exception):
    """A file that cannot be read as a whole. `code` is one of "format", "empty", "encoding",
    "headers", "too_large", "zip_bomb"; `message` (also `str(exc)`) is Chinese and says what
    was found and where."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class Source(Protocol):
    """A format's data rows as source frames (`__row__` and text columns c0..cN), read from
    the file again on every call of `frames()`."""

    width: int  # number of source columns
    first_column: int  # worksheet column of c0 (0 is column A); 0 for CSV and JSON

    def frames(self) -> Iterator[pl.DataFrame]: ...

    def close(self) -> None: ...


@dataclass
class Survey:
    """What one pass over the data rows found."""

    records: int = 0
    blank: int = 0
    unnamed_values: Counter[int] = field(default_factory=Counter)  # column index → cells


@dataclass
class Table:
    """A readable file of one catalog item; rows come through `batches()`.

    `headers` maps source columns to fields (`headers.unknown` are columns nobody reads);
    `warnings` (Chinese) cover unknown or unnamed columns, ignored sheets, merged cells and
    formulas. `row_count` rows reach `batches()`; `skipped_blank_rows` do not."""

    item_code: str
    format: str  # "csv" | "xlsx" | "json"
    encoding: str | None  # "utf-8", "utf-8-sig" or "gb18030"; None for XLSX
    sheet: str | None  # the worksheet read (XLSX)
    headers: HeaderMap
    row_count: int  # data rows that batches() yields (blank rows not counted)
    warnings: list[str] = field(default_factory=list)
    skipped_blank_rows: int = 0
    source_headers: list[str] = field(default_factory=list)  # __raw__ keys, in column order
    _source: Source | None = field(default=None, repr=False, compare=False)
    _plan: Plan | None = field(default=None, repr=False, compare=False)

    def batches(self, size: int = 100_000, *, raw: bool = True) -> Iterator[pl.DataFrame]:
        """The data rows in frames of `size` rows (the last may be shorter). `raw=False`
        leaves out `__raw__`, which costs about as much as everything else together; fetch
        it for the rows that need it with `raw_rows`."""
        if size < 1:
            raise ValueError("size must be positive")
        frames = (shape(frame, self._plan, raw) for frame in self._source.frames())
        return rebatch((f for f in frames if f.height), size)

    def raw_rows(self, rows: Iterable[int]) -> dict[int, str]:
        """`__raw__` of the given row numbers (one more pass over the file)."""
        return {row: raw for chunk in self.iter_raw_rows(rows) for row, raw in chunk}

    def iter_raw_rows(self, rows: Iterable[int]) -> Iterator[list[tuple[int, str]]]:
        """(row number, `__raw__`) of the given rows, a list per frame of the file, in one
        more pass over it: memory stays bounded however many rows are asked for."""
        wanted = pl.Series(ROW, rows, dtype=pl.Int64).unique().implode()
        for frame in self._source.frames():
            picked = frame.filter(pl.col(ROW).cast(pl.Int64).is_in(wanted))
            if picked.height:
                out = picked.select(pl.col(ROW), raw_expr(self._plan))
                yield list(zip(out[ROW].to_list(), out[RAW].to_list(), strict=True))

    def close(self) -> None:
        """Release the temporary file (transcoded CSV) or the workbook (XLSX)."""
        if self._source is not None:
            self._source.close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# The columns of ours in a rejected-rows file (原行号, 错误说明): expected when the file comes
# back corrected, so not reported as unknown.
_OURS = frozenset(normalise_header(h) for h in NON_FIELD_HEADERS)


def new_table(item: dict, kind: str, source: Source, headers: list[str], survey: Survey, *,
              encoding: str | None = None, sheet: str | None = None,
              warnings: list[str] | None = None, where: str = "") -> Table:
    """The Table of `source`, whose header row is `headers`; ReadError (closing the source)
    on header errors or when there is no data row. `where` starts those messages."""
    named = named_width(headers)
    mapping = map_headers(headers[:named], item, first_column=source.first_column)
    mapping.unknown = [h for h in mapping.unknown if normalise_header(h) not in _OURS]
    if mapping.errors:
        source.close()
        raise ReadError("headers", f"{where}表头有误：" + "；".join(mapping.errors))
    rows = survey.records - survey.blank
    if rows == 0:
        source.close()
        raise ReadError("empty", _empty_message(where, survey))
    keys = raw_keys(headers, source.width, source.first_column)
    table = Table(item_code=item["code"], format=kind, encoding=encoding, sheet=sheet,
                  headers=mapping, row_count=rows, skipped_blank_rows=survey.blank,
                  source_headers=keys, _source=source, _plan=make_plan(mapping, item, keys))
    table.warnings = [*(warnings or []),
                      *_header_warnings(item, mapping, survey, named, source.first_column)]
    weakref.finalize(table, source.close)  # a Table dropped without close() still cleans up
    return table


def named_width(headers: list[str]) -> int:
    """Columns up to the last non-empty header: empty headers at the right edge are not
    columns (a trailing separator, or cells formatted beyond the table)."""
    width = len(headers)
    while width and not (headers[width - 1] or "").strip():
        width -= 1
    return width


def _empty_message(where: str, survey: Survey) -> str:
    if survey.records == 0:
        return f"{where}文件只有表头，没有数据行"
    return f"{where}文件只有表头和{survey.blank}个空行，没有数据行"


def _header_warnings(item: dict, mapping: HeaderMap, survey: Survey, named: int,
                     first_column: int) -> list[str]:
    warnings = []
    if mapping.unknown:
        listed = "、".join(f"“{h}”" for h in mapping.unknown)
        warnings.append(f"以下{len(mapping.unknown)}列不是“{item['name']}”的字段，没有被读取"
                        f"（原值保留在原始行中）：{listed}")
    for index, count in sorted(survey.unnamed_values.items()):
        if count and index >= named:
            warnings.append(f"{column_label(first_column + index)}列没有表头，但有{count}个"
                            "单元格有值：这些值没有被读取（原值保留在原始行中）")
    return warnings
