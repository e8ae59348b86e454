"""Validation (校验) of collected rows against their catalog item, vectorised with polars.

`validate(frame, item, today=...)` takes one batch of a department file as read (one Utf8
column per field code, values stripped, empty → null; `__row__` the source row number) and
returns it with every field column in its canonical form plus two columns, `__errors__` and
`__warnings__`, each a list of `{field, code, message}` structs (empty when there is nothing
to say). A row is valid iff `__errors__` is empty. Messages are Chinese and quote the value
found (cut to 50 characters with "…"; control characters shown as `[U+XXXX]`).

Every rule comes from the catalog item (required / conditional fields, types, values,
lengths, scales, identifier schemes, `long_term`, `not_before`), plus a few generic rules:
the decision date is not after `today` nor before 1949-10-01, the validity end is not before
the decision date, and rows repeating an earlier row's business key are duplicates.

Canonical forms (a value that fails its type check is kept as found):

* string, text — as found (the reader strips them); blank → null.
* integer — plain digits, optional "-", no leading zeros ("1,234" and "12.0" accepted).
* decimal — plain decimal without exponent, no leading or trailing zeros ("0.2", "12",
  "1,234.50" → "1234.5"); at most `scale` decimals (trailing zeros do not count); the field's
  `unit` may follow the number ("0.2万元"). Integers and decimals are never negative: every
  quantity in a credit catalog (amounts, years, counts) is, so "-1" is an error ("-0" is 0).
* enum — the value itself; `legacy_values` are accepted and kept as they are (the catalog has
  no mapping from legacy to current values). When the values include "其他", a value written
  "其他-名称" (also "其他：名称", "其他（名称）") is accepted as "其他" and kept as written.
* multi_enum — the distinct values in catalog order (`values`, then `legacy_values`), joined
  with ";" (the catalog's separator). Source values may be separated by , ， 、 ; ；; a
  catalog value that itself contains a separator (e.g. the legacy "没收违法所得、没收非法财物")
  is recognised whole.
* date — "YYYY-MM-DD". Accepted: YYYY/MM/DD, YYYY-MM-DD, YYYY.MM.DD (one-digit month and day
  too, an optional time after the date), YYYYMMDD, YYYY年M月D日, full-width digits, Excel
  serial numbers 1..2958465 of the 1900 date system (60, Excel's fictitious 1900-02-29, is
  rejected; a fraction is a time of day and dropped; a serial read as a date before
  1949-10-01, e.g. a bare year "2024", gets the warning "serial_date") and, for `long_term`
  fields, "长期" / "长期有效" (→ the `long_term` date). Years before 1900 or after 2099 (or
  after the field's `long_term`) are errors.
* boolean — "true" / "false" (from 是/否, Y/N, yes/no, true/false, 1/0, T/F, √/×).
* identifier — `core.text.normalize_code` (trimmed, half-width, no spaces or hyphens, ASCII
  upper case); a code that normalises to "" is blank. Schemes: `uscc` (GB 32100: malformed →
  error; wrong check character, of the code or of its embedded organisation code → warning
  "check_char"; unknown registration authority / category pair → warning "authority"; the
  placeholder 17×"0"+"X" only on fields the item's conditions compare with it, and, for
  subject code fields, only for subject kinds mapped to `individual_business`),
  `resident_id` (GB 11643, 18 characters or 15 digits: malformed or impossible birth date →
  error; wrong check character → warning "check_char"; address code unknown to GB/T 2260,
  abolished codes included → warning "division"), `org_code` (GB 11714: as uscc),
  `registration_no` (13 or 15 digits), `id_document` (a resident ID when the document type
  field — the enum field whose code has ZJLX for ZJHM, e.g. CF_XDR_ZJLX for CF_XDR_ZJHM — is
  身份证, otherwise length only) and `other` (length only).

Every field rejects control characters other than tab, line feed and carriage return (NUL
included); `max_length` counts characters. Formula-looking values (=, +, -, @ first) are plain
text here: exports neutralise them.

Issue codes. Errors: required, invalid (not of the field's type or scheme), too_long,
control_char, negative, scale, date_range, future_date, too_early (decision date before
1949-10-01), date_order (validity end or a `not_before` field earlier than its reference),
placeholder, duplicate. Warnings (an officer may confirm the row with a reason): check_char,
authority, division, serial_date. `field` is the field code; None for duplicate (a row-level
finding).

How it runs: text columns are checked whole; every other field is prepared once per distinct
value (dates, amounts, enums and department codes repeat a lot; values already canonical take
a short cut) and joined back; then one pass computes a boolean column per check, all polars
expressions, in parallel. Identifier check characters are verified per distinct value with
the numpy batch checks of `core.identifiers`; only the few failures are parsed one by one
for their message. Messages are built only for the checks that failed, on their rows.
`mark_duplicates` finds repeated business keys with a 64-bit hash per row.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import polars as pl

from xinyong.core.identifiers import (
    USCC_PLACEHOLDER,
    IdentifierError,
    division_name,
    org_code_check_char,
    parse_uscc,
    resident_id_check_char,
    uscc_check_char,
    validate_resident_id_array,
    validate_uscc_array,
)

from .conditions_polars import (
    PYTHON_WHITESPACE,
    WHITESPACE_CLASS,
    comparison_key,
    comparisons,
    compile_condition,
    describe_condition,
)

__all__ = ["DECISION_DATE_MIN", "FIELD_TYPES", "ISSUE", "ISSUES", "Check", "SeenKeys",
           "compile_condition", "mark_duplicates", "normalise_codes", "validate"]

FIELD_TYPES = ("string", "text", "date", "decimal", "integer", "enum", "multi_enum",
               "identifier", "boolean")
ISSUE = pl.Struct({"field": pl.Utf8, "code": pl.Utf8, "message": pl.Utf8})
ISSUES = pl.List(ISSUE)

DECISION_DATE_MIN = date(1949, 10, 1)
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)
LONG_TERM_WORDS = ("长期", "长期有效")
RESIDENT_ID_DOCUMENTS = ("身份证", "居民身份证")
OTHER_VALUE = "其他"
SHOWN_CHARS = 50
EXCEL_SERIAL_MAX = 2958465  # 9999-12-31
SERIAL_PLAUSIBLE = DECISION_DATE_MIN  # an earlier date read from a serial is worth a warning
_EXCEL_EPOCH = -25569  # 1899-12-30 as days since 1970-01-01; serials from 61 count from it

_WS = WHITESPACE_CLASS
_CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
_CONTROL_CHARS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                   *range(0x7F, 0xA0)]]
_HALFWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
# normalize_code as polars: full-width to ASCII, ASCII upper case, then drop what it drops.
_CODE_MAP = {k: v.upper() if v.isascii() else v for k, v in _HALFWIDTH.items()} | {
    chr(c): chr(c - 32) for c in range(ord("a"), ord("z") + 1)}
_CODE_DROP = "[" + _WS[1:-1] + r"\-\x{2010}-\x{2014}\x{2212}\x{fe63}" + \
    r"\x{200b}-\x{200d}\x{2060}\x{feff}]"
_SEPARATORS = ",，、;；"
_PART_STRIP = _SEPARATORS + PYTHON_WHITESPACE
_OTHER_PREFIX = f"^{OTHER_VALUE}[-－—–:：(（]"
_YMD = (r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.-]\d+)?)?)?"
        r"|(\d{2})(\d{2}))$")
_DECIMAL = r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d*))?$"
_INTEGER = r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?$"
_TRUE = ("是", "Y", "YES", "TRUE", "1", "T", "√")
_FALSE = ("否", "N", "NO", "FALSE", "0", "F", "×")
_USCC_FORM = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_RID18_FORM = r"^[0-9]{17}[0-9X]$"
_RID15_FORM = r"^[0-9]{15}$"
_ORG_FORM = r"^[0-9A-Z]{8}[0-9X]$"
_REGISTRATION_FORM = r"^(?:[0-9]{13}|[0-9]{15})$"
_OVERRIDE = "（可由报送人员说明理由后确认）"


@dataclass(frozen=True)
class Check:
    """One rule: `failed` is true on the rows breaking it; `message` (Utf8) is evaluated only
    on rows with some finding. `field` None marks a row-level rule."""

    field: str | None
    code: str
    failed: pl.Expr
    message: pl.Expr
    warning: bool = False


@dataclass(frozen=True)
class _Field:
    """A catalog field spec; `fast` False once its values are known not to be canonical."""

    spec: dict
    fast: bool = True

    @property
    def code(self) -> str:
        return self.spec["code"]

    @property
    def label(self) -> str:
        return f"{self.spec['name']}（{self.code}）"

    def without_fast_path(self) -> "_Field":
        return _Field(self.spec, fast=False)

    @property
    def orig(self) -> pl.Expr:
        return pl.col(self.code)

    @property
    def canon(self) -> pl.Expr:
        return pl.col(_canon(self.code))


def _canon(code: str) -> str:
    return f"__c_{code}"


def _date_col(code: str) -> str:
    return f"__d_{code}"


def _parts_col(code: str) -> str:
    return f"__l_{code}"


def _enum_col(code: str) -> str:
    return f"__e_{code}"


@dataclass
class _Context:
    item: dict
    fields: dict[str, _Field]
    today: date
    work: pl.DataFrame | None = None
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # field → distinct values
    checks: list[Check] = field(default_factory=list)
    computed: dict[str, str] = field(default_factory=dict)  # comparison key → bool column

    def condition_comparisons(self) -> dict[str, list[tuple[str, dict]]]:
        """The comparisons of the fields' conditions on fields prepared per distinct value
        (all but text), by compared field, each with the name of the column that will hold
        its outcome."""
        found: dict[str, list[tuple[str, dict]]] = {}
        for f in self.fields.values():
            for p in comparisons(f.spec.get("condition") or {"all": []}):
                key, other = comparison_key(p), self.fields.get(p["field"])
                if other and other.spec["type"] in _PREPARE and key not in self.computed:
                    self.computed[key] = f"__p{len(self.computed)}_{p['field']}"
                    found.setdefault(p["field"], []).append((self.computed[key], p))
        return found

    def condition_columns(self) -> tuple[frozenset, dict]:
        """Which column each field's conditions read, and which of them are lists."""
        lists, columns = set(), {}
        for code, f in self.fields.items():
            kind = f.spec["type"]
            if kind == "multi_enum":
                lists.add(code)
                columns[code] = _parts_col(code)
            else:
                columns[code] = _enum_col(code) if kind == "enum" else _canon(code)
        return frozenset(lists), columns


