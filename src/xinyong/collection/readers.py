"""Readers (文件读取): a department's CSV, XLSX or JSON file as batches of polars frames.

`open_table(path, item)` checks the file as a whole — size, format, encoding, structure, the
header row against the catalog item — and raises `ReadError` (a code and a Chinese message)
for anything that makes the file unreadable. It then returns a `Table` whose `batches()`
yield the rows. Nothing is evaluated: a cell starting with = + - @ is text, and an XLSX
formula gives the value Excel saved with it.

Every batch has `__row__` (Int64), one Utf8 column per mapped field code (in catalog order)
and `__raw__`. `__row__` is the row number the officer sees: for CSV the record number + 1
(the header is row 1; a record is what Excel shows as one row, even when a quoted value
holds line breaks), for XLSX the worksheet row number, for JSON the 1-based position in the
array. Field values are the cells as found, except: surrounding whitespace is stripped, an
empty value is null, Excel numbers are written without a trailing ".0" and without exponent,
Excel dates are "YYYY-MM-DD" (date-times "YYYY-MM-DD HH:MM:SS"), and a value that
`workbooks.neutralise` protected with a leading "'" (in a rejected-rows file we produced) is
restored. `__raw__` is the row as a JSON object {header: value as found}, covering every
column, read or not (keys are `Table.source_headers`). Rows whose cells are all empty are
skipped and counted in `Table.skipped_blank_rows`; a row of spaces is not empty (it reaches
validation). Control characters, NUL included, are kept for validation to reject.

`open_table` reads the data once to count rows and find structural errors (so `batches()`
does not fail half-way on a file that opened), and `batches()` reads it again. Memory stays
bounded: a CSV is read in chunks of about 4 MiB cut at record boundaries (a line break
outside double quotes), each parsed by polars, and rows with more values than headers are
an error unless the extra values are empty; a GB18030/GBK file is first transcoded to a
temporary UTF-8 file in 1 MiB steps; JSON is parsed one record at a time. An XLSX sheet is
held whole by calamine while the table is open (about 65 bytes a cell, so sheets declaring
more than XLSX_MAX_CELLS cells are refused: CSV has no such limit). Merged cells: only the
top-left cell of a merged range has the value, the other cells read as empty. The XLSX
sheet read is the one named after the item (name or code), else the first with data.
`Table.close()` (or `with`) releases the temporary file and the workbook.
"""

import codecs
import csv
import io
import json
import os
import re
import tempfile
import weakref
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .headers import HeaderMap, column_label, map_headers, normalise_header
from .rejects import NON_FIELD_HEADERS
from .workbooks import FORMULA_TRIGGERS, MARKER

__all__ = ["DEFAULT_MAX_BYTES", "ReadError", "Table", "open_table"]

MIB = 2**20
DEFAULT_MAX_BYTES = 512 * MIB
DECODE_BLOCK = MIB  # encoding detection and transcoding step
CSV_CHUNK = 4 * MIB  # bytes of CSV handed to polars at a time
HEADER_LIMIT = MIB  # the header row must end within the first MiB
JSON_BLOCK = MIB  # characters of JSON read at a time
MAX_RECORD_BYTES = 64 * MIB  # one CSV record or JSON row
SOURCE_ROWS = 8192  # XLSX / JSON rows per source frame (Python objects until then)
ZIP_MAX_TOTAL = 2**30  # total uncompressed size of an XLSX
ZIP_MAX_RATIO = 100  # compression ratio allowed on a large entry
ZIP_LARGE_ENTRY = 10 * MIB
ZIP_MAX_ENTRIES = 10_000
XLSX_MAX_CELLS = 8_000_000  # calamine holds a sheet in memory, ~65 bytes a cell
UTF8_EVIDENCE = 8  # valid multi-byte UTF-8 characters before a bad byte: broken UTF-8, not GBK

