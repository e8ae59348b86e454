"""The checks of an identifier field: its `max_length`, then those of its scheme — USCCs and
resident IDs in their own modules, organisation codes (GB 11714: malformed → error, wrong
check character → warning "check_char") and registration numbers (13 or 15 digits) here;
`other` has none beyond the length.
"""

import numpy as np
import polars as pl

from xinyong.core.identifiers import org_code_check_char

from .context import Context
from .fields import Field
from .identifier_forms import form_col, length_col, scheme
from .issues import Check, flagged_values, invalid
from .resident_ids import id_document_checks, resident_id_checks
from .text import length_checks
from .uscc import uscc_checks


def identifier_checks(f: Field, ctx: Context) -> list[Check]:
    checks = length_checks(f, pl.col(length_col(f.code)))
    kind = scheme(f)
    if kind == "uscc":
        checks.extend(uscc_checks(f, ctx))
    elif kind == "resident_id":
        checks.extend(resident_id_checks(f, ctx, pl.lit(True)))
    elif kind == "id_document":
        checks.extend(id_document_checks(f, ctx))
    elif kind == "org_code":
        checks.extend(_org_code_checks(f, ctx))
    elif kind == "registration_no":
        checks.append(invalid(f, ~pl.col(form_col(f.code)),
                              "不是有效的工商注册号，应为15位（或2007年以前的13位）数字"))
    return checks


def _org_code_checks(f: Field, ctx: Context) -> list[Check]:
    form = pl.col(form_col(f.code))
    values = ctx.distinct_values(f, form)
    check_chars = {code: f"校验位应为{org_code_check_char(code[:8])}，实为{code[8]}"
                   for code in values.filter(~pl.Series(_org_codes_ok(values))).to_list()}
    return [invalid(f, ~form, "不是有效的组织机构代码，应为8位数字或大写字母加1位校验码"
                              "（可带连字符，如12345678-8）"),
            flagged_values(f, check_chars, "check_char")]


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