# ---- public API ------------------------------------------------------------------------------


def validate(frame: pl.DataFrame, item: dict, *, today: date,
             seen: "SeenKeys | set | None" = None) -> pl.DataFrame:
    """The batch with canonical field columns and `__errors__` / `__warnings__`. Pass one
    `SeenKeys` (or set) as `seen` to every batch of a file so duplicates across batches are
    found; without it duplicates are looked for within this batch only."""
    if isinstance(today, datetime):  # a datetime does not compare with a date column
        today = today.date()
    ctx = _Context(item, {f["code"]: _Field(f) for f in item["fields"]}, today)
    ctx.work = _prepared(_with_fields(frame, ctx.fields), ctx)
    _collect_checks(ctx)
    flags = [c.failed.fill_null(False).alias(f"__k{i}") for i, c in enumerate(ctx.checks)]
    work = ctx.work.with_columns(flags) if flags else ctx.work
    result = _finish(_with_issues(work, ctx.checks), frame.columns, ctx.fields)
    return mark_duplicates(result, item, SeenKeys() if seen is None else seen)


def _with_fields(frame: pl.DataFrame, fields: dict) -> pl.DataFrame:
    """Every field as a Utf8 column: absent ones all null, others cast to text."""
    exprs = [pl.col(code).cast(pl.Utf8) if code in frame.columns
             else pl.lit(None, pl.Utf8).alias(code) for code in fields]
    return frame.with_columns(exprs)


def _finish(work: pl.DataFrame, columns: list[str], fields: dict) -> pl.DataFrame:
    canon = [pl.col(_canon(code)).alias(code) for code in fields]
    order = list(columns) + [c for c in fields if c not in columns]
    return work.with_columns(canon).select([*order, "__errors__", "__warnings__"])


# ---- stage 1: canonical columns --------------------------------------------------------------
#
# A preparer returns passes: mappings of column name to expression, each pass free to read the
# columns of the ones before. Columns named `__t_…` are scratch. Values other than text repeat
# a lot (dates, amounts, enums, the codes of a few hundred departments), so their passes run
# on the distinct values, with a short cut for values already canonical, and are joined back.