ROW, RAW = "__row__", "__raw__"
FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json"}
_FOREIGN_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "这是旧版Excel（.xls）文件或设置了打开密码的Excel文件，"
     "请另存为不加密的.xlsx或“CSV UTF-8”后重新提交"),
    (b"%PDF", "这是PDF文件，请提交CSV、XLSX或JSON文件"),
    (b"\x1f\x8b", "这是gzip压缩文件，请解压后提交CSV、XLSX或JSON文件"),
    (b"Rar!", "这是RAR压缩文件，请解压后提交CSV、XLSX或JSON文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是7z压缩文件，请解压后提交CSV、XLSX或JSON文件"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_LEADS = bytes(range(0xC2, 0xF5))


class ReadError(Exception):
    """A file that cannot be read as a whole. `code` is one of "format", "empty", "encoding",
    "headers", "too_large", "zip_bomb"; `message` (also `str(exc)`) is Chinese and says what
    was found and where."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


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
    _source: object = field(default=None, repr=False, compare=False)
    _plan: object = field(default=None, repr=False, compare=False)

    def batches(self, size: int = 100_000, *, raw: bool = True) -> Iterator[pl.DataFrame]:
        """The data rows in frames of `size` rows (the last may be shorter). `raw=False`
        leaves out `__raw__`, which costs about as much as everything else together; fetch
        it for the rows that need it with `raw_rows`."""
        if size < 1:
            raise ValueError("size must be positive")
        frames = (_shape(frame, self._plan, raw) for frame in self._source.frames())
        return _rebatch((f for f in frames if f.height), size)

    def raw_rows(self, rows: Iterable[int]) -> dict[int, str]:
        """`__raw__` of the given row numbers (one more pass over the file)."""
        wanted = sorted(set(rows))
        found: dict[int, str] = {}
        for frame in self._source.frames():
            picked = frame.filter(pl.col(ROW).is_in(wanted))
            if picked.height:
                out = picked.select(pl.col(ROW), _raw_expr(self._plan))
                found.update(zip(out[ROW].to_list(), out[RAW].to_list(), strict=True))
        return found

    def close(self) -> None:
        """Release the temporary file (transcoded CSV) or the workbook (XLSX)."""
        if self._source is not None:
            self._source.close()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_table(path, item: dict, *, filename: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """Open a department's file for catalog item `item` (a dict from
    `xinyong.catalog.loader.parse_catalog(...).catalog.items`). `filename` is the name the
    file was uploaded under (its extension is a hint; the content decides)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError("too_large", f"文件大小为{_size_text(size)}，超过了上限"
                                     f"{_size_text(max_bytes)}：请拆分成几个较小的文件分别提交")
    if size == 0:
        raise ReadError("empty", "文件是空的（0字节）")
    kind = _sniff(path, Path(filename or path.name).suffix.lower(), strict=filename is not None)
    opener = {"csv": _open_csv, "xlsx": _open_xlsx, "json": _open_json}[kind]
    return opener(path, item)


# ---- format -----------------------------------------------------------------------------

def _sniff(path: Path, suffix: str, *, strict: bool) -> str:
    """The format by content, with the extension as a hint; ReadError if it is none of ours.
    An unknown extension is refused only on a name the department gave (`strict`)."""
    with path.open("rb") as f:
        head = f.read(64 * 1024)
    for magic, message in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise ReadError("format", message)
    if strict and suffix not in FORMATS and suffix != ".xls":
        raise ReadError("format", f"不支持的文件类型“{suffix}”：请提交CSV、XLSX或JSON文件")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "xlsx"
    hinted = FORMATS.get(suffix)
    if hinted == "xlsx" or suffix == ".xls":
        raise ReadError("format", f"文件扩展名是“{suffix}”，但内容不是XLSX（Excel 2007及以后）"
                                  "格式：请用Excel打开后另存为.xlsx，或另存为“CSV UTF-8”")
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not text and len(head) == path.stat().st_size:
        raise ReadError("empty", "文件没有内容：只有空白字符")
    if text[:1] in (b"[", b"{") and hinted != "csv":
        return "json"
    if hinted == "json":
        raise ReadError("format", "文件扩展名是“.json”，但内容不是以“[”或“{”开头的JSON")
    return "csv"


