"""The character sets several rules share: whitespace exactly as Python's `str.isspace` sees
it, the control characters every field rejects (with the `[U+001F]` labels messages show
them by), and the full-width forms that short values and identifier codes are read through.
"""

import sys

# Exactly the characters Python's `str.isspace` accepts (Rust's `\\s` lacks U+001C..U+001F),
# so `strip()`-based rules of the catalog and their polars twins agree.
PYTHON_WHITESPACE = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
WHITESPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PYTHON_WHITESPACE) + "]"

# C0 and C1 controls other than tab, line feed and carriage return (NUL included).
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]"
CONTROL_CHARS = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                  *range(0x7F, 0xA0)]]
CONTROL_LABELS = [f"[U+{ord(c):04X}]" for c in CONTROL_CHARS]

HALFWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
