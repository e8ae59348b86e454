"""Masking (脱敏) of personal data on public pages and in exports.

Resident IDs are sensitive personal information (敏感个人信息, 个人信息保护法 Art. 28); codes
of organisations (USCC, organisation code) are public registration data and stay readable.
"""

from .text import normalize_code

__all__ = ["mask_identifier", "mask_name", "mask_resident_id"]

STAR = "*"
_PUBLIC_KINDS = frozenset({"uscc", "org_code", "uscc_placeholder"})


def _as_text(value: object) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def mask_resident_id(value: object) -> str:
    """身份证号脱敏 — first 4 and last 4 characters of the normalised number, stars between
    (same length). Numbers of 8 characters or fewer are starred entirely, since keeping 4 + 4
    would show everything."""
    code = normalize_code(_as_text(value))
    if len(code) <= 8:
        return STAR * len(code)
    return code[:4] + STAR * (len(code) - 8) + code[-4:]


def mask_name(name: object) -> str:
    """姓名脱敏 — keep the first character and, from 3 characters on, the last one:
    张三 → 张*, 王小明 → 王*明, 欧阳小明 → 欧**明. Whitespace is dropped first."""
    text = "".join(_as_text(name).split())
    if len(text) <= 2:
        return text[:1] + STAR * (len(text) - 1)
    return text[0] + STAR * (len(text) - 2) + text[-1]


def mask_identifier(kind: str, value: object) -> str:
    """标识码脱敏 by identifier kind: resident IDs masked, organisation codes unchanged, any
    other kind (passport, permit, unknown) starred except the last 4 characters."""
    if kind == "resident_id":
        return mask_resident_id(value)
    text = _as_text(value)
    if kind in _PUBLIC_KINDS:
        return text
    code = normalize_code(text)
    keep = min(4, len(code) // 2)  # never show more than half of a short value
    return STAR * (len(code) - keep) + code[len(code) - keep:]
