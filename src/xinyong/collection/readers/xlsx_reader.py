"""XLSX (Excel工作簿): reading one worksheet through calamine. The sheet read is the one named
after the item (name or code), else the first with data, visible sheets first; the header
is its first row with a value. calamine holds the sheet whole while the table is open, which
is why `xlsx_zip` checks its declared size first. Cells become text: integral numbers
without ".0", no exponent, dates ISO; a formula gives the value Excel saved with it. Only
the top-left cell of a merged range has the value. `__row__` is the worksheet row number.
"""

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ..headers import column_label, normalise_header
from .frames import frames_from_rows
from .table import ReadError, Survey, Table, named_width, new_table
from .xlsx_zip import check_sheet_size, check_zip, formula_warnings


def open_xlsx(path: Path, item: dict) -> Table:
    check_zip(path)
    workbook = _load_workbook(path)
    try:
        sheet, notes = _choose_sheet(workbook, item, path)
        source = XlsxSource(workbook, sheet)
        headers, survey = source.survey()
    except BaseException:
        _close_workbook(workbook)
        raise
    notes += _merged_warnings(sheet) + formula_warnings(path, sheet.name)
    return new_table(item, "xlsx", source, headers, survey, sheet=sheet.name, warnings=notes,
                     where=f"工作表“{sheet.name}”：")


def _load_workbook(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's errors on a broken file are not all CalamineError
        raise ReadError("format", f"XLSX文件已损坏或无法解析：{exc}") from None


def _load_sheet(workbook: CalamineWorkbook, name: str, path: Path):
    """calamine parses a sheet's XML, whole, when it is first asked for: a sheet too large
    for memory is refused before, from the size its XML declares."""
    check_sheet_size(path, name)
    try:
        return workbook.get_sheet_by_name(name)
    except Exception as exc:  # as above
        raise ReadError("format", f"XLSX文件中的工作表“{name}”已损坏或无法解析：{exc}") from None


def _close_workbook(workbook: CalamineWorkbook) -> None:
    try:
        workbook.close()
    except CalamineError:
        pass  # already closed


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


class XlsxSource:
    """One worksheet. calamine's `iter_rows` starts at worksheet row 1 and at the sheet's
    first used column (`first_column`)."""

    def __init__(self, workbook: CalamineWorkbook, sheet):
        self.workbook, self.sheet = workbook, sheet
        self.width = sheet.width
        self.first_column = sheet.start[1] if sheet.start else 0
        self.header_index = 0  # iter_rows index of the header row
        self.first_row = 1  # worksheet row number of iter_rows' first row

    def survey(self) -> tuple[list[str], Survey]:
        """Find the header (the first row with a value) and count the rows below it."""
        survey, headers, named, seen = Survey(), None, 0, 0
        for seen, row in enumerate(self.sheet.iter_rows(), start=1):
            empty = row.count("") == len(row)
            if headers is None:
                if not empty:
                    headers = [_cell_text(v) or "" for v in row]
                    named, self.header_index = named_width(headers), seen - 1
                continue
            survey.records += 1
            survey.blank += empty
            if not empty and named < len(row):
                for index in range(named, len(row)):
                    if row[index] != "":
                        survey.unnamed_values[index] += 1
        if headers is None:
            raise ReadError("empty", f"工作表“{self.sheet.name}”是空的")
        self.first_row = self.sheet.end[0] + 2 - seen
        return headers, survey

    def frames(self) -> Iterator[pl.DataFrame]:
        rows = enumerate(self.sheet.iter_rows())
        yield from frames_from_rows(((self.first_row + index, row) for index, row in rows
                                     if index > self.header_index), self._columns)

    def _columns(self, rows: list[list]) -> dict[str, pl.Series]:
        columns = {}
        for index in range(self.width):
            values = [r[index] if index < len(r) else "" for r in rows]
            # Most cells are non-empty text: they skip the call.
            columns[f"c{index}"] = pl.Series(
                [v if v.__class__ is str and v else _cell_text(v) for v in values], dtype=pl.String)
        return columns

    def close(self) -> None:
        _close_workbook(self.workbook)


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
    return str(value)  # int, timedelta


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
