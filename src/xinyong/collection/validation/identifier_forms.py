"""How identifier values are read: normalised like `core.text.normalize_code` (trimmed,
half-width, no spaces or hyphens, ASCII upper case; a code that normalises to "" is blank),
then measured and matched against the shape of the field's scheme, once per distinct value.
Also the helpers the scheme checks share. Schemes: `uscc` (GB 32100), `org_code`
(GB 11714), `registration_no`, `resident_id` (GB 11643), `id_document` (a resident ID or any
other document) and `other` (length only).
"""

import numpy as np
import polars as pl

from .characters import HALFWIDTH, WHITESPACE_CLASS
from .fields import Field, canonical_col, control_col, scratch_col

# normalize_code as polars: full-width to ASCII, ASCII upper case, then drop what it drops.
_CODE_MAP = {k: v.upper() if v.isascii() else v for k, v in HALFWIDTH.items()} | {
    chr(c): chr(c - 32) for c in range(ord("a"), ord("z") + 1)}
_CODE_DROP = "[" + WHITESPACE_CLASS[1:-1] + r"\-\x{2010}-\x{2014}\x{2212}\x{fe63}" + \
    r"\x{200b}-\x{200d}\x{2060}\x{feff}]"

CANONICAL_CODE = r"^[0-9A-Z]+$"
_RID18_FORM = r"^[0-9]{17}[0-9X]$"
_RID15_FORM = r"^[0-9]{15}$"
_FORMS = {"uscc": r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$",
          "org_code": r"^[0-9A-Z]{8}[0-9X]$",
          "registration_no": r"^(?:[0-9]{13}|[0-9]{15})$",
          "resident_id": _RID18_FORM, "id_document": _RID18_FORM}


def scheme(f: Field) -> str:
    return f.spec.get("scheme") or "other"


def length_col(code: str) -> str:
    return f"__len_{code}"


def form_col(code: str) -> str:
    """Whether the code has its scheme's shape (a resident ID: the 18-character one)."""
    return f"__form_{code}"


def form15_col(code: str) -> str:
    """Whether a resident ID has the old 15-digit shape."""
    return f"__form15_{code}"


def normalise_codes(expr: pl.Expr) -> pl.Expr:
    """`core.text.normalize_code` as a polars expression ("" stays "")."""
    return expr.str.replace_many(_CODE_MAP).str.replace_all(_CODE_DROP, "")


def prepare_identifier(f: Field) -> list[dict]:
    code = pl.col(scratch_col(f, "code"))
    return [{scratch_col(f, "code"): normalise_codes(f.orig)},
            {canonical_col(f.code): pl.when(code != "").then(code)},
            _shape_columns(f)]


def canonical_code(f: Field) -> list[dict]:
    """The prepared columns of an identifier already in canonical form."""
    return [{canonical_col(f.code): f.orig, control_col(f.code): pl.lit(False)},
            _shape_columns(f)]


def _shape_columns(f: Field) -> dict:
    """Length and well-formedness of a canonical code, for its scheme (a resident ID also
    in its 15-digit form)."""
    columns = {length_col(f.code): f.canon.str.len_chars()}
    if scheme(f) in _FORMS:
        columns[form_col(f.code)] = f.canon.str.contains(_FORMS[scheme(f)])
    if scheme(f) in ("resident_id", "id_document"):
        columns[form15_col(f.code)] = f.canon.str.contains(_RID15_FORM)
    return columns


def as_unicode_array(values: pl.Series, width: int) -> np.ndarray:
    """Fixed-width codes (all exactly `width` characters) as a numpy `U<width>` array, for the
    batch checks of `core.identifiers`."""
    if values.is_empty():
        return np.array([], dtype=f"<U{width}")
    joined = values.str.join("").item()
    return np.frombuffer(joined.encode("utf-32-le"), dtype=f"<U{width}")
