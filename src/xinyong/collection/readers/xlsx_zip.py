"""XLSX as a zip archive (XLSX压缩包检查): what we learn by opening the archive ourselves,
before or besides calamine. The central directory is checked for zip bombs before anything
is decompressed; a sheet's declared size (its <dimension> element) is checked against
XLSX_MAX_CELLS before calamine loads the sheet whole; and formula and error cells are counted
in the sheet's XML, since calamine gives only the values.
"""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from . import limits
from .limits import size_text
from .table import ReadError

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_PART_ERRORS = (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError)


def check_zip(path: Path) -> None:
    """Refuse a zip bomb from the central directory, before anything is decompressed, and a
    zip that is not a workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ReadError("format", f"XLSX文件已损坏，不是有效的压缩包：{exc}") from None
    if len(entries) > limits.ZIP_MAX_ENTRIES:
        raise ReadError("zip_bomb", f"XLSX压缩包里有{len(entries)}个文件，超过了上限"
                                    f"{limits.ZIP_MAX_ENTRIES}个，拒绝读取")
    total = sum(e.file_size for e in entries)
    if total > limits.ZIP_MAX_TOTAL:
        raise ReadError("zip_bomb", f"XLSX解压后共{size_text(total)}，超过了上限"
                                    f"{size_text(limits.ZIP_MAX_TOTAL)}，拒绝读取：文件可能是压缩"
                                    "炸弹；如确有这么多数据，请另存为“CSV UTF-8（逗号分隔）”后提交")
    for e in entries:
        compressed = max(e.compress_size, 1)
        if e.file_size > limits.ZIP_LARGE_ENTRY and e.file_size > limits.ZIP_MAX_RATIO * compressed:
            ratio = e.file_size // compressed
            raise ReadError("zip_bomb", f"XLSX中的“{e.filename}”压缩比为{ratio}:1（解压后"
                                        f"{size_text(e.file_size)}），超过了{limits.ZIP_MAX_RATIO}"
                                        ":1的上限，拒绝读取（可能是压缩炸弹）")
    if "xl/workbook.xml" not in names:
        what = "Word文档" if "word/document.xml" in names else "普通压缩包"
        raise ReadError("format", f"文件是zip压缩格式，但不是XLSX（看起来是{what}）："
                                  "请提交Excel工作簿(.xlsx)")


def check_sheet_size(path: Path, sheet_name: str) -> None:
    """ReadError when the sheet declares more than XLSX_MAX_CELLS cells."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            size = _declared_size(archive, part) if part else None
    except _PART_ERRORS:
        return  # calamine will say what is wrong
    if size and size[0] * size[1] > limits.XLSX_MAX_CELLS:
        limit = f"{limits.XLSX_MAX_CELLS // 10_000}万个单元格"
        raise ReadError("too_large", f"工作表“{sheet_name}”有{size[0]}行×{size[1]}列，超过了XLSX"
                                     f"可读取的上限（{limit}）：请在Excel中另存为“CSV UTF-8（逗号"
                                     "分隔）”后提交，CSV没有这个限制")


def formula_warnings(path: Path, sheet_name: str) -> list[str]:
    """Warnings about formula and error cells in the sheet (none if its XML is unreadable)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet_name)
            if part is None:
                return []
            formulas, errors = _count_tags(archive, part)
    except _PART_ERRORS:
        return []
    notes = []
    if formulas:
        notes.append(f"工作表“{sheet_name}”有{formulas}个公式单元格：系统只读取文件中保存的计算结果，"
                     "不会重新计算公式")
    if errors:
        notes.append(f"工作表“{sheet_name}”有{errors}个错误值单元格（如#DIV/0!、#N/A）：按空值读取")
    return notes


def _sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    """The archive path of the sheet's XML ("xl/worksheets/sheet1.xml"), from the workbook
    and its relationships."""
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


def _count_tags(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(formula cells, error cells) of a sheet, counted in its XML read a MiB at a time."""
    patterns = (b"<f>", b"<f ", b' t="e"')
    counts = [0, 0, 0]
    tail = b""  # the end of the previous block, so a tag cut in two is counted once
    with archive.open(part) as f:
        while block := f.read(limits.MIB):
            data = tail + block
            for i, pattern in enumerate(patterns):
                counts[i] += data.count(pattern) - tail.count(pattern)
            tail = data[-8:]
    return counts[0] + counts[1], counts[2]