def _prepared(frame: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    text = {}
    for f in ctx.fields.values():
        if f.spec["type"] not in _PREPARE:
            text.update(*_prepare_text(f))
    work = frame.with_columns(**text)
    wanted = ctx.condition_comparisons()
    lists, columns = ctx.condition_columns()
    for f in ctx.fields.values():
        if f.spec["type"] in _PREPARE:
            table = _distinct_table(work.select(pl.col(f.code).unique()), f)
            ctx.tables[f.code] = table.with_columns(
                compile_condition(p, lists=lists, columns=columns).alias(name)
                for name, p in wanted.get(f.code, ()))
            work = _join_prepared(work, f.code, ctx.tables[f.code])
    return work


def _join_prepared(work: pl.DataFrame, code: str, table: pl.DataFrame) -> pl.DataFrame:
    """`work` with the prepared columns of each row's value (`table` has one row per
    distinct value of column `code`)."""
    if table.height == 1:  # one value (often: a column left empty): no join needed
        return work.with_columns(pl.lit(table[c]).first().alias(c) for c in table.columns[1:])
    joined = work.select(code).join(table, on=code, how="left", nulls_equal=True,
                                    maintain_order="left", build_side="prefer_right")
    return work.hstack(joined.drop(code).get_columns())


def _distinct_table(values: pl.DataFrame, f: _Field) -> pl.DataFrame:
    """Prepared columns of distinct values; values already canonical take a short cut."""
    fast = _FAST.get(f.spec["type"]) if f.fast else None
    if fast is not None:
        pattern, passes = fast
        canonical = values.select(f.orig.str.contains(pattern).fill_null(False)).to_series()
        done = _run(values.filter(canonical), passes(f))
        rest = _distinct_table(values.filter(~canonical), f.without_fast_path())
        return pl.concat([done, rest.select(done.columns)])
    return _run(values, [*_PREPARE[f.spec["type"]](f), {_ctl_col(f.code): _has_control(f.orig)}])


def _run(table: pl.DataFrame, passes: list[dict]) -> pl.DataFrame:
    for step in passes:
        table = table.with_columns(**step)
    return table.select(c for c in table.columns if not c.startswith("__t_"))


def _canonical_number(f: _Field) -> list[dict]:
    """The prepared columns of a number already in canonical form."""
    point = f.orig.str.find(".", literal=True)
    columns = {_canon(f.code): f.orig, _ok_col(f.code): pl.lit(True),
               _neg_col(f.code): pl.lit(False), _ctl_col(f.code): pl.lit(False)}
    if f.spec["type"] == "decimal":
        columns[_scale_col(f.code)] = (f.orig.str.len_bytes() - point - 1).fill_null(0)
    return [columns]


def _canonical_code(f: _Field) -> list[dict]:
    """The prepared columns of an identifier already in canonical form."""
    return [{_canon(f.code): f.orig, _ctl_col(f.code): pl.lit(False)}, _identifier_forms(f)]


_FAST = {"decimal": (r"^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$", _canonical_number),
         "integer": (r"^(?:0|[1-9][0-9]*)$", _canonical_number),
         "identifier": (r"^[0-9A-Z]+$", _canonical_code)}


def _ctl_col(code: str) -> str:
    return f"__ctl_{code}"


def _has_control(expr: pl.Expr) -> pl.Expr:
    return expr.str.contains(_CONTROL)


def _tmp(f: _Field, name: str) -> str:
    return f"__t_{name}_{f.code}"


def _ok_col(code: str) -> str:
    return f"__ok_{code}"


def _short(f: _Field) -> pl.Expr:
    """A short value (date, number, boolean) stripped and half-width; blank → null."""
    return pl.when(f.orig.str.contains(r"\S")).then(
        f.orig.str.strip_chars().str.replace_many(_HALFWIDTH))


def _as_found(f: _Field) -> pl.Expr:
    """The value as the file has it (the canonical form of a value that fails its type);
    blank → null."""
    return pl.when(f.orig.str.strip_chars() != "").then(f.orig)


def _prepare_text(f: _Field) -> list[dict]:
    return [{_canon(f.code): pl.when(~f.orig.str.contains(f"^{_WS}*$")).then(f.orig)}]


def _number_passes(f: _Field, value: pl.Expr, pattern: str) -> list[dict]:
    """Sign, integer digits and fraction digits of a number (scratch columns)."""
    s, parts = pl.col(_tmp(f, "s")), pl.col(_tmp(f, "parts")).struct
    whole = parts.field("field_0").str.strip_chars_start("0")
    return [
        {_tmp(f, "s"): value},
        {_ok_col(f.code): s.str.contains(pattern) & s.str.contains(r"\d"),
         _tmp(f, "neg"): s.str.starts_with("-"),
         _tmp(f, "parts"): s.str.strip_chars_start("+-").str.replace_all(",", "", literal=True)
         .str.split_exact(".", 1)},
        {_tmp(f, "whole"): pl.when(whole == "").then(pl.lit("0")).otherwise(whole),
         _tmp(f, "frac"): parts.field("field_1").fill_null("").str.strip_chars_end("0")},
    ]


def _number_canonical(f: _Field, fraction: bool) -> dict:
    ok, whole = pl.col(_ok_col(f.code)), pl.col(_tmp(f, "whole"))
    frac = pl.col(_tmp(f, "frac")) if fraction else pl.lit("")
    negative = pl.col(_tmp(f, "neg")) & ~((whole == "0") & (frac == ""))
    number = pl.concat_str([pl.when(negative).then(pl.lit("-")), whole,
                            pl.when(frac != "").then(pl.lit(".") + frac)], ignore_nulls=True)
    columns = {_canon(f.code): pl.when(ok).then(number).otherwise(_as_found(f)),
               _neg_col(f.code): ok & negative}
    if fraction:
        columns[_scale_col(f.code)] = pl.when(ok).then(frac.str.len_chars())
    return columns


def _neg_col(code: str) -> str:
    return f"__neg_{code}"


def _scale_col(code: str) -> str:
    return f"__scale_{code}"


def _prepare_integer(f: _Field) -> list[dict]:
    return [*_number_passes(f, _short(f), _INTEGER), _number_canonical(f, fraction=False)]


def _prepare_decimal(f: _Field) -> list[dict]:
    value = _short(f)
    if f.spec.get("unit"):
        value = value.str.strip_suffix(f.spec["unit"]).str.strip_chars()
    return [*_number_passes(f, value, _DECIMAL), _number_canonical(f, fraction=True)]


def _allowed(f: _Field) -> list[str]:
    return [*f.spec.get("values", []), *f.spec.get("legacy_values", [])]


def _prepare_enum(f: _Field) -> list[dict]:
    value, allowed = _as_found(f).str.strip_chars(), _allowed(f)
    matched = pl.when(value.is_in(allowed)).then(value)
    if OTHER_VALUE in allowed:
        matched = matched.when(value.str.contains(_OTHER_PREFIX)).then(pl.lit(OTHER_VALUE))
    return [{_canon(f.code): value, _enum_col(f.code): matched}]


def _regex_literal(text: str) -> str:
    return "".join(f"\\{c}" if c in r"\.+*?()|[]{}^$#&-~" else
                   (f"\\x{{{ord(c):x}}}" if c.isspace() else c) for c in text)


def _multi_pattern(allowed: list[str]) -> str:
    """One token per value: catalog values first (longest first, so values containing a
    separator stay whole), each followed by separators or the end, else any run of text."""
    known = "|".join(_regex_literal(v) for v in sorted(allowed, key=len, reverse=True))
    return f"(?:{known}|[^{_SEPARATORS}]+?){_WS}*(?:[{_SEPARATORS}]+|$)"


def _prepare_multi_enum(f: _Field) -> list[dict]:
    allowed, parts = _allowed(f), pl.col(_parts_col(f.code))
    tokens = f.orig.str.extract_all(_multi_pattern(allowed))
    split = tokens.list.eval(pl.element().str.strip_chars(_PART_STRIP)).list.eval(
        pl.element().filter(pl.element() != ""))
    ranks = parts.list.eval(
        pl.element().replace_strict(allowed, list(range(len(allowed))), default=None))
    ordered = ranks.list.unique().list.sort().list.eval(
        pl.element().replace_strict(list(range(len(allowed))), allowed))
    valid = (parts.list.len() > 0) & parts.list.eval(pl.element().is_in(allowed)).list.all()
    return [{_parts_col(f.code): split},
            {_ok_col(f.code): valid},
            {_canon(f.code): pl.when(pl.col(_ok_col(f.code))).then(ordered.list.join(";"))
             .when(parts.list.len() > 0).then(f.orig)}]


def _serial(value: pl.Expr) -> pl.Expr:
    """The Excel serial number a value spells, as an Int64 (null when it is no serial)."""
    return value.str.extract(r"^(\d{1,7})(?:\.\d+)?$").cast(pl.Int64)


def _date_value(f: _Field, value: pl.Expr) -> pl.Expr:
    spelled = value.str.replace_many(["/", ".", "年", "月"], ["-", "-", "-", "-"])
    groups = spelled.str.strip_suffix("日").str.extract_groups(_YMD).struct
    month = pl.coalesce(groups.field("2"), groups.field("4")).str.zfill(2)
    day = pl.coalesce(groups.field("3"), groups.field("5")).str.zfill(2)
    iso = pl.concat_str([groups.field("1"), month, day], separator="-")
    serial = _serial(value)
    days = pl.when(serial.is_between(1, 59)).then(serial + _EXCEL_EPOCH + 1) \
        .when(serial.is_between(61, EXCEL_SERIAL_MAX)).then(serial + _EXCEL_EPOCH)
    candidates = [iso.str.to_date("%Y-%m-%d", strict=False), days.cast(pl.Int32).cast(pl.Date)]
    if f.spec.get("long_term"):
        long_term = date.fromisoformat(f.spec["long_term"])
        candidates.append(pl.when(value.is_in(LONG_TERM_WORDS)).then(pl.lit(long_term)))
    return pl.coalesce(candidates)


def _prepare_date(f: _Field) -> list[dict]:
    parsed, value = pl.col(_date_col(f.code)), pl.col(_tmp(f, "s"))
    return [{_tmp(f, "s"): _short(f)},
            {_date_col(f.code): _date_value(f, value)},
            {_canon(f.code): pl.coalesce(parsed.dt.to_string("%Y-%m-%d"), _as_found(f)),
             _ok_col(f.code): parsed.is_not_null(),
             _early_serial_col(f.code): _serial(value).is_not_null() & (parsed < SERIAL_PLAUSIBLE)}]


def _early_serial_col(code: str) -> str:
    return f"__early_{code}"


def _prepare_boolean(f: _Field) -> list[dict]:
    value = _short(f).str.to_uppercase()
    truth = pl.when(value.is_in(_TRUE)).then(pl.lit("true")) \
        .when(value.is_in(_FALSE)).then(pl.lit("false"))
    return [{_canon(f.code): pl.coalesce(truth, _as_found(f)),
             _ok_col(f.code): truth.is_not_null()}]


def normalise_codes(expr: pl.Expr) -> pl.Expr:
    """`core.text.normalize_code` as a polars expression ("" stays "")."""
    return expr.str.replace_many(_CODE_MAP).str.replace_all(_CODE_DROP, "")


def _prepare_identifier(f: _Field) -> list[dict]:
    code = pl.col(_tmp(f, "code"))
    return [{_tmp(f, "code"): normalise_codes(f.orig)},
            {_canon(f.code): pl.when(code != "").then(code)},
            _identifier_forms(f)]


_FORMS = {"uscc": _USCC_FORM, "org_code": _ORG_FORM, "registration_no": _REGISTRATION_FORM,
          "resident_id": _RID18_FORM, "id_document": _RID18_FORM}


def _identifier_forms(f: _Field) -> dict:
    """Length and well-formedness of a canonical code, for its scheme (a resident ID also
    in its 15-digit form)."""
    scheme = f.spec.get("scheme") or "other"
    columns = {_len_col(f.code): f.canon.str.len_chars()}
    if scheme in _FORMS:
        columns[_form_col(f.code)] = f.canon.str.contains(_FORMS[scheme])
    if scheme in ("resident_id", "id_document"):
        columns[_form15_col(f.code)] = f.canon.str.contains(_RID15_FORM)
    return columns


def _len_col(code: str) -> str:
    return f"__len_{code}"


def _form_col(code: str) -> str:
    return f"__form_{code}"


def _form15_col(code: str) -> str:
    return f"__form15_{code}"


_PREPARE = {"integer": _prepare_integer, "decimal": _prepare_decimal, "enum": _prepare_enum,
            "multi_enum": _prepare_multi_enum, "date": _prepare_date,
            "identifier": _prepare_identifier, "boolean": _prepare_boolean}


# ---- message helpers ---------------------------------------------------------------------------


def _text(*parts) -> pl.Expr:
    """Concatenate literals and expressions into one message (null parts left out)."""
    exprs = [pl.lit(p) if isinstance(p, str) else p for p in parts]
    return pl.concat_str(exprs, ignore_nulls=True)


_CONTROL_LABELS = [f"[U+{ord(c):04X}]" for c in _CONTROL_CHARS]


def _shown(expr: pl.Expr) -> pl.Expr:
    """The value as quoted in messages: at most 50 characters, then "…"; control characters
    as [U+XXXX] (messages are stored and shown, and NUL has no place in either)."""
    cut = pl.when(expr.str.len_chars() > SHOWN_CHARS).then(
        expr.str.slice(0, SHOWN_CHARS) + "…").otherwise(expr)
    return cut.str.replace_many(_CONTROL_CHARS, _CONTROL_LABELS)


def _quoted(expr: pl.Expr) -> pl.Expr:
    return _text("“", _shown(expr), "”")


def _found(f: _Field, *tail) -> pl.Expr:
    """`名称（代码）“值”…` — the usual opening of a message about a field's value."""
    return _text(f.label, _quoted(f.orig), *tail)


# ---- stage 2: checks ---------------------------------------------------------------------------


def _collect_checks(ctx: _Context) -> None:
    for f in ctx.fields.values():
        ctx.checks.extend(_required_checks(f, ctx))
        ctx.checks.append(_control_check(f))
        ctx.checks.extend(_CHECKS.get(f.spec["type"], _text_checks)(f, ctx))
    ctx.checks.extend(_date_order_checks(ctx))


def _required_checks(f: _Field, ctx: _Context) -> list[Check]:
    required = f.spec.get("required")
    missing = f.canon.is_null()
    if required is True:
        return [Check(f.code, "required", missing, _text(f.label, "必填"))]
    if required != "conditional" or not f.spec.get("condition"):
        return []
    lists, columns = ctx.condition_columns()
    holds = compile_condition(f.spec["condition"], lists=lists, columns=columns,
                              computed=ctx.computed)
    names = {code: g.spec["name"] for code, g in ctx.fields.items()}
    words = describe_condition(f.spec["condition"], names)
    return [Check(f.code, "required", missing & holds, _text(f.label, "必填：", words))]


def _control_check(f: _Field) -> Check:
    distinct = f.spec["type"] in _PREPARE
    failed = pl.col(_ctl_col(f.code)) if distinct else _has_control(f.orig)
    char = f.orig.str.extract(f"({_CONTROL})").str.replace_many(
        _CONTROL_CHARS, [label[1:-1] for label in _CONTROL_LABELS])
    position = f.orig.str.extract(f"^([^{_CONTROL[1:-1]}]*){_CONTROL}").str.len_chars() + 1
    message = _text(f.label, "含有控制字符", char, "（第", position.cast(pl.Utf8), "个字符）：",
                    _quoted(f.orig))
    return Check(f.code, "control_char", failed, message)


def _length_check(f: _Field, length: pl.Expr) -> list[Check]:
    limit = f.spec.get("max_length")
    if not limit:
        return []
    message = _text(f.label, "长度为", length.cast(pl.Utf8), f"个字符，超过上限{limit}个字符：",
                    _quoted(f.orig))
    return [Check(f.code, "too_long", length > limit, message)]


def _text_checks(f: _Field, ctx: _Context) -> list[Check]:
    return _length_check(f, f.canon.str.len_chars())


def _malformed(f: _Field, failed: pl.Expr, what: str) -> Check:
    return Check(f.code, "invalid", f.canon.is_not_null() & failed, _found(f, what))


def _invalid(f: _Field, what) -> Check:
    """The type check of a short field: present but not of its type."""
    return _malformed(f, ~pl.col(_ok_col(f.code)), what)


def _integer_checks(f: _Field, ctx: _Context) -> list[Check]:
    return [_invalid(f, "不是整数"),
            Check(f.code, "negative", pl.col(_neg_col(f.code)), _found(f, "不能为负数"))]


def _decimal_checks(f: _Field, ctx: _Context) -> list[Check]:
    unit = f.spec.get("unit")
    checks = [_invalid(f, "不是有效数字" + (f"（单位为{unit}）" if unit else "")),
              Check(f.code, "negative", pl.col(_neg_col(f.code)), _found(f, "不能为负数"))]
    scale = f.spec.get("scale")
    if scale is not None:
        too_fine = pl.col(_scale_col(f.code)) > scale
        checks.append(Check(f.code, "scale", too_fine, _found(f, f"小数位数超过{scale}位")))
    return checks


def _value_list(values: Iterable[str]) -> str:
    return "、".join(f"“{v}”" for v in values)


def _enum_checks(f: _Field, ctx: _Context) -> list[Check]:
    bad = f.canon.is_not_null() & pl.col(_enum_col(f.code)).is_null()
    return [Check(f.code, "invalid", bad,
                  _found(f, "不是允许的值，应为", _value_list(f.spec.get("values", []))))]


def _multi_enum_checks(f: _Field, ctx: _Context) -> list[Check]:
    parts = pl.col(_parts_col(f.code))
    bad = parts.list.eval(pl.element().filter(~pl.element().is_in(_allowed(f))))
    failed = f.canon.is_not_null() & ~pl.col(_ok_col(f.code))
    message = _text(f.label, _quoted(f.orig), "中的“", bad.list.join("”、“"),
                    "”不是允许的值，应为以下一项或多项（以分号分隔）：",
                    _value_list(f.spec.get("values", [])))
    return [Check(f.code, "invalid", failed, message)]


def _date_range(f: _Field) -> tuple[date, date]:
    latest = date.fromisoformat(f.spec["long_term"]) if f.spec.get("long_term") else DATE_MAX
    return DATE_MIN, max(DATE_MAX, latest)


def _date_checks(f: _Field, ctx: _Context) -> list[Check]:
    parsed = pl.col(_date_col(f.code))
    earliest, latest = _date_range(f)
    early = Check(f.code, "serial_date", pl.col(_early_serial_col(f.code)),
                  _found(f, "按Excel日期序列号读作", parsed.dt.to_string("%Y-%m-%d"),
                         f"，早于{SERIAL_PLAUSIBLE.isoformat()}，请核对是否填写有误"),
                  warning=True)
    why = pl.when(_serial(_short(f)) == 60).then(
        pl.lit("是Excel日期序列号60，对应Excel虚构的1900年2月29日，不是有效日期")).otherwise(
        pl.lit("不是有效日期，应为 YYYY/MM/DD 或 YYYY-MM-DD"))
    hint = "；长期有效请填2099/12/31或“长期”" if f.spec.get("long_term") else ""
    outside = ~parsed.is_between(earliest, latest)
    return [_invalid(f, why),
            Check(f.code, "date_range", outside,
                  _found(f, f"超出可接受的日期范围（{earliest}至{latest}）{hint}")),
            early]


def _boolean_checks(f: _Field, ctx: _Context) -> list[Check]:
    return [_invalid(f, "不是有效的是否值，应为“是”或“否”")]


def _usable_date(code: str, fields: dict) -> pl.Expr:
    earliest, latest = _date_range(fields[code])
    return pl.col(_date_col(code)).is_between(earliest, latest)


def _date_order_checks(ctx: _Context) -> list[Check]:
    checks, fields, item = [], ctx.fields, ctx.item
    decision = item.get("decision_date_field")
    if decision in fields:
        checks.extend(_decision_date_checks(fields[decision], ctx))
        end = item.get("validity_end_field")
        if end in fields and end != decision:
            checks.append(_not_before(fields[end], fields[decision], fields))
    for f in fields.values():
        other = fields.get(f.spec.get("not_before") or "")
        if f.spec["type"] == "date" and other and other.spec["type"] == "date" and other != f:
            checks.append(_not_before(f, other, fields))
    return checks


def _decision_date_checks(f: _Field, ctx: _Context) -> list[Check]:
    parsed, usable = pl.col(_date_col(f.code)), _usable_date(f.code, ctx.fields)
    today = ctx.today.isoformat()
    return [Check(f.code, "future_date", usable & (parsed > ctx.today),
                  _found(f, f"晚于今天（{today}），决定日期不能是将来的日期")),
            Check(f.code, "too_early", usable & (parsed < DECISION_DATE_MIN),
                  _found(f, f"早于{DECISION_DATE_MIN.isoformat()}"))]


def _not_before(later: _Field, earlier: _Field, fields: dict) -> Check:
    both = _usable_date(later.code, fields) & _usable_date(earlier.code, fields)
    failed = both & (pl.col(_date_col(later.code)) < pl.col(_date_col(earlier.code)))
    message = _found(later, "早于", earlier.label, _quoted(earlier.orig))
    return Check(later.code, "date_order", failed, message)


# ---- identifiers -----------------------------------------------------------------------------


def _identifier_checks(f: _Field, ctx: _Context) -> list[Check]:
    scheme = f.spec.get("scheme") or "other"
    checks = _length_check(f, pl.col(_len_col(f.code)))
    form = pl.col(_form_col(f.code))
    if scheme == "uscc":
        checks.extend(_uscc_checks(f, ctx))
    elif scheme == "resident_id":
        checks.extend(_resident_id_checks(f, ctx, pl.lit(True)))
    elif scheme == "id_document":
        checks.extend(_id_document_checks(f, ctx))
    elif scheme == "org_code":
        checks.extend(_org_code_checks(f, ctx))
    elif scheme == "registration_no":
        checks.append(_malformed(f, ~form,
                                 "不是有效的工商注册号，应为15位（或2007年以前的13位）数字"))
    return checks


def _distinct(ctx: _Context, f: _Field, where: pl.Expr) -> pl.Series:
    """The field's distinct canonical values where `where` (over its prepared columns)."""
    return ctx.tables[f.code].filter(where.fill_null(False))[_canon(f.code)]


def _as_unicode_array(values: pl.Series, width: int) -> np.ndarray:
    """Fixed-width codes (all exactly `width` characters) as a numpy `U<width>` array."""
    if values.is_empty():
        return np.array([], dtype=f"<U{width}")
    joined = values.str.join("").item()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=f"<U{width}")


