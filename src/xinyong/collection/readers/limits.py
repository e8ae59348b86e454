"""Limits (读取上限): every size limit and read step of the readers, and how a size is written
in a message. They live together so there is one place to read and tune them; the other
modules look them up here when they run (`limits.CSV_CHUNK`, not a copy imported at load
time), so a test can shrink one with `monkeypatch.setattr(limits, ...)`.
"""

MIB = 2**20
DEFAULT_MAX_BYTES = 512 * MIB  # a submitted file
DECODE_BLOCK = MIB  # encoding detection and transcoding step
CSV_CHUNK = 4 * MIB  # bytes of CSV handed to polars at a time
HEADER_LIMIT = MIB  # the header row must end within the first MiB
JSON_BLOCK = MIB  # characters of JSON read at a time
MAX_RECORD_BYTES = 64 * MIB  # one CSV record or JSON row
SOURCE_ROWS = 8192  # XLSX / JSON rows per source frame (Python objects until then)
ZIP_MAX_TOTAL = 2**30  # total uncompressed size of an XLSX
ZIP_MAX_RATIO = 100  # compression ratio allowed on a large entry
ZIP_LARGE_ENTRY = 10 * MIB
ZIP_MAX_ENTRIES = 10_000
XLSX_MAX_CELLS = 8_000_000  # calamine holds a sheet in memory, ~65 bytes a cell
UTF8_EVIDENCE = 8  # valid multi-byte UTF-8 characters before a bad byte: broken UTF-8, not GBK


def size_text(size: int) -> str:
    """A size as messages show it: "3.5 MiB" from 1 MiB on, else "1000字节"."""
    if size >= MIB:
        return f"{size / MIB:.1f} MiB"
    return f"{size}字节"
