"""Identifiers (标识码) of credit subjects: parsing, check characters, generators, batch checks.

* 统一社会信用代码 (USCC), GB 32100-2015: 18 characters, mod-31 check character.
* 组织机构代码 (organisation code), GB 11714-1997: 8 body characters + mod-11 check character.
* 公民身份号码 (resident ID), GB 11643-1999: 18 characters, mod-11 check; 15-digit numbers of
  GB 11643-1989 are upgraded to 18.

Every parser normalises its input (`text.normalize_code`) and raises `IdentifierError` and
nothing else, whatever it is given. Divisions (GB/T 2260, including abolished codes) come from
python-stdnum's `cn/loc` data.
"""

import re
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from numbers import Integral
from operator import mul

import numpy as np
from stdnum import numdb

from .text import normalize_code

__all__ = [
    "AUTHORITIES",
    "USCC_CHARSET",
    "USCC_PLACEHOLDER",
    "Identifier",
    "IdentifierError",
    "division_name",
    "make_org_code",
    "make_resident_id",
    "make_uscc",
    "org_code_check_char",
    "parse_any",
    "parse_org_code",
    "parse_resident_id",
    "parse_uscc",
    "resident_id_check_char",
    "subject_kind",
    "uscc_check_char",
    "validate_resident_id_array",
    "validate_uscc_array",
]

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # value = index; no I, O, S, V, Z
# 双公示 placeholder for a 个体工商户 without a USCC; its check character is wrong on purpose.
USCC_PLACEHOLDER = "00000000000000000X"

_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714 uses the full alphabet
_ORG_VALUE = {c: i for i, c in enumerate(_ORG_CHARSET)}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_RID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RID_CHECK = "10X98765432"  # indexed by the weighted sum mod 11
_DIGITS = frozenset("0123456789")

_USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
_RID_RE = re.compile(r"[0-9]{17}[0-9X]")

# GB 32100 registration authorities (登记管理部门) and their categories (机构类别), domain.md
# §1.1. Authority 9 registers market entities, which belong to the enterprise base database.
# Category 9 under authority 9 is not in the standard but appears in some code lists; it is
# accepted as 其他 and flagged in `non_standard`.
AUTHORITIES: dict[str, dict] = {
    "1": {"name": "机构编制", "base": "non_enterprise",
          "categories": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体",
                         "9": "其他"}},
    "2": {"name": "外交", "base": "non_enterprise",
          "categories": {"1": "外国常驻新闻机构", "9": "其他"}},
    "3": {"name": "司法行政", "base": "non_enterprise",
          "categories": {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所",
                         "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}},
    "4": {"name": "文化", "base": "non_enterprise",
          "categories": {"1": "外国在华文化中心", "9": "其他"}},
    "5": {"name": "民政", "base": "non_enterprise",
          "categories": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}},
    "6": {"name": "旅游", "base": "non_enterprise",
          "categories": {"1": "外国旅游部门常驻代表机构",
                         "2": "港澳台地区旅游部门常驻内地(大陆)代表机构", "9": "其他"}},
    "7": {"name": "宗教", "base": "non_enterprise",
          "categories": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}},
    "8": {"name": "工会", "base": "non_enterprise",
          "categories": {"1": "基层工会", "9": "其他"}},
    "9": {"name": "工商(市场监管)", "base": "enterprise",
          "categories": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社", "9": "其他"},
          "non_standard": ("9",)},
    "A": {"name": "中央军委改革和编制办公室", "base": "non_enterprise",
          "categories": {"1": "军队事业单位", "9": "其他"}},
    "N": {"name": "农业", "base": "non_enterprise",
          "categories": {"1": "组级集体经济组织", "2": "村级集体经济组织",
                         "3": "乡镇级集体经济组织", "9": "其他"}},
    "Y": {"name": "其他", "base": "non_enterprise", "categories": {"1": "其他"}},
}

# Address codes used by GB 11643 numbers that GB/T 2260 does not list: holders of the
# 港澳台居民居住证 (2018) from Taiwan get 830000 (810000 and 820000 are in GB/T 2260).
_DIVISION_SUPPLEMENT = {"830000": ("台湾", ((None, None, "台湾居民(居住证)"),))}