def _flagged(f: _Field, findings: dict[str, str], code: str, tail: str = _OVERRIDE, *,
             applies: pl.Expr | None = None) -> Check:
    """A warning on the values listed in `findings` (canonical value → what is wrong), on
    the rows where `applies`."""
    if not findings:
        return Check(f.code, code, pl.lit(False), pl.lit(""), warning=True)
    keys = list(findings)
    detail = f.canon.replace_strict(keys, [findings[k] for k in keys], default=None,
                                    return_dtype=pl.Utf8)
    failed = f.canon.is_in(keys) if applies is None else applies & f.canon.is_in(keys)
    return Check(f.code, code, failed, _found(f, detail, tail), warning=True)


def _uscc_checks(f: _Field, ctx: _Context) -> list[Check]:
    form, length = pl.col(_form_col(f.code)), pl.col(_len_col(f.code))
    why = pl.when(length != 18).then(_text("长度为", length.cast(pl.Utf8), "位，应为18位")) \
        .otherwise(pl.lit("含有不允许的字符（应为数字和除I、O、S、V、Z以外的大写字母，第3至8位为数字）"))
    check_chars, authorities = _uscc_findings(
        _distinct(ctx, f, form & (f.canon != USCC_PLACEHOLDER)))
    return [_malformed(f, ~form, _text("不是有效的统一社会信用代码：", why)),
            _placeholder_check(f, ctx),
            _flagged(f, check_chars, "check_char"),
            _flagged(f, authorities, "authority")]


