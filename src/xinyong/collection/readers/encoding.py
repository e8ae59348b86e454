"""Encoding (文件编码): turning a text file (CSV or JSON) into one known to be UTF-8. The
encoding is found by strict decoding — UTF-8 with or without BOM, else GB18030 (a superset
of GBK and GB2312), which is transcoded to a temporary UTF-8 file in steps of DECODE_BLOCK
bytes. UTF-16 is refused, and a file that is neither is refused with a message naming the
line, position and bytes where each decoding failed.
"""

import codecs
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import limits
from .table import ReadError

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_LEADS = bytes(range(0xC2, 0xF5))


@dataclass
class Text:
    """A text file known to be UTF-8: the original, or a transcoded temporary copy."""

    path: Path
    encoding: str
    start: int  # bytes to skip (a UTF-8 BOM)
    temporary: bool

    def discard(self) -> None:
        """Remove the temporary copy, if this is one (twice is fine)."""
        if self.temporary:
            self.path.unlink(missing_ok=True)


def decode_text(path: Path) -> Text:
    """The file as UTF-8 text: itself if it is UTF-8, else a GB18030 transcoding."""
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(_UTF16_BOMS):
        raise ReadError("encoding", "文件是UTF-16编码（Excel的“Unicode文本”格式），无法读取："
                                    "请在Excel中另存为“CSV UTF-8（逗号分隔）”后重新提交")
    bom = head.startswith(codecs.BOM_UTF8)
    failure = _check_utf8(path)
    if failure is None:
        return Text(path, "utf-8-sig" if bom else "utf-8", 3 if bom else 0, temporary=False)
    offset, evidence = failure
    # Enough valid multi-byte characters before the bad byte: UTF-8 damaged, not GBK.
    if bom or evidence >= limits.UTF8_EVIDENCE:
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
            block = f.read(limits.DECODE_BLOCK)
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                before = exc.object[:exc.start]
                evidence += len(before) - len(before.translate(None, _UTF8_LEADS))
                return position - (len(exc.object) - len(block)) + exc.start, evidence
            if not block:
                return None
            if evidence < limits.UTF8_EVIDENCE:
                evidence += len(block) - len(block.translate(None, _UTF8_LEADS))
            position += len(block)


def _transcode_gb18030(path: Path, utf8_offset: int) -> Text:
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    handle, name = tempfile.mkstemp(prefix="xinyong-read-", suffix=".csv")
    position = 0
    try:
        with path.open("rb") as src, os.fdopen(handle, "wb") as out:
            while True:
                block = src.read(limits.DECODE_BLOCK)
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
    return Text(Path(name), "gb18030", 0, temporary=True)


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
            block = f.read(min(limits.DECODE_BLOCK, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
        shown = " ".join(f"0x{b:02X}" for b in f.read(2))
    return f"第{lines}行（第{offset + 1}个字节，{shown}）"