class IdentifierError(ValueError):
    """标识码错误 — an identifier that cannot be accepted.

    `message` says in English what is wrong and where; `position` is 1-based (None when the
    fault has no single place); `code` is a short machine code such as "length", "charset",
    "check_char", "org_check_char", "authority", "category", "date", "division" or "type".
    """

    def __init__(self, message: str, code: str = "invalid", position: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.position = position

    def __reduce__(self):
        return (type(self), (self.message, self.code, self.position))

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Identifier:
    """已校验标识码 — a valid identifier in canonical form, with its decoded parts."""

    kind: str  # "uscc" | "org_code" | "resident_id" | "uscc_placeholder"
    value: str
    parts: dict = field(default_factory=dict, hash=False)
    subject_base: str | None = None  # "enterprise" | "non_enterprise" | "person" | None
    subject_type: str | None = None

    def __str__(self) -> str:
        return self.value


# ---- divisions (行政区划, GB/T 2260) ------------------------------------------------------


@cache
def _divisions() -> dict[str, tuple[str, tuple]]:
    """Six-digit code -> (province, ((first year, last year, name), ...)) from stdnum."""
    table = {}
    for _, low, high, props, children in numdb.get("cn/loc").prefixes:
        for province_code in _span(low, high):
            for _, clow, chigh, cprops, _ in children:
                names = _periods(cprops.get("county", ""))
                for suffix in _span(clow, chigh):
                    table[province_code + suffix] = (props.get("province", ""), names)
    table.update(_DIVISION_SUPPLEMENT)
    return table


def _span(low: str, high: str) -> list[str]:
    return [f"{n:0{len(low)}d}" for n in range(int(low), int(high) + 1)]


def _periods(county: str) -> tuple:
    """'[1983-2012]四方区,[2017-]即墨区' -> ((1983, 2012, '四方区'), (2017, None, '即墨区'))."""
    periods = []
    for piece in filter(None, county.split(",")):
        if not piece.startswith("["):
            periods.append((None, None, piece))
            continue
        years, name = piece[1:].split("]", 1)
        first, last = years.split("-")
        periods.append((int(first) if first else None, int(last) if last else None, name))
    return tuple(periods)


def division_name(code: str, year: int | None = None) -> str | None:
    """行政区划名称 — name of a GB/T 2260 code: the one in use in `year` when there is one,
    else the latest; None for a code GB/T 2260 never had."""
    entry = _divisions().get(code) if isinstance(code, str) else None
    if not entry or not entry[1]:
        return None
    periods = entry[1]
    if year is not None:
        for first, last, name in periods:
            if (first is None or first <= year) and (last is None or year <= last):
                return name
    return periods[-1][2]  # listed oldest first


def _division_parts(code: str, year: int | None = None) -> dict:
    parts = {"division": code}
    name = division_name(code, year)
    if name:
        parts["division_name"] = name
        parts["province"] = _divisions()[code][0]
    return parts


# ---- error helpers ------------------------------------------------------------------------


def _show(ch: str) -> str:
    """A character for an ASCII message: quoted when printable ASCII, else its code point
    (U+4E2D)."""
    return repr(ch) if " " < ch < "\x7f" else f"U+{ord(ch):04X}"


def _prepare(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise IdentifierError(f"{what} must be a string, got {type(value).__name__}", "type")
    return normalize_code(value)


def _charset_error(code: str, allowed: Callable[[int], Container[str]], what: str,
                   rule: Callable[[int], str]) -> IdentifierError:
    """The error for the first character of `code` outside `allowed(index)`."""
    for i, ch in enumerate(code):
        if ch not in allowed(i):
            return IdentifierError(
                f"position {i + 1}: character {_show(ch)} is not allowed in {what} ({rule(i)})",
                "charset", i + 1)
    return IdentifierError(f"{what} has an invalid character", "charset")


def _check_error(position: int, expected: str, found: str, code: str = "check_char",
                 what: str = "check character") -> IdentifierError:
    return IdentifierError(
        f"position {position}: {what} should be {expected!r}, found {_show(found)}",
        code, position)


# ---- check characters ---------------------------------------------------------------------


def _uscc_check(first17: str) -> str:
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_CHARSET[-total % 31]


def _org_check(body8: str) -> str:
    total = sum(map(mul, map(_ORG_VALUE.__getitem__, body8), _ORG_WEIGHTS))
    remainder = -total % 11  # = 11 - total % 11, with 11 folded to 0
    return "X" if remainder == 10 else str(remainder)


def _rid_check(first17: str) -> str:
    # 13 ≡ 2 (mod 11), so reading the digits in base 13 gives Σ a_i·2^(17-i) mod 11 at C speed.
    return _RID_CHECK[2 * int(first17, 13) % 11]


def _require(value: object, length: int, allowed, what: str) -> str:
    """Exact-form argument check for the check-character functions and generators."""
    if not isinstance(value, str):
        raise IdentifierError(f"{what} must be a string, got {type(value).__name__}", "type")
    if len(value) != length:
        raise IdentifierError(f"{what} must have {length} characters, got {len(value)}",
                              "length")
    bad = next((i for i, c in enumerate(value) if c not in allowed), None)
    if bad is not None:
        raise IdentifierError(f"{what}: position {bad + 1}: character {_show(value[bad])} "
                              "is not allowed", "charset", bad + 1)
    return value


def uscc_check_char(first17: str) -> str:
    """USCC check character (校验码, position 18) of the first 17 characters."""
    return _uscc_check(_require(first17, 17, _USCC_VALUE, "USCC body"))


def org_code_check_char(body8: str) -> str:
    """Organisation code check character (校验码, position 9) of the 8 body characters."""
    return _org_check(_require(body8, 8, _ORG_VALUE, "organisation code body"))


def resident_id_check_char(first17: str) -> str:
    """Resident ID check character (校验码, position 18) of the first 17 digits."""
    return _rid_check(_require(first17, 17, _DIGITS, "resident ID body"))


# ---- registration authorities -------------------------------------------------------------


def subject_kind(authority: str, category: str) -> tuple[str, str]:
    """主体类型 — (base database, type name) of a USCC's first two characters.

    Authority 9 (market regulation) → ("enterprise", 企业 / 个体工商户 / 农民专业合作社);
    every other authority → ("non_enterprise", category name).
    """
    entry = AUTHORITIES.get(authority) if isinstance(authority, str) else None
    if entry is None:
        known = ", ".join(AUTHORITIES)
        raise IdentifierError(f"position 1: registration authority {_show_any(authority)} is "
                              f"unknown (known: {known})", "authority", 1)
    name = entry["categories"].get(category) if isinstance(category, str) else None
    if name is None:
        known = ", ".join(entry["categories"])
        raise IdentifierError(f"position 2: category {_show_any(category)} is unknown for "
                              f"registration authority {authority!r} (known: {known})",
                              "category", 2)
    return entry["base"], name


def _show_any(value: object) -> str:
    return _show(value) if isinstance(value, str) and len(value) == 1 else ascii(value)[:20]


# ---- parsers ------------------------------------------------------------------------------


def _uscc_allowed(i: int):
    return _DIGITS if 2 <= i <= 7 else _USCC_VALUE


def _uscc_rule(i: int) -> str:
    if 2 <= i <= 7:
        return "positions 3-8 are the division code: digits only"
    return "digits and A-Z except I, O, S, V, Z"


def parse_uscc(value: object) -> Identifier:
    """统一社会信用代码 — parse a USCC (GB 32100). The 双公示 placeholder
    `USCC_PLACEHOLDER` is accepted as kind "uscc_placeholder" (a 个体工商户 without a code)."""
    code = _prepare(value, "a USCC")
    if code == USCC_PLACEHOLDER:
        return Identifier("uscc_placeholder", code, {}, "enterprise", "个体工商户")
    if len(code) != 18:
        raise IdentifierError(f"a USCC has 18 characters, got {len(code)}", "length")
    if not _USCC_RE.fullmatch(code):
        raise _charset_error(code, _uscc_allowed, "a USCC", _uscc_rule)
    if code[17] != (expected := _uscc_check(code[:17])):
        raise _check_error(18, expected, code[17])
    if code[16] != (expected := _org_check(code[8:16])):
        raise _check_error(17, expected, code[16], "org_check_char",
                           "check character of the embedded organisation code")
    base, type_name = subject_kind(code[0], code[1])
    return Identifier("uscc", code, _uscc_parts(code), base, type_name)


def _uscc_parts(code: str) -> dict:
    authority = AUTHORITIES[code[0]]
    parts = {"authority": code[0], "authority_name": authority["name"],
             "category": code[1], "category_name": authority["categories"][code[1]]}
    if code[1] in authority.get("non_standard", ()):
        parts["category_non_standard"] = True
    parts.update(_division_parts(code[2:8]))
    parts["org_code"] = code[8:17]
    return parts


def parse_org_code(value: object) -> Identifier:
    """组织机构代码 — parse an organisation code (GB 11714), with or without the hyphen
    (12345678-8)."""
    code = _prepare(value, "an organisation code")
    if len(code) != 9:
        raise IdentifierError(f"an organisation code has 9 characters, got {len(code)}",
                              "length")
    body_allowed = _ORG_VALUE.keys()
    check_allowed = _DIGITS | {"X"}
    if any(c not in body_allowed for c in code[:8]) or code[8] not in check_allowed:
        raise _charset_error(code, lambda i: body_allowed if i < 8 else check_allowed,
                             "an organisation code",
                             lambda i: "digits and A-Z" if i < 8 else "check: digit or X")
    if code[8] != (expected := _org_check(code[:8])):
        raise _check_error(9, expected, code[8])
    return Identifier("org_code", code, {"body": code[:8], "check_char": code[8]})


def parse_resident_id(value: object, *, today: date | None = None) -> Identifier:
    """公民身份号码 — parse a resident ID (GB 11643); a 15-digit number (1989 edition) is
    upgraded to 18 digits. The birth date must be real, from 1900 on and not after `today`;
    the address code must be a GB/T 2260 code, current or abolished."""
    code = _prepare(value, "a resident ID")
    today = _today(today)
    full, legacy = _resident_id_18(code)
    birth = _birth_date(full[6:14], today, "7-12" if legacy else "7-14")
    if full[:6] not in _divisions():
        raise IdentifierError(f"positions 1-6: address code {full[:6]} is not a GB/T 2260 "
                              "division code (current or abolished)", "division", 1)
    return Identifier("resident_id", full, _rid_parts(full, birth, legacy), "person", None)


def _resident_id_18(code: str) -> tuple[str, bool]:
    """The 18-character form, checked for format and check character, and whether it was
    upgraded from 15 digits (which carry no check character)."""
    if len(code) == 15:
        if not (code.isascii() and code.isdigit()):
            raise _charset_error(code, lambda i: _DIGITS, "a 15-digit resident ID",
                                 lambda i: "digits only")
        full = code[:6] + "19" + code[6:]
        return full + _rid_check(full), True
    if len(code) != 18:
        raise IdentifierError(f"a resident ID has 18 characters (or 15 digits before 1999), "
                              f"got {len(code)}", "length")
    if not _RID_RE.fullmatch(code):
        raise _charset_error(code, lambda i: _DIGITS if i < 17 else _DIGITS | {"X"},
                             "a resident ID",
                             lambda i: "digits only" if i < 17 else "check: digit or X")
    if code[17] != (expected := _rid_check(code[:17])):
        raise _check_error(18, expected, code[17])
    return code, False


def _today(today: object) -> date:
    if today is None:
        return date.today()
    if isinstance(today, datetime):  # a datetime does not compare with a date
        return today.date()
    if isinstance(today, date):
        return today
    raise IdentifierError(f"today must be a date, got {type(today).__name__}", "type")


def _birth_date(digits: str, today: date, span: str) -> date:
    """The birth date of YYYYMMDD `digits`, found at positions `span` of the input."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdentifierError(f"positions {span}: {digits} is not a real date (YYYYMMDD)",
                              "date", 7) from None
    if birth.year < 1900:
        raise IdentifierError(f"positions {span}: birth year {birth.year} is before 1900",
                              "date", 7)
    if birth > today:
        raise IdentifierError(f"positions {span}: birth date {birth.isoformat()} is after "
                              f"{today.isoformat()}", "date", 7)
    return birth


def _rid_parts(code: str, birth: date, legacy: bool) -> dict:
    parts = _division_parts(code[:6], birth.year)
    sequence = int(code[14:17])
    parts.update(birth_date=birth, gender="male" if sequence % 2 else "female",
                 sequence=sequence, legacy_15=legacy)
    return parts


def parse_any(value: object) -> Identifier:
    """Parse whichever identifier `value` is shaped like: 18 characters → resident ID when the
    first 17 are digits (tried first, so an ambiguous number is treated as personal data) or
    USCC; 15 digits → resident ID; 9 → organisation code."""
    code = _prepare(value, "an identifier")
    candidates = _candidates(code)
    if not candidates:
        raise IdentifierError(
            f"{_count(code)} fit no identifier: tried USCC (18), resident ID (18 or 15 "
            "digits) and organisation code (9)", "length")
    errors = []
    for what, parse in candidates:
        try:
            return parse(code)
        except IdentifierError as exc:
            errors.append((what, exc))
    raise _combined(errors)


def _count(code: str) -> str:
    return "1 character" if len(code) == 1 else f"{len(code)} characters"


def _candidates(code: str) -> list:
    if code == USCC_PLACEHOLDER:
        return [("USCC", parse_uscc)]
    if len(code) == 18:
        person = [("resident ID", parse_resident_id)] if code[:17].isascii() \
            and code[:17].isdigit() else []
        return [*person, ("USCC", parse_uscc)]
    if len(code) == 15:
        return [("resident ID", parse_resident_id)]
    if len(code) == 9:
        return [("organisation code", parse_org_code)]
    return []


def _combined(errors: list) -> IdentifierError:
    """One error for all shapes tried; code and position of the most specific failure."""
    shallow = ("length", "charset")
    main = next((e for _, e in errors if e.code not in shallow), errors[0][1])
    text = "; ".join(f"not a valid {what}: {exc.message}" for what, exc in errors)
    return IdentifierError(text, main.code, main.position)


# ---- generators (synthetic data) ----------------------------------------------------------


def make_org_code(body8: str) -> str:
    """The 9-character organisation code (组织机构代码) for an 8-character body."""
    return body8 + org_code_check_char(body8)


def make_uscc(authority: str, category: str, division: str, body8: str) -> str:
    """A valid USCC: authority and category from `AUTHORITIES`, 6-digit division, a body in
    the USCC charset; the organisation check character and the USCC one are computed."""
    subject_kind(authority, category)
    _require(division, 6, _DIGITS, "division")
    _require(body8, 8, _USCC_VALUE, "USCC organisation body")
    first17 = authority + category + division + body8 + _org_check(body8)
    return first17 + _uscc_check(first17)


def make_resident_id(division: str, birth: date, sequence: int) -> str:
    """A valid 18-digit resident ID: GB/T 2260 division, birth date from 1900 on, sequence
    0..999 (odd male, even female)."""
    if not isinstance(division, str) or division not in _divisions():
        raise IdentifierError(f"division {ascii(division)[:20]} is not a GB/T 2260 code",
                              "division", 1)
    if not isinstance(birth, date) or not 1900 <= birth.year <= 9999:
        raise IdentifierError(f"birth must be a date from 1900 on, got {ascii(birth)[:40]}",
                              "date", 7)
    if not isinstance(sequence, Integral) or not 0 <= sequence <= 999:
        raise IdentifierError(f"sequence must be an int 0..999, got {ascii(sequence)[:20]}",
                              "sequence", 15)
    first17 = f"{division}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    return first17 + _rid_check(first17)


# ---- batch validation (columns) -----------------------------------------------------------


def _lookup(alphabet: str, extra: dict | None = None) -> np.ndarray:
    """Code point (clipped to 127) -> value, -1 for characters outside `alphabet`."""
    table = np.full(128, -1, dtype=np.int8)
    for value, ch in enumerate(alphabet):
        table[ord(ch)] = value
    for ch, value in (extra or {}).items():
        table[ord(ch)] = value
    return table


_USCC_LUT = _lookup(USCC_CHARSET)
_ORG_LUT = _lookup("0123456789", {"X": 10})  # check character of the embedded org code
_ORG_BODY_LUT = _lookup(_ORG_CHARSET)
_DIGIT_LUT = _lookup("0123456789")
_RID_LAST_LUT = _lookup("0123456789", {"X": 10})
_PLACEHOLDER_POINTS = np.frombuffer(USCC_PLACEHOLDER.encode("utf-32-le"), dtype=np.uint32)


def _pair_table() -> np.ndarray:
    """[authority value, category value] -> whether the pair is in `AUTHORITIES` (built per
    call, ~40 entries, so an entry added to the table counts at once)."""
    table = np.zeros((31, 31), dtype=bool)
    for authority, entry in AUTHORITIES.items():
        for category in entry["categories"]:
            table[_USCC_VALUE[authority], _USCC_VALUE[category]] = True
    return table


def _code_points(codes, width: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """(n, width) code points of each value's first `width` characters, whether the value is
    a str of exactly `width` characters, and the input's shape."""
    # Width + 1 characters are enough to tell "exactly width" from "longer", and keep one
    # huge string from widening the whole array.
    fixed = f"U{width + 1}"
    if isinstance(codes, str) or hasattr(codes, "__array__"):  # numpy, pandas, polars
        arr = np.asarray(codes)
    else:
        arr = _object_array(codes, fixed)
    shape = arr.shape
    flat = arr.reshape(-1)
    if flat.dtype.kind in "OT":
        is_code = np.fromiter(map(_plain_str, flat), bool, count=flat.size)
        flat = np.where(is_code, flat, "").astype(fixed)
    elif flat.dtype.kind != "U":  # numbers and bytes are not codes
        flat = np.zeros(flat.size, dtype=fixed)
    points = flat.view(np.uint32).reshape(flat.size, flat.dtype.itemsize // 4)
    if points.shape[1] < width:
        return np.zeros((flat.size, width), np.uint32), np.zeros(flat.size, bool), shape
    exact = points[:, width - 1] != 0
    if points.shape[1] > width:
        exact &= points[:, width] == 0
    return points[:, :width], exact, shape


def _plain_str(item: object) -> bool:
    # numpy drops trailing NULs when storing strings, so a NUL anywhere rules a value out
    # here, as the parsers would.
    return isinstance(item, str) and "\0" not in item


def _object_array(codes, fixed: str) -> np.ndarray:
    """An array that keeps non-str items as they are (np.asarray would turn 1 into '1')."""
    try:
        items = codes if isinstance(codes, list | tuple) else list(codes)
    except TypeError:
        raise IdentifierError(f"expected a sequence of codes, got {type(codes).__name__}",
                              "type") from None
    if all(type(c) is str and "\0" not in c for c in items):
        return np.array(items, dtype=fixed)
    return np.fromiter(items, dtype=object, count=len(items))


def _values(points: np.ndarray, table: np.ndarray) -> np.ndarray:
    return table[np.minimum(points, 127)]


def validate_uscc_array(codes) -> np.ndarray:
    """统一社会信用代码批量校验 — one bool per code, as `parse_uscc` would decide for a value
    already in canonical form (see `text.normalize_code`): charset, digits in positions 3-8,
    check character, embedded organisation check character, authority/category pair; the
    placeholder counts as valid (compare with `USCC_PLACEHOLDER` to single it out). Lower
    case, spaces or full-width characters give False, and so do non-str items."""
    points, exact, shape = _code_points(codes, 18)
    placeholder = exact & (points == _PLACEHOLDER_POINTS).all(axis=1)
    v = _values(points, _USCC_LUT)
    ok = exact & (v >= 0).all(axis=1) & (v[:, 2:8] < 10).all(axis=1)
    # Sums stay below 2^24, so float32 matrix products (BLAS) are exact.
    total = (v[:, :17].astype(np.float32) @ np.array(_USCC_WEIGHTS, np.float32)).astype(int)
    ok &= (-total % 31) == v[:, 17]
    body = _values(points[:, 8:16], _ORG_BODY_LUT).astype(np.float32)
    org_total = (body @ np.array(_ORG_WEIGHTS, np.float32)).astype(int)
    ok &= (-org_total % 11) == _values(points[:, 16], _ORG_LUT)
    ok &= _pair_table()[v[:, 0].clip(0), v[:, 1].clip(0)]
    return (ok | placeholder).reshape(shape)


def validate_resident_id_array(ids) -> np.ndarray:
    """公民身份号码批量校验 — one bool per value: format and check character ONLY (17 digits +
    digit or upper-case X, mod-11 check). Birth date and division are not checked, and
    15-digit numbers give False: use `parse_resident_id` for those. Values must be in
    canonical form (see `text.normalize_code`); non-str items give False."""
    points, ok, shape = _code_points(ids, 18)
    digits = _values(points[:, :17], _DIGIT_LUT)
    last = _values(points[:, 17], _RID_LAST_LUT)
    ok &= (digits >= 0).all(axis=1) & (last >= 0)
    total = (digits.astype(np.float32) @ np.array(_RID_WEIGHTS, np.float32)).astype(int)
    ok &= (12 - total % 11) % 11 == last
    return ok.reshape(shape)
