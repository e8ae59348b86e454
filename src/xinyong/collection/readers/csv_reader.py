"""CSV (逗号分隔文件): reading a CSV once its encoding is known. The header row is the first
record; the data after it is cut into chunks of about CSV_CHUNK bytes at record boundaries (a
line break outside double quotes, so a quoted value may hold line breaks) and each chunk is
parsed by polars, keeping memory bounded. Rows with more values than headers are an error
unless the extra values are empty; unbalanced quotes are reported near the line where they
appear. `__row__` is the record number + 1 (the header is row 1).
"""

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from . import limits
from .encoding import Text, decode_text
from .frames import ROW, blank_cell_expr, blank_row_expr
from .table import ReadError, Survey, Table, named_width, new_table


def open_csv(path: Path, item: dict) -> Table:
    text = decode_text(path)
    try:
        headers, data_start, data_line = _csv_header(text)
        source = CsvSource(text, data_start, data_line, len(headers))
        survey = source.survey(named_width(headers))
    except BaseException:
        text.discard()
        raise
    return new_table(item, "csv", source, headers, survey, encoding=text.encoding,
                     where=_separator_hint(headers))


class CsvSource:
    """A UTF-8 CSV file cut into chunks at record boundaries, each parsed by polars."""

    first_column = 0

    def __init__(self, text: Text, data_start: int, data_line: int, width: int):
        self.text, self.data_start, self.data_line = text, data_start, data_line
        self.width = width
        self.schema = {f"c{i}": pl.String for i in range(width)}

    def frames(self) -> Iterator[pl.DataFrame]:
        row, line = 2, self.data_line
        try:
            for chunk in _record_chunks(self.text.path, self.data_start):
                frame = _parse_chunk(chunk, self.schema, row, line)
                yield frame.with_row_index(ROW, offset=row).with_columns(pl.col(ROW).cast(pl.Int64))
                row += frame.height
                line += chunk.count(b"\n")
        except _RecordTooLong:
            message = (f"CSV格式错误：从第{row}行（第{line}个文本行）开始的一条记录超过64 MiB"
                       "仍未结束，很可能是英文双引号（\"）不配对")
            raise ReadError("format", message) from None

    def survey(self, named: int) -> Survey:
        survey = Survey()
        unnamed = list(self.schema)[named:]
        counts = [(~blank_cell_expr(c)).sum().alias(c) for c in unnamed]
        for frame in self.frames():
            found = frame.select(blank_row_expr(list(self.schema)).sum().alias(ROW), *counts).row(0)
            survey.records += frame.height
            survey.blank += found[0]
            for index, count in enumerate(found[1:], start=named):
                survey.unnamed_values[index] += count
        return survey

    def close(self) -> None:
        self.text.discard()


def _separator_hint(headers: list[str]) -> str:
    """A note for header errors when the file looks separated by something else."""
    if len(headers) == 1 and any(sep in headers[0] for sep in ("\t", ";", "；", "|")):
        return "表头只有一列，其中有制表符、分号或竖线，文件可能不是用英文逗号分隔的CSV。"
    return ""


def _csv_header(text: Text) -> tuple[list[str], int, int]:
    """The header texts (the first record), the byte offset where data rows begin and the
    physical line they begin on."""
    with text.path.open("rb") as f:
        f.seek(text.start)
        head = f.read(limits.HEADER_LIMIT)
    end = _first_record_end(head)
    if end < 0:
        if len(head) == limits.HEADER_LIMIT:
            raise ReadError("headers", "第1行（表头行）超过1 MiB仍未结束：文件可能不是CSV，"
                                       "或表头中的英文双引号（\"）不配对")
        end = len(head)
    record = head[:end]
    if not record.strip(b"\r\n, \t"):
        raise ReadError("headers", "第1行应为表头，但它是空的")
    try:
        values = pl.read_csv(record, has_header=False, infer_schema=False, quote_char='"').row(0)
    except pl.exceptions.PolarsError:
        raise ReadError("headers", "第1行（表头行）的CSV格式有误：请检查其中的英文双引号（\"）"
                        ) from None
    return [v or "" for v in values], text.start + end, 1 + record.count(b"\n")


