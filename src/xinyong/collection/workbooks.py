"""Shared helpers for the spreadsheets and CSV files handed to departments.

Every value that comes from a submission passes through `neutralise`, and worksheets are
filled through `write_table`, which writes text with `write_string` and numbers with `write_number`
(never xlsxwriter's generic `write`, which turns "=1+1" into a live formula).

CSV / formula injection (OWASP "CSV Injection"): a cell that begins with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return may be run as a formula when a spreadsheet program opens the
file (``=HYPERLINK(...)`` exfiltrating data, DDE payloads). OWASP's advice is to prepend a
single quote to such cells so they are read as text. We do exactly that, for CSV and XLSX
alike; plain numbers such as ``-0.5`` cannot be formulas and are left untouched.

Readers importing a file we produced should undo the marker with `restore`, so a rejected row
corrected and resubmitted by an officer carries the original value.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import NamedTuple

__all__ = ["FORMULA_TRIGGERS", "Cell", "TableFormats", "cell_text", "column_width",
           "csv_lines", "display_width", "neutralise", "restore", "standard_formats",
           "write_table"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MARKER = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# Excel's built-in "Bad" style for cells in error, and header fills for the requirement.
ERROR_FILL, ERROR_FONT = "#FFC7CE", "#9C0006"
TEXT_FORMAT = 49  # Excel's built-in number format "@" (text): typed values stay as typed
REQUIRED_FILL, CONDITIONAL_FILL, OPTIONAL_FILL = "#F8CBAD", "#FFF2CC", "#EDEDED"


def cell_text(value: object) -> str:
    """A value as the text an officer would type: dates as YYYY/MM/DD, 2.0 as 2."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.strftime("%Y/%m/%d")
        return value.strftime("%Y/%m/%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def neutralise(value: object) -> str:
    """The value as text that no spreadsheet program evaluates: a leading "'" is added to text
    starting with = + - @ (or a tab or carriage return); numbers stay as they are."""
    text = cell_text(value)
    if _is_number(value) or not text.startswith(FORMULA_TRIGGERS):
        return text
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return MARKER + text


def restore(text: str) -> str:
    """Undo `neutralise` on a value read back from a file we produced."""
    if text.startswith(MARKER) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def display_width(text: str) -> int:
    """Columns the text takes on screen: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_width(header: str, minimum: int = 10, maximum: int = 50) -> int:
    """A width (in Excel character units) fitting a header, within bounds."""
    return max(minimum, min(maximum, display_width(header) + 2))


class Cell(NamedTuple):
    """A value with its own format, overriding the column's (e.g. a highlighted error)."""

    value: object
    format: object = None


@dataclass(frozen=True)
class TableFormats:
    """Formats for `write_table`: one for every header or one per column, and per column."""

    header: object = None
    columns: Sequence = ()

    def header_at(self, col: int):
        if isinstance(self.header, list | tuple):
            return self.header[col] if col < len(self.header) else None
        return self.header

    def column_at(self, col: int):
        return self.columns[col] if col < len(self.columns) else None


def _write_cell(worksheet, row: int, col: int, value: object, fmt) -> None:
    if isinstance(value, Cell):
        value, fmt = value.value, value.format if value.format is not None else fmt
    if _is_number(value):
        worksheet.write_number(row, col, float(value), fmt)
    else:
        worksheet.write_string(row, col, neutralise(value), fmt)


def write_table(worksheet, headers: Sequence[str], rows: Iterable[Sequence],
                formats: TableFormats | None = None, *, first_row: int = 0) -> int:
    """Write a header row and the rows below it, cell by cell and in order (so it works in
    xlsxwriter's `constant_memory` mode). Returns the number of data rows written."""
    formats = formats or TableFormats()
    for col, header in enumerate(headers):
        worksheet.write_string(first_row, col, neutralise(header), formats.header_at(col))
    count = 0
    for count, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            _write_cell(worksheet, first_row + count, col, value, formats.column_at(col))
    return count


def standard_formats(workbook) -> dict:
    """The formats templates and error workbooks share, created once per workbook."""
    header = {"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1}
    specs = {
        "text": {"num_format": TEXT_FORMAT},
        "wrap": {"text_wrap": True, "valign": "top"},
        "bold": {"bold": True, "valign": "top"},
        "title": {"bold": True, "font_size": 14},
        "header": header | {"bg_color": OPTIONAL_FILL},
        "required_header": header | {"bg_color": REQUIRED_FILL, "font_color": "#C00000"},
        "conditional_header": header | {"bg_color": CONDITIONAL_FILL},
        "optional_header": header | {"bg_color": OPTIONAL_FILL},
        "error_cell": {"num_format": TEXT_FORMAT, "bg_color": ERROR_FILL, "font_color": ERROR_FONT},
        "error_text": {"font_color": ERROR_FONT, "text_wrap": True, "valign": "top"},
    }
    return {name: workbook.add_format(spec) for name, spec in specs.items()}


def _csv_line(values: Iterable[object]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([neutralise(v) for v in values])
    return buffer.getvalue().encode("utf-8")


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """UTF-8 CSV, one encoded line at a time, starting with the byte-order mark Excel needs to
    read Chinese correctly; every value neutralised."""
    yield codecs.BOM_UTF8 + _csv_line(headers)
    for values in rows:
        yield _csv_line(v.value if isinstance(v, Cell) else v for v in values)