def _uscc_findings(values: pl.Series) -> tuple[dict, dict]:
    """Well-formed USCCs that fail GB 32100: {code: detail} for wrong check characters and
    for unknown registration authority / category pairs."""
    ok = validate_uscc_array(_as_unicode_array(values, 18))
    check_chars, authorities = {}, {}
    for code in values.filter(~pl.Series(ok)).to_list():
        try:
            parse_uscc(code)
        except IdentifierError as exc:
            if exc.code == "check_char":
                check_chars[code] = f"校验位应为{uscc_check_char(code[:17])}，实为{code[17]}"
            elif exc.code == "org_check_char":
                expected = org_code_check_char(code[8:16])
                check_chars[code] = (f"第17位（所含组织机构代码的校验位）应为{expected}，"
                                     f"实为{code[16]}")
            else:
                authorities[code] = f"前两位“{code[:2]}”不是已知的登记管理部门和机构类别代码"
    return check_chars, authorities


def _placeholder_fields(item: dict) -> set[str]:
    """Fields the item's conditions compare with the USCC placeholder: where it may occur."""
    found = set()

    def walk(p):
        if isinstance(p, dict):
            if USCC_PLACEHOLDER in (p.get("equals"), *(p.get("in") or ())):
                found.add(p.get("field"))
            for value in p.values():
                walk(value)
        elif isinstance(p, list):
            for value in p:
                walk(value)

    for f in item["fields"]:
        walk(f.get("condition"))
    return found


