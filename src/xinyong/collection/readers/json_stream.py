"""Streaming JSON (JSON逐条解析): the records of a JSON file, parsed one at a time so that
memory holds little more than one record however long the file is. The records are the
elements of a top-level array, or of the "rows" array of a top-level object. Numbers are
kept as written (text, "12.0" → "12"), a key repeated within a record is an error, and
syntax errors name the line and column.
"""

import json
import re
from collections.abc import Iterator
from typing import TextIO

from . import limits
from .table import ReadError


def json_records(f: TextIO) -> Iterator[tuple[int, object]]:
    """(1-based index, element) of a top-level array or of the "rows" array of an object."""
    cursor = _Cursor(f)
    first = cursor.peek()
    if first == "[":
        yield from _array(cursor)
    elif first == "{":
        yield from _rows_of_object(cursor)
    else:
        raise cursor.error("应为“[”或“{”")
    if cursor.peek():
        raise cursor.error("之后还有多余的内容")


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


class _Cursor:
    """Reads JSON values one at a time from a text file, holding little more than one."""

    def __init__(self, f: TextIO):
        self.f = f
        self.buffer, self.pos, self.eof, self.line_base = "", 0, False, 1

    def _more(self) -> bool:
        if self.eof:
            return False
        text = self.f.read(limits.JSON_BLOCK)
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
                if len(self.buffer) - self.pos < limits.MAX_RECORD_BYTES and self._more():
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


def _array(cursor: _Cursor) -> Iterator[tuple[int, object]]:
    cursor.take("[")
    if cursor.peek() == "]":
        cursor.take("]")
        return
    index = 0
    while True:
        index += 1
        yield index, _record(cursor, index)
        if cursor.peek() == "]":
            cursor.take("]")
            return
        cursor.take(",")


def _record(cursor: _Cursor, index: int):
    try:
        return cursor.value()
    except _DuplicateKey as exc:
        raise ReadError("format", f"JSON第{index}条记录中键“{exc.key}”出现了不止一次") from None


def _rows_of_object(cursor: _Cursor) -> Iterator[tuple[int, object]]:
    cursor.take("{")
    found = False
    while cursor.peek() != "}":
        if cursor.peek() != '"':
            raise cursor.error("应为带英文双引号的键名")
        key = cursor.value()
        cursor.take(":")
        if key == "rows" and cursor.peek() == "[":
            found = True
            yield from _array(cursor)
        else:
            cursor.value()
        if cursor.peek() != "}":
            cursor.take(",")
    cursor.take("}")
    if not found:
        raise ReadError("format", "JSON对象中没有“rows”数组：请提交记录数组，或{\"rows\": [...]}")
