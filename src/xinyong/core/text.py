"""Text normalisation (文本规范化) for codes and organisation names.

Pure functions on `str`; each is idempotent, so normalising twice never changes a key.
"""

import re

__all__ = ["name_bigrams", "normalize_code", "normalize_name", "to_halfwidth"]

_CANONICAL_CODE = re.compile(r"[0-9A-Z]*")  # already normalised: the common case, kept fast

# Full-width ASCII block U+FF01..U+FF5E sits at a fixed offset from U+0021..U+007E.
_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALFWIDTH.update({0x3000: 0x20, 0x00A0: 0x20})  # ideographic and no-break space

# Invisible characters that copy-paste and Excel exports leave inside codes and names.
_INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None}

# Dashes people type between the 8 body characters and the check character of an
# organisation code (12345678-8); all are dropped from codes.
_CODE_DROP = dict.fromkeys(map(ord, "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63"), None)
_CODE_DROP.update(_INVISIBLE)
# Only ASCII is upper-cased: str.upper() would turn e.g. the dotless i or a ligature into
# ASCII letters, silently "repairing" a code that was not typed as such.
_ASCII_UPPER = {cp: cp - 32 for cp in range(ord("a"), ord("z") + 1)}

_BRACKETS = {ord(c): "(" for c in "[【〔〖"} | {ord(c): ")" for c in "]】〕〗"}
# Latin letters only (ASCII, Latin-1, Extended-A/B and Additional): other scripts keep case.
_LATIN_FOLD = {
    cp: ch.casefold()
    for cp in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    if (ch := chr(cp)).casefold() != ch
}


def to_halfwidth(s: str) -> str:
    """全角转半角 — full-width ASCII and spaces to half-width; CJK characters unchanged."""
    return s.translate(_HALFWIDTH)


def normalize_code(value: str) -> str:
    """Canonical form of an identifier (代码): trimmed, half-width, without spaces or
    hyphens inside, ASCII upper-case. It does not validate anything."""
    if not isinstance(value, str):
        raise TypeError(f"normalize_code expects str, got {type(value).__name__}")
    if _CANONICAL_CODE.fullmatch(value):
        return value
    text = to_halfwidth(value).translate(_CODE_DROP)
    return "".join(text.split()).translate(_ASCII_UPPER)


def normalize_name(name: str) -> str:
    """Matching key of an organisation name (名称): half-width, every bracket variant as
    ( ), no whitespace, Latin letters case-folded. Idempotent."""
    if not isinstance(name, str):
        raise TypeError(f"normalize_name expects str, got {type(name).__name__}")
    text = to_halfwidth(name).translate(_BRACKETS).translate(_INVISIBLE)
    return "".join(text.split()).translate(_LATIN_FOLD)


def name_bigrams(name_norm: str) -> list[str]:
    """Overlapping two-character tokens of a normalised name's letters and digits, in order:
    青岛海尔(集团) → 青岛 岛海 海尔 尔集 集团. The search index stores them, and a query's bigrams
    matched as a phrase find the names containing it; punctuation is left out (a tokenizer
    would split on it), so callers recheck the exact substring. One character gives itself."""
    text = "".join(ch for ch in name_norm if ch.isalnum())
    return [text] if len(text) == 1 else [text[i:i + 2] for i in range(len(text) - 1)]
