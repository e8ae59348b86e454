"""JSON (JSON文件): reading the records `json_stream` finds as a table. Each record must be
an object of scalars: its keys are the headers, and the columns are the keys in order of
first appearance across all records (a record may leave keys out). true/false become text,
"" and null are empty. `__row__` is the record's 1-based position in the array.
"""

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from .encoding import Text, decode_text
from .frames import frames_from_rows
from .json_stream import json_records
from .table import ReadError, Survey, Table, new_table


def open_json(path: Path, item: dict) -> Table:
    text = decode_text(path)
    source = JsonSource(text)
    try:
        survey = source.survey()
    except BaseException:
        source.close()
        raise
    if survey.records == 0:
        source.close()
        raise ReadError("empty", "JSON中没有任何记录")
    return new_table(item, "json", source, list(source.keys), survey, encoding=text.encoding)


class JsonSource:
    """Rows of a JSON file; columns are the keys in order of first appearance."""

    first_column = 0

    def __init__(self, text: Text):
        self.text = text
        self.keys: dict[str, int] = {}  # key → column index, filled by survey()

    @property
    def width(self) -> int:
        return len(self.keys)

    def survey(self) -> Survey:
        survey = Survey()
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
        yield from frames_from_rows(self._rows(), self._columns)

    def _rows(self) -> Iterator[tuple[int, dict]]:
        with self.text.path.open(encoding="utf-8-sig", newline="") as f:
            for index, record in json_records(f):
                yield index, _values(index, record)

    def _columns(self, rows: list[dict]) -> dict[str, pl.Series]:
        return {f"c{index}": pl.Series([r.get(key) for r in rows], dtype=pl.String)
                for key, index in self.keys.items()}

    def close(self) -> None:
        self.text.discard()


_PLAIN_TYPES = frozenset({str, type(None)})


def _values(index: int, record) -> dict[str, str | None]:
    """A record's values as text; ReadError unless it is an object of scalars."""
    if not isinstance(record, dict):
        kind = "数组" if isinstance(record, list) else "单个值"
        raise ReadError("format", f"JSON第{index}条记录是{kind}，不是对象：每条记录应为"
                                  "{\"表头\": 值, ...}")
    if set(map(type, record.values())) <= _PLAIN_TYPES and "" not in record.values():
        return record  # the common case: numbers are text already (json_stream keeps them so)
    values = {}
    for key, value in record.items():
        if isinstance(value, dict | list):
            kind = "对象" if isinstance(value, dict) else "数组"
            raise ReadError("format", f"JSON第{index}条记录的“{key}”是嵌套的{kind}：每个值只能"
                                      "是文本、数字、true/false或null")
        if isinstance(value, bool):
            value = "true" if value else "false"
        values[key] = value if value != "" else None
    return values