def _first_record_end(data: bytes) -> int:
    """Offset after the first line break outside double quotes; -1 if there is none."""
    position = quotes = 0
    while True:
        newline = data.find(b"\n", position)
        if newline < 0:
            return -1
        quotes += data.count(b'"', position, newline)
        if quotes % 2 == 0:
            return newline + 1
        position = newline + 1


def _last_record_end(data: bytes) -> int:
    """Offset after the last line break outside double quotes (quote parity is even at the
    start of `data`); 0 if there is none. RFC 4180 escapes a quote as "", which keeps the
    parity, so a line break ends a record exactly when the quotes before it are even."""
    total = data.count(b'"')
    end, tail = len(data), 0
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return 0
        tail += data.count(b'"', newline + 1, end)
        if (total - tail) % 2 == 0:
            return newline + 1
        end = newline


class _RecordTooLong(Exception):
    pass


def _record_chunks(path: Path, start: int) -> Iterator[bytes]:
    """The data part of a CSV in chunks of about CSV_CHUNK bytes, each ending at a record
    boundary; _RecordTooLong when no boundary comes within MAX_RECORD_BYTES."""
    with path.open("rb") as f:
        f.seek(start)
        carry = b""
        while True:
            block = f.read(limits.CSV_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block if carry else block
            cut = _last_record_end(data)
            if cut == 0:
                if len(data) > limits.MAX_RECORD_BYTES:
                    raise _RecordTooLong
                carry = data
                continue
            yield data[:cut]
            carry = data[cut:]


def _parse_chunk(chunk: bytes, schema: dict, first_row: int, first_line: int) -> pl.DataFrame:
    """Parse a chunk; rows with more values than headers are refused unless every extra
    value is empty (a trailing separator), which is dropped."""
    try:
        return _read_chunk(chunk, schema)
    except pl.exceptions.PolarsError as exc:
        detail = str(exc)
    text = chunk.decode("utf-8", errors="replace")
    if "more fields" in detail or "not specified in schema" in detail:
        widest, extra_row = _extra_values(text, len(schema))
        if extra_row is not None:
            raise ReadError("format", _too_many_message(first_row + extra_row[0], extra_row[1],
                                                        len(schema))) from None
        if widest > len(schema):
            wide = {f"c{i}": pl.String for i in range(widest)}
            return _read_chunk(chunk, wide).select(list(schema))
    raise ReadError("format", _stray_quote_message(text, first_row, first_line)) from None


def _read_chunk(chunk: bytes, schema: dict) -> pl.DataFrame:
    return pl.read_csv(chunk, has_header=False, schema=schema, quote_char='"',
                       missing_columns="insert", infer_schema=False)


def _extra_values(text: str, width: int) -> tuple[int, tuple[int, int] | None]:
    """(most values in a record, (record index, values) of the first record with a
    non-empty value beyond `width` or None), by Python's csv module."""
    widest = 0
    try:
        for index, record in enumerate(csv.reader(io.StringIO(text, newline=""))):
            widest = max(widest, len(record))
            if any(value.strip() for value in record[width:]):
                return widest, (index, len(record))
    except csv.Error:
        return 0, None
    return widest, None


def _too_many_message(row: int, values: int, width: int) -> str:
    return (f"第{row}行有{values}个值，但表头只有{width}列：多出的值无法对应到任何列。请检查该行"
            "是否有没加英文双引号的逗号")


def _stray_quote_message(text: str, first_row: int, first_line: int) -> str:
    line = _stray_quote_line(text)
    if line:
        where = f"第{first_line + line - 1}个文本行（用记事本打开时的行号）附近"
    else:
        where = f"第{first_row}行之后"
    return (f"CSV格式错误：{where}有不配对的英文双引号（\"）。含有英文双引号、逗号或换行的单元格"
            "必须整体用英文双引号括起来，其中的双引号要写成两个（\"\"）；用Excel另存为CSV会自动"
            "这样处理")


_STRAY_QUOTE = re.compile(r'[^,\r\n"]"(?=[^,\r\n"])')


def _stray_quote_line(text: str) -> int | None:
    match = _STRAY_QUOTE.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None
