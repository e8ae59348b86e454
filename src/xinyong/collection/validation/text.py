"""Rules on the characters and length of a value. Every field rejects control characters
other than tab, line feed and carriage return (NUL included), and a field with `max_length`
rejects longer values (counted in characters). Free text (string, text) has no other rule:
it is kept as found (the reader strips it), blank → null, and checked whole rather than per
distinct value. Formula-looking values (=, +, -, @ first) are plain text here: exports
neutralise them.
"""

import polars as pl

from .characters import CONTROL, CONTROL_CHARS, CONTROL_LABELS, WHITESPACE_CLASS
from .context import Context
from .fields import Field, canonical_col, control_col
from .issues import Check, compose, quoted


def has_control(expr: pl.Expr) -> pl.Expr:
    return expr.str.contains(CONTROL)


def prepare_text(f: Field) -> dict:
    """The canonical column of a string or text field."""
    blank = f.orig.str.contains(f"^{WHITESPACE_CLASS}*$")
    return {canonical_col(f.code): pl.when(~blank).then(f.orig)}


def control_check(f: Field) -> Check:
    failed = pl.col(control_col(f.code)) if f.per_value else has_control(f.orig)
    char = f.orig.str.extract(f"({CONTROL})").str.replace_many(
        CONTROL_CHARS, [label[1:-1] for label in CONTROL_LABELS])
    position = f.orig.str.extract(f"^([^{CONTROL[1:-1]}]*){CONTROL}").str.len_chars() + 1
    message = compose(f.label, "含有控制字符", char, "（第", position.cast(pl.Utf8), "个字符）：",
                      quoted(f.orig))
    return Check(f.code, "control_char", failed, message)


def length_checks(f: Field, length: pl.Expr) -> list[Check]:
    limit = f.spec.get("max_length")
    if not limit:
        return []
    message = compose(f.label, "长度为", length.cast(pl.Utf8),
                      f"个字符，超过上限{limit}个字符：", quoted(f.orig))
    return [Check(f.code, "too_long", length > limit, message)]


def text_checks(f: Field, ctx: Context) -> list[Check]:
    return length_checks(f, f.canon.str.len_chars())