def _individual_kinds(item: dict) -> list[str]:
    kinds = []
    for value, mapped in (item.get("subject_kind_map") or {}).items():
        if "individual_business" in (mapped if isinstance(mapped, list) else [mapped]):
            kinds.append(value)
    return kinds


def _placeholder_check(f: _Field, ctx: _Context) -> Check:
    is_placeholder = f.canon == USCC_PLACEHOLDER
    opening = _found(f, "是个体工商户没有统一社会信用代码时使用的占位代码，")
    if f.code not in _placeholder_fields(ctx.item):
        return Check(f.code, "placeholder", is_placeholder, _text(opening, "本字段不能使用"))
    kind_field = ctx.fields.get(ctx.item.get("subject_kind_field") or "")
    if kind_field is None or f.code not in ctx.item.get("subject_code_fields", []):
        return Check(f.code, "placeholder", pl.lit(False), opening)
    kinds = _individual_kinds(ctx.item)
    failed = is_placeholder & ~pl.col(_enum_col(kind_field.code)).is_in(kinds).fill_null(False)
    message = _text(opening, f"只能用于{_value_list(kinds)}，本行{kind_field.spec['name']}为",
                    _quoted(kind_field.orig))
    return Check(f.code, "placeholder", failed, message)


def _resident_id_checks(f: _Field, ctx: _Context, applies: pl.Expr) -> list[Check]:
    long_form, short_form = pl.col(_form_col(f.code)), pl.col(_form15_col(f.code))
    bad_birth = _bad_birth_dates(_distinct(ctx, f, long_form | short_form), ctx.today)
    check_chars = _resident_id_findings(_distinct(ctx, f, long_form))
    divisions = _unknown_divisions(_distinct(ctx, f, long_form | short_form))
    return [
        _malformed(f, applies & ~long_form & ~short_form,
                   "不是有效的公民身份号码，应为18位（前17位为数字，末位为数字或X）或15位数字"),
        _malformed(f, applies & f.canon.is_in(bad_birth.implode()),
                   _text("的出生日期码“", _birth_digits(f.canon),
                         "”不是1900年以来、不晚于今天的有效日期")),
        _flagged(f, check_chars, "check_char", applies=applies),
        Check(f.code, "division", applies & f.canon.str.slice(0, 6).is_in(divisions),
              _found(f, "的地址码（前6位）不是GB/T 2260行政区划代码（含已撤销的代码）", _OVERRIDE),
              warning=True),
    ]


