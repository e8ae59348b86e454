"""Detecting the format (格式识别): `open_table` refuses files over the size limit or empty,
decides from the content — with the extension as a hint — whether a file is CSV, XLSX or
JSON, and hands it to that format's reader. Files of other kinds (old .xls, PDF, archives)
are refused with a message saying what they are and what to submit instead.
"""

import codecs
from pathlib import Path

from . import limits
from .csv_reader import open_csv
from .json_reader import open_json
from .limits import size_text
from .table import ReadError, Table
from .xlsx_reader import open_xlsx

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json"}
_OPENERS = {"csv": open_csv, "xlsx": open_xlsx, "json": open_json}
_FOREIGN_MAGIC = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "这是旧版Excel（.xls）文件或设置了打开密码的Excel文件，"
     "请另存为不加密的.xlsx或“CSV UTF-8”后重新提交"),
    (b"%PDF", "这是PDF文件，请提交CSV、XLSX或JSON文件"),
    (b"\x1f\x8b", "这是gzip压缩文件，请解压后提交CSV、XLSX或JSON文件"),
    (b"Rar!", "这是RAR压缩文件，请解压后提交CSV、XLSX或JSON文件"),
    (b"7z\xbc\xaf\x27\x1c", "这是7z压缩文件，请解压后提交CSV、XLSX或JSON文件"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def open_table(path, item: dict, *, filename: str | None = None,
               max_bytes: int = limits.DEFAULT_MAX_BYTES) -> Table:
    """Open a department's file for catalog item `item` (a dict from
    `xinyong.catalog.loader.parse_catalog(...).catalog.items`). `filename` is the name the
    file was uploaded under (its extension is a hint; the content decides)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError("too_large", f"文件大小为{size_text(size)}，超过了上限"
                                     f"{size_text(max_bytes)}：请拆分成几个较小的文件分别提交")
    if size == 0:
        raise ReadError("empty", "文件是空的（0字节）")
    kind = _sniff(path, Path(filename or path.name).suffix.lower(), strict=filename is not None)
    return _OPENERS[kind](path, item)


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
    if head.startswith(_ZIP_MAGIC):
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
