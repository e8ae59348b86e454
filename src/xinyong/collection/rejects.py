"""Rejected rows (未通过校验的数据) handed back to the submitting officer, as XLSX or CSV.

The officer sees their own columns, under the header text they submitted, between two columns
of ours: "原行号" (the row number in the submitted file) first and "错误说明" (every message
for the row, joined by "；") last. Cells of fields in error are filled light red. The data
sheet is named after the item code, so the corrected file is submitted as it is: readers must
treat `NON_FIELD_HEADERS` ("原行号", "错误说明") as known columns that are not fields and
ignore them, and undo neutralisation with `workbooks.restore`.

Rows are streamed: the XLSX is written in xlsxwriter's `constant_memory` mode (each row goes
to a temporary file once the next begins) and the CSV is yielded line by line, so a million
rejected rows need no more memory than a few.
"""

import io
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from os import PathLike
from typing import BinaryIO

import xlsxwriter

from .headers import map_headers, normalise_header
from .workbooks import Cell, TableFormats, column_width, csv_lines, standard_formats, write_table

__all__ = ["ERRORS_HEADER", "MESSAGE_SEPARATOR", "NON_FIELD_HEADERS", "ROW_NUMBER_HEADER",
           "RejectedRow", "rejected_csv", "rejected_workbook", "write_rejected_workbook"]

ROW_NUMBER_HEADER = "原行号"
ERRORS_HEADER = "错误说明"
NON_FIELD_HEADERS = frozenset({ROW_NUMBER_HEADER, ERRORS_HEADER})
MESSAGE_SEPARATOR = "；"

# (row number in the submitted file, values keyed by the submitted header text,
#  errors as [{"field": FIELD_CODE or None, "code": ..., "message": 中文说明}])
RejectedRow = tuple[int, Mapping[str, object], Sequence[Mapping[str, object]]]


def _column_lookup(item: Mapping, headers: Sequence[str]) -> dict[str, int]:
    """Normalised key -> index among `headers`: each header's own text and, for the headers
    the reader maps to a field (`headers.map_headers`, so both agree), that field's code and
    Chinese name."""
    names = {f["code"]: f["name"] for f in item["fields"]}
    lookup = {normalise_header(h): col for col, h in reversed(list(enumerate(headers)))}
    for col, code in map_headers(list(headers), dict(item)).columns.items():
        lookup[normalise_header(code)] = col
        lookup.setdefault(normalise_header(names[code]), col)
    return lookup


def _messages(errors: Sequence[Mapping]) -> str:
    messages = (str(e.get("message") or e.get("code") or "") for e in errors)
    return MESSAGE_SEPARATOR.join(dict.fromkeys(m for m in messages if m))


def _marked(errors: Sequence[Mapping], lookup: Mapping[str, int]) -> set[int]:
    keys = (normalise_header(e["field"]) for e in errors if e.get("field"))
    return {lookup[key] for key in keys if key in lookup}


def _split(item: Mapping, rows: Iterable[RejectedRow], headers: Sequence[str] | None):
    """The columns to show (submitted headers without ours) and the rows, unconsumed."""
    rows = iter(rows)
    first = next(rows, None)
    if headers is None:
        headers = list(first[1]) if first else [f["name"] for f in item["fields"]]
    ours = {normalise_header(h) for h in NON_FIELD_HEADERS}
    headers = [h for h in headers if normalise_header(h) not in ours]
    return headers, (rows if first is None else itertools.chain([first], rows))


def _cells(row: RejectedRow, headers: Sequence[str], lookup: Mapping[str, int], mark) -> list:
    number, values, errors = row
    marked = _marked(errors, lookup)
    cells: list = [number]
    for col, header in enumerate(headers):
        value = values.get(header)
        cells.append(Cell(value, mark) if mark is not None and col in marked else value)
    cells.append(_messages(errors))
    return cells


def _prepare_sheet(ws, headers: Sequence[str], fmt: dict) -> None:
    ws.set_column(0, 0, 8)
    for col, header in enumerate(headers, start=1):
        ws.set_column(col, col, column_width(str(header), minimum=12, maximum=30), fmt["text"])
    ws.set_column(len(headers) + 1, len(headers) + 1, 60, fmt["error_text"])
    ws.set_row(0, 30)
    ws.freeze_panes(1, 1)
    note = "此列由平台生成，修改后重新上传时自动忽略，无需删除。"
    ws.write_comment(0, 0, f"提交文件中的行号。{note}", {"x_scale": 2})
    ws.write_comment(0, len(headers) + 1, f"该行未通过校验的原因；标红的单元格需要修改。{note}",
                     {"x_scale": 2})


def write_rejected_workbook(item: Mapping, rows: Iterable[RejectedRow],
                            target: str | PathLike | BinaryIO, *,
                            headers: Sequence[str] | None = None) -> int:
    """Write the rejected-rows workbook to a path or binary file; returns the rows written.
    `headers` (the submitted header texts, in order) defaults to the first row's keys."""
    headers, rows = _split(item, rows, headers)
    wb = xlsxwriter.Workbook(target, {"constant_memory": True})
    wb.set_properties({"title": f"{item['name']}未通过校验的数据", "subject": item["code"]})
    fmt = standard_formats(wb)
    ws = wb.add_worksheet(item["code"])
    _prepare_sheet(ws, headers, fmt)
    lookup = _column_lookup(item, headers)
    header_formats = [fmt["optional_header"]] + [fmt["header"]] * len(headers)
    written = write_table(
        ws, [ROW_NUMBER_HEADER, *headers, ERRORS_HEADER],
        (_cells(row, headers, lookup, fmt["error_cell"]) for row in rows),
        TableFormats(header=[*header_formats, fmt["required_header"]]))
    wb.close()
    return written


def rejected_workbook(item: Mapping, rows: Iterable[RejectedRow], *,
                      headers: Sequence[str] | None = None) -> bytes:
    """The rejected-rows workbook as bytes (see `write_rejected_workbook` to write a file)."""
    buffer = io.BytesIO()
    write_rejected_workbook(item, rows, buffer, headers=headers)
    return buffer.getvalue()


def rejected_csv(item: Mapping, rows: Iterable[RejectedRow], *,
                 headers: Sequence[str] | None = None) -> Iterator[bytes]:
    """The same columns as UTF-8 CSV (with BOM), one encoded line at a time."""
    headers, rows = _split(item, rows, headers)
    lookup = _column_lookup(item, headers)
    yield from csv_lines([ROW_NUMBER_HEADER, *headers, ERRORS_HEADER],
                         (_cells(row, headers, lookup, None) for row in rows))