def _birth_digits(code: pl.Expr) -> pl.Expr:
    """The YYYYMMDD birth date of a well-formed resident ID (18 or 15 digits)."""
    return pl.when(code.str.len_chars() == 18).then(code.str.slice(6, 8)) \
        .otherwise(pl.lit("19") + code.str.slice(6, 6))


def _bad_birth_dates(codes: pl.Series, today: date) -> pl.Series:
    """The well-formed resident IDs whose birth date is no date from 1900 to `today`."""
    birth = _birth_digits(pl.col("code")).str.to_date("%Y%m%d", strict=False)
    table = pl.DataFrame({"code": codes})
    return table.filter(~birth.is_between(DATE_MIN, today).fill_null(False))["code"]


def _resident_id_findings(values: pl.Series) -> dict[str, str]:
    ok = validate_resident_id_array(_as_unicode_array(values, 18))
    return {code: f"校验位应为{resident_id_check_char(code[:17])}，实为{code[17]}"
            for code in values.filter(~pl.Series(ok)).to_list()}


def _unknown_divisions(codes: pl.Series) -> list[str]:
    """The address codes (first 6 digits) of `codes` that GB/T 2260 never had."""
    prefixes = codes.str.slice(0, 6).unique()
    return [p for p in prefixes.to_list() if division_name(p) is None]


def _document_type_field(f: _Field, ctx: _Context) -> _Field | None:
    """The enum field naming the kind of document of an id_document field (…ZJHM → …ZJLX)."""
    if not f.code.endswith("ZJHM"):
        return None
    other = ctx.fields.get(f.code[:-4] + "ZJLX")
    return other if other is not None and other.spec["type"] == "enum" else None


def _id_document_checks(f: _Field, ctx: _Context) -> list[Check]:
    kind = _document_type_field(f, ctx)
    if kind is None:
        return []
    applies = pl.col(_enum_col(kind.code)).is_in(RESIDENT_ID_DOCUMENTS).fill_null(False)
    return _resident_id_checks(f, ctx, applies)