def _size_text(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    return f"{size}字节"


# ---- encoding ---------------------------------------------------------------------------

@dataclass
class _Text:
    """A text file known to be UTF-8: the original, or a transcoded temporary copy."""

    path: Path
    encoding: str
    start: int  # bytes to skip (a UTF-8 BOM)
    temporary: bool


def _decode_text(path: Path) -> _Text:
    """Detect the encoding by strict decoding: UTF-8 (with or without BOM), else GB18030
    (a superset of GBK and GB2312), transcoded to a temporary UTF-8 file."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(_UTF16_BOMS):
        raise ReadError("encoding", "文件是UTF-16编码（Excel的“Unicode文本”格式），无法读取："
                                    "请在Excel中另存为“CSV UTF-8（逗号分隔）”后重新提交")
    bom = head.startswith(codecs.BOM_UTF8)
    failure = _check_utf8(path)
    if failure is None:
        return _Text(path, "utf-8-sig" if bom else "utf-8", 3 if bom else 0, temporary=False)
    offset, evidence = failure
    if bom or evidence >= UTF8_EVIDENCE:
        raise ReadError("encoding", f"文件是UTF-8编码，但{_where_byte(path, offset)}不是有效的UTF-8"
                                    "字符：文件可能被截断或混入了其他编码的内容，请检查后重新导出")
    return _transcode_gb18030(path, offset)


def _check_utf8(path: Path) -> tuple[int, int] | None:
    """None if the file is valid UTF-8, else (offset of the first bad byte, number of
    multi-byte characters decoded before it)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    evidence = position = 0
    with path.open("rb") as f:
        while True:
            block = f.read(DECODE_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                before = exc.object[:exc.start]
                evidence += len(before) - len(before.translate(None, _UTF8_LEADS))
                return position - (len(exc.object) - len(block)) + exc.start, evidence
            if not block:
                return None
            if evidence < UTF8_EVIDENCE:
                evidence += len(block) - len(block.translate(None, _UTF8_LEADS))
            position += len(block)


def _transcode_gb18030(path: Path, utf8_offset: int) -> _Text:
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    handle, name = tempfile.mkstemp(prefix="xinyong-read-", suffix=".csv")
    position = 0
    try:
        with path.open("rb") as src, os.fdopen(handle, "wb") as out:
            while True:
                block = src.read(DECODE_BLOCK)
                try:
                    out.write(decoder.decode(block, final=not block).encode("utf-8"))
                except UnicodeDecodeError as exc:
                    bad = position - (len(exc.object) - len(block)) + exc.start
                    raise ReadError("encoding", _encoding_message(path, utf8_offset, bad)) from None
                if not block:
                    break
                position += len(block)
    except BaseException:
        os.unlink(name)
        raise
    return _Text(Path(name), "gb18030", 0, temporary=True)


def _encoding_message(path: Path, utf8_offset: int, gb_offset: int) -> str:
    return (f"无法识别文件编码：文件既不是UTF-8编码，也不是GB18030/GBK编码。按UTF-8读取时"
            f"{_where_byte(path, utf8_offset)}无法解码；按GB18030读取时"
            f"{_where_byte(path, gb_offset)}无法解码。请在Excel中另存为“CSV UTF-8（逗号分隔）”"
            "后重新提交")


def _where_byte(path: Path, offset: int) -> str:
    """"第3行（第57个字节，0xE9 0x2C）": physical line and 1-based byte position."""
    lines = 1
    with path.open("rb") as f:
        done = 0
        while done < offset:
            block = f.read(min(DECODE_BLOCK, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
        shown = " ".join(f"0x{b:02X}" for b in f.read(2))
    return f"第{lines}行（第{offset + 1}个字节，{shown}）"


# ---- shaping: source frames to batches --------------------------------------------------

@dataclass
class _Plan:
    """How source columns c0..cN become a batch."""

    columns: list[str]  # source column names, c0..cN
    raw_keys: list[str]  # __raw__ key of each source column
    fields: list[tuple[str, str]]  # (source column, field code), in catalog order


def _plan(mapping: HeaderMap, item: dict, raw_keys: list[str]) -> _Plan:
    columns = [f"c{i}" for i in range(len(raw_keys))]
    by_code = {code: f"c{index}" for index, code in mapping.columns.items()}
    fields = [(by_code[f["code"]], f["code"]) for f in item["fields"] if f["code"] in by_code]
    return _Plan(columns, raw_keys, fields)


def _raw_keys(headers: list[str], width: int, first_column: int) -> list[str]:
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


def _blank_expr(columns: list[str]) -> pl.Expr:
    return pl.all_horizontal([pl.col(c).is_null() | (pl.col(c) == "") for c in columns])


_TRIGGERS = "".join(f"\\x{{{ord(c):X}}}" for c in FORMULA_TRIGGERS)
_MARKED = f"^{re.escape(MARKER)}([{_TRIGGERS}])"  # a value neutralise() protected


def _clean_expr(column: str) -> pl.Expr:
    """Restore a value `workbooks.neutralise` protected, then strip; empty → null."""
    stripped = pl.col(column).str.replace(_MARKED, "$1").str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _raw_expr(plan: _Plan) -> pl.Expr:
    fields = [pl.col(c).alias(k) for c, k in zip(plan.columns, plan.raw_keys, strict=True)]
    return pl.struct(fields).struct.json_encode().alias(RAW)


def _shape(frame: pl.DataFrame, plan: _Plan, raw: bool) -> pl.DataFrame:
    frame = frame.filter(~_blank_expr(plan.columns))
    marked = _columns_with_marker(frame, plan)
    exprs = [pl.col(ROW).cast(pl.Int64)]
    for column, code in plan.fields:
        expr = _clean_expr(column) if column in marked else _plain_clean(column)
        exprs.append(expr.alias(code))
    if raw:
        exprs.append(_raw_expr(plan))
    return frame.select(exprs)


def _plain_clean(column: str) -> pl.Expr:
    stripped = pl.col(column).str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _columns_with_marker(frame: pl.DataFrame, plan: _Plan) -> set[str]:
    """Columns with a value starting with the neutralisation marker (rare: only those pay
    for the regular expression that restores them)."""
    if not plan.fields or not frame.height:
        return set()
    flags = frame.select([pl.col(c).str.starts_with(MARKER).any().alias(c) for c, _ in plan.fields])
    return {c for c, flagged in flags.row(0, named=True).items() if flagged}


def _rebatch(frames: Iterator[pl.DataFrame], size: int) -> Iterator[pl.DataFrame]:
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


# ---- assembling a Table -----------------------------------------------------------------

@dataclass
class _Survey:
    """What one pass over the data rows found."""

    records: int = 0
    blank: int = 0
    unnamed_values: dict[int, int] = field(default_factory=dict)  # column index → cells


def _table(item: dict, kind: str, source, headers: list[str], survey: _Survey, *,
           encoding: str | None = None, sheet: str | None = None,
           warnings: list[str] | None = None, where: str = "") -> Table:
    named = _named_width(headers)
    first_column = getattr(source, "first_column", 0)
    mapping = map_headers(headers[:named], item, first_column=first_column)
    mapping.unknown = [h for h in mapping.unknown if normalise_header(h) not in _OURS]
    if mapping.errors:
        source.close()
        raise ReadError("headers", f"{where}表头有误：" + "；".join(mapping.errors))
    rows = survey.records - survey.blank
    if rows == 0:
        source.close()
        raise ReadError("empty", _empty_message(where, survey))
    keys = _raw_keys(headers, source.width, first_column)
    table = Table(item_code=item["code"], format=kind, encoding=encoding, sheet=sheet,
                  headers=mapping, row_count=rows, skipped_blank_rows=survey.blank,
                  source_headers=keys, _source=source, _plan=_plan(mapping, item, keys))
    table.warnings = [*(warnings or []),
                      *_header_warnings(item, mapping, survey, named, first_column)]
    weakref.finalize(table, source.close)
    return table


_OURS = frozenset(normalise_header(h) for h in NON_FIELD_HEADERS)


def _named_width(headers: list[str]) -> int:
    """Columns up to the last non-empty header: empty headers at the right edge are not
    columns (a trailing separator, or cells formatted beyond the table)."""
    width = len(headers)
    while width and not (headers[width - 1] or "").strip():
        width -= 1
    return width


def _empty_message(where: str, survey: _Survey) -> str:
    if survey.records == 0:
        return f"{where}文件只有表头，没有数据行"
    return f"{where}文件只有表头和{survey.blank}个空行，没有数据行"


def _header_warnings(item: dict, mapping: HeaderMap, survey: _Survey, named: int,
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


# ---- CSV --------------------------------------------------------------------------------

class _CsvSource:
    """A UTF-8 CSV file cut into chunks at record boundaries, each parsed by polars."""

    first_column = 0

    def __init__(self, text: _Text, data_start: int, data_line: int, width: int):
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

    def survey(self, named: int) -> _Survey:
        survey = _Survey()
        unnamed = list(self.schema)[named:]
        counts = [(~(pl.col(c).is_null() | (pl.col(c) == ""))).sum().alias(c) for c in unnamed]
        for frame in self.frames():
            found = frame.select(_blank_expr(list(self.schema)).sum().alias(ROW), *counts).row(0)
            survey.records += frame.height
            survey.blank += found[0]
            for index, count in enumerate(found[1:], start=named):
                survey.unnamed_values[index] = survey.unnamed_values.get(index, 0) + count
        return survey

    def close(self) -> None:
        if self.text.temporary:
            self.text.path.unlink(missing_ok=True)


def _open_csv(path: Path, item: dict) -> Table:
    text = _decode_text(path)
    try:
        headers, data_start, data_line = _csv_header(text)
        source = _CsvSource(text, data_start, data_line, len(headers))
        survey = source.survey(_named_width(headers))
    except BaseException:
        if text.temporary:
            text.path.unlink(missing_ok=True)
        raise
    return _table(item, "csv", source, headers, survey, encoding=text.encoding,
                  where=_separator_hint(headers))


def _separator_hint(headers: list[str]) -> str:
    """A note for header errors when the file looks separated by something else."""
    if len(headers) == 1 and any(sep in headers[0] for sep in ("\t", ";", "；", "|")):
        return "表头只有一列，其中有制表符、分号或竖线，文件可能不是用英文逗号分隔的CSV。"
    return ""


def _csv_header(text: _Text) -> tuple[list[str], int, int]:
    """The header texts (the first record), the byte offset where data rows begin and the
    physical line they begin on."""
    with text.path.open("rb") as f:
        f.seek(text.start)
        head = f.read(HEADER_LIMIT)
    end = _first_record_end(head)
    if end < 0:
        if len(head) == HEADER_LIMIT:
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
            block = f.read(CSV_CHUNK)
            if not block:
                if carry:
                    yield carry
                return
            data = carry + block if carry else block
            cut = _last_record_end(data)
            if cut == 0:
                if len(data) > MAX_RECORD_BYTES:
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


# ---- XLSX -------------------------------------------------------------------------------

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _open_xlsx(path: Path, item: dict) -> Table:
    _check_zip(path)
    workbook = _load_workbook(path)
    try:
        sheet, notes = _choose_sheet(workbook, item, path)
        source = _XlsxSource(workbook, sheet)
        headers, survey = source.survey()
    except BaseException:
        _close_workbook(workbook)
        raise
    notes += _merged_warnings(sheet) + _formula_warnings(path, sheet.name)
    return _table(item, "xlsx", source, headers, survey, sheet=sheet.name, warnings=notes,
                  where=f"工作表“{sheet.name}”：")


def _load_workbook(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors on a broken file are not all CalamineError
        raise ReadError("format", f"XLSX文件已损坏或无法解析：{exc}") from None


def _load_sheet(workbook: CalamineWorkbook, name: str, path: Path):
    """calamine parses a sheet's XML, whole, when it is first asked for: a sheet too large
    for memory is refused before, from the size its XML declares."""
    _check_sheet_size(path, name)
    try:
        return workbook.get_sheet_by_name(name)
    except Exception as exc:  # as above
        raise ReadError("format", f"XLSX文件中的工作表“{name}”已损坏或无法解析：{exc}") from None


def _close_workbook(workbook: CalamineWorkbook | None) -> None:
    if workbook is not None:
        try:
            workbook.close()
        except CalamineError:
            pass  # already closed


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb from the central directory, before anything is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ReadError("format", f"XLSX文件已损坏，不是有效的压缩包：{exc}") from None
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ReadError("zip_bomb", f"XLSX压缩包里有{len(entries)}个文件，超过了上限"
                                    f"{ZIP_MAX_ENTRIES}个，拒绝读取")
    total = sum(e.file_size for e in entries)
    if total > ZIP_MAX_TOTAL:
        raise ReadError("zip_bomb", f"XLSX解压后共{_size_text(total)}，超过了上限"
                                    f"{_size_text(ZIP_MAX_TOTAL)}，拒绝读取：文件可能是压缩炸弹；"
                                    "如确有这么多数据，请另存为“CSV UTF-8（逗号分隔）”后提交")
    for e in entries:
        if e.file_size > ZIP_LARGE_ENTRY and e.file_size > ZIP_MAX_RATIO * max(e.compress_size, 1):
            ratio = e.file_size // max(e.compress_size, 1)
            raise ReadError("zip_bomb", f"XLSX中的“{e.filename}”压缩比为{ratio}:1（解压后"
                                        f"{_size_text(e.file_size)}），超过了{ZIP_MAX_RATIO}:1的"
                                        "上限，拒绝读取（可能是压缩炸弹）")
    if "xl/workbook.xml" not in names:
        what = "Word文档" if "word/document.xml" in names else "普通压缩包"
        raise ReadError("format", f"文件是zip压缩格式，但不是XLSX（看起来是{what}）："
                                  "请提交Excel工作簿(.xlsx)")


def _choose_sheet(workbook: CalamineWorkbook, item: dict, path: Path):
    """The sheet named after the item (name or code), else the first with data (visible
    sheets first); a warning names the other sheets with data, which are not read."""
    sheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
    wanted = {normalise_header(item["name"]), normalise_header(item["code"])}
    for meta in sheets:
        if normalise_header(meta.name) in wanted:
            return _load_sheet(workbook, meta.name, path), []
    chosen, ignored = None, []
    for meta in sorted(sheets, key=lambda m: m.visible != SheetVisibleEnum.Visible):
        sheet = _load_sheet(workbook, meta.name, path)
        if sheet.start is None:
            continue
        if chosen is None:
            chosen = sheet
        else:
            ignored.append(meta.name)
    if chosen is None:
        raise ReadError("empty", "工作簿中没有任何含数据的工作表")
    if not ignored:
        return chosen, []
    listed = "、".join(f"“{n}”" for n in ignored)
    return chosen, [f"工作簿有{len(ignored) + 1}个含数据的工作表，且没有以“{item['name']}”或"
                    f"“{item['code']}”命名的：只读取了“{chosen.name}”，忽略了{listed}"]


class _XlsxSource:
    """One worksheet. calamine's `iter_rows` starts at worksheet row 1 and at the sheet's
    first used column (`first_column`)."""

    def __init__(self, workbook: CalamineWorkbook, sheet):
        self.workbook, self.sheet = workbook, sheet
        self.width = sheet.width
        self.first_column = sheet.start[1] if sheet.start else 0
        self.header_index = 0  # iter_rows index of the header row
        self.first_row = 1  # worksheet row number of iter_rows' first row

    def survey(self) -> tuple[list[str], _Survey]:
        """Find the header (the first row with a value) and count the rows below it."""
        survey, headers, named, seen = _Survey(), None, 0, 0
        for seen, row in enumerate(self.sheet.iter_rows(), start=1):
            empty = row.count("") == len(row)
            if headers is None:
                if not empty:
                    headers = [_cell_text(v) or "" for v in row]
                    named, self.header_index = _named_width(headers), seen - 1
                continue
            survey.records += 1
            survey.blank += empty
            if not empty and named < len(row):
                _count_unnamed(row, named, survey)
        if headers is None:
            raise ReadError("empty", f"工作表“{self.sheet.name}”是空的")
        self.first_row = self.sheet.end[0] + 2 - seen
        return headers, survey

    def frames(self) -> Iterator[pl.DataFrame]:
        rows, numbers = [], []
        for index, row in enumerate(self.sheet.iter_rows()):
            if index <= self.header_index:
                continue
            rows.append(row)
            numbers.append(self.first_row + index)
            if len(rows) == SOURCE_ROWS:
                yield _frame_from_rows(rows, numbers, self.width)
                rows, numbers = [], []
        if rows:
            yield _frame_from_rows(rows, numbers, self.width)

    def close(self) -> None:
        _close_workbook(self.workbook)


def _count_unnamed(row: list, named: int, survey: _Survey) -> None:
    for index in range(named, len(row)):
        if row[index] != "":
            survey.unnamed_values[index] = survey.unnamed_values.get(index, 0) + 1


def _frame_from_rows(rows: list[list], numbers: list[int], width: int) -> pl.DataFrame:
    columns = {ROW: pl.Series(ROW, numbers, dtype=pl.Int64)}
    for index in range(width):
        values = [r[index] if index < len(r) else "" for r in rows]
        columns[f"c{index}"] = pl.Series(
            [v if v.__class__ is str and v else _cell_text(v) for v in values], dtype=pl.String)
    return pl.DataFrame(columns)


def _cell_text(value) -> str | None:
    """An XLSX cell as text: integral numbers without ".0", no exponent, dates ISO."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _number_text(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _merged_warnings(sheet) -> list[str]:
    ranges = sheet.merged_cell_ranges or []
    if not ranges:
        return []
    shown = "、".join(_a1(start, end) for start, end in ranges[:5])
    more = f"等{len(ranges)}处" if len(ranges) > 5 else ""
    return [f"工作表“{sheet.name}”有合并单元格（{shown}{more}）：合并区域只有左上角单元格有值，"
            "其余单元格按空值读取"]


def _a1(start: tuple[int, int], end: tuple[int, int]) -> str:
    return (f"{column_label(start[1])}{start[0] + 1}:"
            f"{column_label(end[1])}{end[0] + 1}")


def _formula_warnings(path: Path, sheet_name: str) -> list[str]:
    """Count formula and error cells in the sheet's XML (calamine gives only values)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            if part is None:
                return []
            formulas, errors = _count_tags(archive, part)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return []
    notes = []
    if formulas:
        notes.append(f"工作表“{sheet_name}”有{formulas}个公式单元格：系统只读取文件中保存的计算结果，"
                     "不会重新计算公式")
    if errors:
        notes.append(f"工作表“{sheet_name}”有{errors}个错误值单元格（如#DIV/0!、#N/A）：按空值读取")
    return notes


def _check_sheet_size(path: Path, sheet_name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            size = _declared_size(archive, part) if part else None
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return  # calamine will say what is wrong
    if size and size[0] * size[1] > XLSX_MAX_CELLS:
        limit = f"{XLSX_MAX_CELLS // 10_000}万个单元格"
        raise ReadError("too_large", f"工作表“{sheet_name}”有{size[0]}行×{size[1]}列，超过了XLSX"
                                     f"可读取的上限（{limit}）：请在Excel中另存为“CSV UTF-8（逗号"
                                     "分隔）”后提交，CSV没有这个限制")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _declared_size(archive: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(rows, columns) from the sheet's <dimension ref="A1:AF100001"/>, if it has one."""
    with archive.open(part) as f:
        head = f.read(64 * 1024)
    match = _DIMENSION.search(head)
    if not match or not match[3]:
        return None
    rows = int(match[4]) - int(match[2]) + 1
    columns = _column_number(match[3]) - _column_number(match[1]) + 1
    return rows, columns


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - ord("A") + 1
    return number


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    ids = [s.get(f"{_REL_NS}id") for s in book.iter(f"{_MAIN_NS}sheet")
           if s.get("name") == sheet_name]
    if not ids:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        if rel.get("Id") == ids[0]:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _count_tags(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    patterns = (b"<f>", b"<f ", b' t="e"')
    counts = [0, 0, 0]
    tail = b""
    with archive.open(part) as f:
        while block := f.read(MIB):
            data = tail + block
            for i, pattern in enumerate(patterns):
                counts[i] += data.count(pattern) - tail.count(pattern)
            tail = data[-8:]
    return counts[0] + counts[1], counts[2]


# ---- JSON -------------------------------------------------------------------------------

class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _json_float(text: str) -> str:
    """A JSON number with a fraction or exponent, as written; "12.0" → "12"."""
    whole, dot, fraction = text.partition(".")
    if dot and fraction and set(fraction) == {"0"}:
        return whole
    return text


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


_DECODER = json.JSONDecoder(parse_float=_json_float, parse_int=str, parse_constant=str,
                            object_pairs_hook=_unique_pairs)
_NOT_SPACE = re.compile(r"\S")


class _JsonCursor:
    """Reads JSON values one at a time from a text file, holding little more than one."""

    def __init__(self, f):
        self.f = f
        self.buffer, self.pos, self.eof, self.line_base = "", 0, False, 1

    def _more(self) -> bool:
        if self.eof:
            return False
        text = self.f.read(JSON_BLOCK)
        if not text:
            self.eof = True
            return False
        if self.pos:
            self.line_base += self.buffer.count("\n", 0, self.pos)
            self.buffer, self.pos = self.buffer[self.pos:], 0
        self.buffer += text
        return True

    def peek(self) -> str:
        while True:
            match = _NOT_SPACE.search(self.buffer, self.pos)
            if match:
                self.pos = match.start()
                return self.buffer[self.pos]
            self.pos = len(self.buffer)
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"此处应为“{char}”")
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos < MAX_RECORD_BYTES and self._more():
                    continue
                raise self.error(f"无法解析（{exc.msg}）", exc.pos) from None
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next block
            self.pos = end
            return value

    def error(self, what: str, pos: int | None = None) -> ReadError:
        pos = self.pos if pos is None else pos
        line = self.line_base + self.buffer.count("\n", 0, pos)
        column = pos - (self.buffer.rfind("\n", 0, pos) + 1) + 1
        return ReadError("format", f"JSON格式错误：第{line}行第{column}列{what}")


def _json_rows(cursor: _JsonCursor) -> Iterator[tuple[int, object]]:
    """(1-based index, element) of a top-level array or of the "rows" array of an object."""
    first = cursor.peek()
    if first == "[":
        yield from _json_array(cursor)
    elif first == "{":
        yield from _json_object_rows(cursor)
    else:
        raise cursor.error("应为“[”或“{”")
    if cursor.peek():
        raise cursor.error("之后还有多余的内容")


def _json_array(cursor: _JsonCursor) -> Iterator[tuple[int, object]]:
    cursor.take("[")
    if cursor.peek() == "]":
        cursor.take("]")
        return
    index = 0
    while True:
        index += 1
        yield index, _json_row(cursor, index)
        if cursor.peek() == "]":
            cursor.take("]")
            return
        cursor.take(",")


def _json_row(cursor: _JsonCursor, index: int):
    try:
        return cursor.value()
    except _DuplicateKey as exc:
        raise ReadError("format", f"JSON第{index}条记录中键“{exc.key}”出现了不止一次") from None


def _json_object_rows(cursor: _JsonCursor) -> Iterator[tuple[int, object]]:
    cursor.take("{")
    found = False
    while cursor.peek() != "}":
        if cursor.peek() != '"':
            raise cursor.error("应为带英文双引号的键名")
        key = cursor.value()
        cursor.take(":")
        if key == "rows" and cursor.peek() == "[":
            found = True
            yield from _json_array(cursor)
        else:
            cursor.value()
        if cursor.peek() != "}":
            cursor.take(",")
    cursor.take("}")
    if not found:
        raise ReadError("format", "JSON对象中没有“rows”数组：请提交记录数组，或{\"rows\": [...]}")


def _json_values(index: int, row) -> dict[str, str | None]:
    """A row's values as text; ReadError unless it is an object of scalars."""
    if not isinstance(row, dict):
        kind = "数组" if isinstance(row, list) else "单个值"
        raise ReadError("format", f"JSON第{index}条记录是{kind}，不是对象：每条记录应为"
                                  "{\"表头\": 值, ...}")
    if set(map(type, row.values())) <= _PLAIN_TYPES and "" not in row.values():
        return row  # the common case: numbers are text already (_DECODER)
    values = {}
    for key, value in row.items():
        if isinstance(value, dict | list):
            kind = "对象" if isinstance(value, dict) else "数组"
            raise ReadError("format", f"JSON第{index}条记录的“{key}”是嵌套的{kind}：每个值只能"
                                      "是文本、数字、true/false或null")
        if isinstance(value, bool):
            value = "true" if value else "false"
        values[key] = value if value != "" else None
    return values


_PLAIN_TYPES = frozenset({str, type(None)})


class _JsonSource:
    """Rows of a JSON file; columns are the keys in order of first appearance."""

    first_column = 0

    def __init__(self, text: _Text):
        self.text = text
        self.keys: dict[str, int] = {}

    @property
    def width(self) -> int:
        return len(self.keys)

    def _rows(self) -> Iterator[tuple[int, dict]]:
        with self.text.path.open(encoding="utf-8-sig", newline="") as f:
            for index, row in _json_rows(_JsonCursor(f)):
                yield index, _json_values(index, row)

    def survey(self) -> _Survey:
        survey = _Survey()
        known: set[str] = set()
        for _, values in self._rows():
            survey.records += 1
            survey.blank += not any(values.values())
            if not known.issuperset(values):
                for key in values:
                    self.keys.setdefault(key, len(self.keys))
                known.update(values)
        return survey

    def frames(self) -> Iterator[pl.DataFrame]:
        rows: list[dict] = []
        numbers: list[int] = []
        for index, values in self._rows():
            rows.append(values)
            numbers.append(index)
            if len(rows) == SOURCE_ROWS:
                yield self._frame(rows, numbers)
                rows, numbers = [], []
        if rows:
            yield self._frame(rows, numbers)

    def _frame(self, rows: list[dict], numbers: list[int]) -> pl.DataFrame:
        columns = {ROW: pl.Series(ROW, numbers, dtype=pl.Int64)}
        for key, index in self.keys.items():
            columns[f"c{index}"] = pl.Series([r.get(key) for r in rows], dtype=pl.String)
        return pl.DataFrame(columns)

    def close(self) -> None:
        if self.text.temporary:
            self.text.path.unlink(missing_ok=True)


def _open_json(path: Path, item: dict) -> Table:
    text = _decode_text(path)
    source = _JsonSource(text)
    try:
        survey = source.survey()
    except BaseException:
        source.close()
        raise
    if survey.records == 0:
        source.close()
        raise ReadError("empty", "JSON中没有任何记录")
    return _table(item, "json", source, list(source.keys), survey, encoding=text.encoding)
