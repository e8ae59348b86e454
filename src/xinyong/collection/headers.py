"""Header mapping (表头识别): which source column holds which catalog field.

A department's file names its columns as it likes. A column is accepted when its header,
normalised, equals the normalised field `name` (Chinese), the field `code`, or one of the
field's `aliases`. Normalising makes the match tolerant of full-width characters, spaces
(including U+3000 and zero-width characters), a byte-order mark, Latin case, bracket
variants and the `*` that templates put on required columns.
"""

import unicodedata
from dataclasses import dataclass, field

from xinyong.core.text import normalize_name

__all__ = ["HeaderMap", "column_label", "map_headers", "normalise_header"]

_REQUIRED_MARKS = "*"


@dataclass
class HeaderMap:
    """The result of matching a file's header row against one catalog item."""

    columns: dict[int, str] = field(default_factory=dict)  # source column index → field code
    unknown: list[str] = field(default_factory=list)  # headers no field claims (a warning)
    duplicates: list[str] = field(default_factory=list)  # headers claiming a taken field
    missing_required: list[str] = field(default_factory=list)  # codes of absent required fields
    errors: list[str] = field(default_factory=list)  # Chinese messages, one per problem

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_header(text: str) -> str:
    """Matching key of a header: NFKC (full-width → half-width, （）→ ()), every bracket
    variant as ( ), no whitespace or zero-width characters, no BOM, Latin case-folded, no
    leading or trailing `*` (the required-column mark of many templates). Idempotent."""
    key = normalize_name(unicodedata.normalize("NFKC", str(text)))
    # Again after dropping spaces: NFKC turns e.g. U+00B8 into a space and a combining mark,
    # which composes with the letter before once the space is gone.
    return unicodedata.normalize("NFKC", key).strip(_REQUIRED_MARKS)


def column_label(index: int) -> str:
    """Spreadsheet letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def map_headers(headers: list[str], item: dict, *, first_column: int = 0) -> HeaderMap:
    """Match `headers` (in source order) against the fields of `item` (a catalog item dict
    as `xinyong.catalog.loader.parse_catalog` produces it). `first_column` is the 0-based
    worksheet column of `headers[0]`, used only to name columns in messages."""
    lookup = _lookup(item["fields"])
    names = {f["code"]: f["name"] for f in item["fields"]}
    result = HeaderMap()
    taken: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = normalise_header(header) if header is not None else ""
        if not key:
            result.errors.append(f"第{_where(index, first_column)}的表头为空：每一列都需要表头")
            continue
        code = lookup.get(key)
        if code is None:
            result.unknown.append(str(header).strip())
        elif code in taken:
            first = taken[code]
            result.duplicates.append(str(header).strip())
            result.errors.append(
                f"第{_where(index, first_column)}的表头“{str(header).strip()}”与"
                f"第{_where(first, first_column)}的表头"
                f"“{str(headers[first]).strip()}”对应同一字段“{names[code]}”（{code}），"
                f"请只保留一列")
        else:
            taken[code] = index
            result.columns[index] = code
    for f in item["fields"]:
        if f["required"] is True and f["code"] not in taken:
            result.missing_required.append(f["code"])
            result.errors.append(f"缺少必填列“{f['name']}”（{f['code']}）")
    return result


def _lookup(fields: list[dict]) -> dict[str, str]:
    """Normalised header → field code. Codes and names win over aliases, so an alias can
    never take a column that names another field exactly."""
    lookup: dict[str, str] = {}
    for f in fields:
        for text in (f["code"], f["name"]):
            lookup.setdefault(normalise_header(text), f["code"])
    for f in fields:
        for alias in f.get("aliases") or ():
            lookup.setdefault(normalise_header(alias), f["code"])
    return lookup


def _where(index: int, first_column: int) -> str:
    return f"{index + 1}列（{column_label(first_column + index)}列）"