_ORG_VALUES = np.zeros(128, dtype=np.int64)
_ORG_VALUES[np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)] = np.arange(36)
_ORG_WEIGHTS = np.array((3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)


def _org_codes_ok(values: pl.Series) -> np.ndarray:
    """GB 11714 check of well-formed organisation codes (9 ASCII characters each)."""
    if values.is_empty():
        return np.array([], dtype=bool)
    raw = np.frombuffer(values.str.join("").item().encode("ascii"), np.uint8).reshape(-1, 9)
    expected = -(_ORG_VALUES[raw[:, :8]] @ _ORG_WEIGHTS) % 11
    found = np.where(raw[:, 8] == ord("X"), 10, raw[:, 8].astype(np.int64) - ord("0"))
    return expected == found


def _org_code_checks(f: _Field, ctx: _Context) -> list[Check]:
    form = pl.col(_form_col(f.code))
    values = _distinct(ctx, f, form)
    check_chars = {code: f"校验位应为{org_code_check_char(code[:8])}，实为{code[8]}"
                   for code in values.filter(~pl.Series(_org_codes_ok(values))).to_list()}
    return [_malformed(f, ~form, "不是有效的组织机构代码，应为8位数字或大写字母加1位校验码"
                                 "（可写作XXXXXXXX-X）"),
            _flagged(f, check_chars, "check_char")]


_CHECKS = {"integer": _integer_checks, "decimal": _decimal_checks, "enum": _enum_checks,
           "multi_enum": _multi_enum_checks, "date": _date_checks,
           "boolean": _boolean_checks, "identifier": _identifier_checks}


# ---- stage 3: messages -----------------------------------------------------------------------


def _issue_lists(rows: pl.DataFrame, found: list[tuple[int, Check]]) -> pl.Series:
    """One list of issues per row of `rows` (`__p__` its index), in the order of the checks:
    each check's messages are built on its failing rows only, then grouped by row."""
    if not found:
        return pl.repeat(None, rows.height, dtype=ISSUES, eager=True)
    long = pl.concat([
        rows.filter(pl.col(f"__k{i}")).select(
            "__p__", field=pl.lit(c.field, pl.Utf8), code=pl.lit(c.code, pl.Utf8),
            message=c.message.cast(pl.Utf8))
        for i, c in found])
    grouped = long.group_by("__p__", maintain_order=True).agg(
        __issues__=pl.struct("field", "code", "message"))
    aligned = rows.select("__p__").join(grouped, on="__p__", how="left", maintain_order="left")
    return aligned["__issues__"]


def _with_issues(work: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """`__errors__` and `__warnings__`: messages are built only for the checks that found
    something, on the rows where they did."""
    empty = pl.lit([], dtype=ISSUES)
    flags = [f"__k{i}" for i in range(len(checks))]
    hits = work.select(pl.col(flag).any() for flag in flags).row(0) if flags else ()
    found = [(i, c) for i, (c, hit) in enumerate(zip(checks, hits, strict=True)) if hit]
    if not found:
        return work.with_columns(__errors__=empty, __warnings__=empty)
    flagged = pl.any_horizontal([pl.col(f"__k{i}") for i, _ in found])
    position = work.select(
        pl.when(flagged).then(flagged.cast(pl.UInt32).cum_sum() - 1)).to_series()
    rows = work.filter(flagged).with_row_index("__p__")
    spread = [_issue_lists(rows, [(i, c) for i, c in found if c.warning == warning])
              .gather(position).alias(name)
              for name, warning in (("__errors__", False), ("__warnings__", True))]
    return work.with_columns(spread).with_columns(
        pl.col("__errors__", "__warnings__").fill_null(empty))


# ---- duplicates ------------------------------------------------------------------------------


class SeenKeys:
    """Business keys seen in earlier batches of one file: a 64-bit hash and the source row
    number per distinct key (16 bytes a key, in polars memory; a Python set costs ~70)."""

    def __init__(self):
        self.keys = pl.DataFrame(schema={"__h__": pl.UInt64, "__first__": pl.Int64})

    def __len__(self) -> int:
        return self.keys.height


def _key_hash(keys: list[str]) -> pl.Expr:
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    return pl.when(complete).then(pl.struct(keys).hash()).alias("__h__")


def mark_duplicates(frame: pl.DataFrame, item: dict,
                    seen: "SeenKeys | set | None" = None) -> pl.DataFrame:
    """Add the error "duplicate" to rows whose business key (canonical values, all present)
    equals that of an earlier row of the frame or of an earlier batch recorded in `seen`
    (updated in place). `frame` is a validated batch (`__row__`, `__errors__`). A `SeenKeys`
    names the earlier row; a plain set of hashes (one Python int per key, ~70 bytes) cannot
    name it across batches. Keys are compared by a 64-bit hash: the chance of a false
    duplicate among 10 M rows is about 3·10⁻⁶."""
    keys = list(item.get("business_key") or [])
    if not keys:
        return frame
    prior, h = _prior(seen), pl.col("__h__")
    row = pl.col("__row__") if "__row__" in frame.columns else pl.int_range(1, pl.len() + 1)
    rows = frame.select(_key_hash(keys), row.cast(pl.Int64).alias("__own__")).with_columns(
        __fresh__=h.is_first_distinct() & h.is_not_null())
    rows = rows.with_columns(__again__=h.is_not_null() & (
        ~pl.col("__fresh__") | h.is_in(prior["__h__"].implode())))
    firsts = rows.filter(pl.col("__fresh__") & ~pl.col("__again__"))
    _remember(firsts.select("__h__", __first__="__own__"), seen)
    if not rows["__again__"].any():
        return frame
    earlier = _earlier_rows(rows, prior)
    return _append_duplicates(frame, earlier, item)


def _prior(seen) -> pl.DataFrame:
    """The keys of earlier batches with their first row (-1 when unknown: a plain set)."""
    if isinstance(seen, set):
        before = pl.Series("__h__", list(seen), dtype=pl.UInt64)
        return pl.DataFrame([before, pl.repeat(-1, len(before), dtype=pl.Int64, eager=True)
                             .alias("__first__")])
    return seen.keys if seen is not None else SeenKeys().keys


def _earlier_rows(rows: pl.DataFrame, prior: pl.DataFrame) -> pl.Series:
    """For each row, the row that had its key first when that is another row, else null."""
    again = rows.with_row_index("__i__").filter(pl.col("__again__"))
    repeated = again["__h__"].unique().implode()
    mine = rows.filter(pl.col("__h__").is_in(repeated)).select("__h__", __first__="__own__")
    known = pl.concat([prior.filter(pl.col("__h__").is_in(repeated)), mine])
    known = known.unique("__h__", keep="first", maintain_order=True)
    found = again.join(known, on="__h__", how="left")
    first = pl.repeat(None, rows.height, dtype=pl.Int64, eager=True).alias("__first__")
    return first.scatter(found["__i__"], found["__first__"])


def _remember(firsts: pl.DataFrame, seen) -> None:
    if isinstance(seen, set):
        seen.update(firsts["__h__"].to_list())
    elif seen is not None:
        seen.keys = pl.concat([seen.keys, firsts])


def _append_duplicates(frame: pl.DataFrame, first: pl.Series, item: dict) -> pl.DataFrame:
    """Append the duplicate error to the rows with an earlier row (`first` not null); the new
    lists are built for those rows only and gathered into place."""
    names = {f["code"]: f["name"] for f in item["fields"]}
    keys = "、".join(names.get(k, k) for k in item["business_key"])
    first_row = pl.col("__first__")
    where = pl.when(first_row == -1).then(pl.lit("与此前批次中的一行重复")).otherwise(
        _text("与第", first_row.cast(pl.Utf8), "行重复"))
    entry = pl.struct(field=pl.lit(None, pl.Utf8), code=pl.lit("duplicate"),
                      message=_text(where, f"（{keys}相同）"))
    marked = frame.select("__errors__", first.alias("__first__"))
    updated = marked.filter(first_row.is_not_null()).select(
        pl.col("__errors__").list.concat(pl.concat_list(entry)))["__errors__"]
    index = np.arange(frame.height, dtype=np.uint32)
    index[first.is_not_null().to_numpy()] = np.arange(frame.height, frame.height + updated.len())
    errors = pl.concat([frame["__errors__"], updated]).rechunk().gather(pl.Series(index))
    return frame.with_columns(errors.alias("__errors__"))
