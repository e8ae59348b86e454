"""行政处罚 (XZCF) test data shared by the collection, queue and console tests: valid rows
built from the catalog's example row, and the CSV file a department would send."""

import csv
import io
from datetime import date
from pathlib import Path

from xinyong.collection.templates import example_row
from xinyong.core.identifiers import make_uscc

ROOT = Path(__file__).resolve().parents[1]


def penalty_row(spec: dict, number: int, **changes) -> dict:
    """A valid XZCF row (field code → value) against the organisation numbered `number`."""
    row = example_row(spec, today=date(2026, 11, 2))
    row.update(CF_WSH=f"青市监罚〔2026〕{number}号", CF_XDR_SHXYM=make_uscc(
        "9", "1", "370202", f"{number:08d}"), CF_XDR_MC=f"青岛测试{number}有限公司")
    row.update(changes)
    return row


def penalty_csv(path: Path, spec: dict, rows: list[dict], encoding="utf-8-sig") -> Path:
    """`rows` as a CSV file with the Chinese field names as headers."""
    names = {f["code"]: f["name"] for f in spec["fields"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([names[code] for code in rows[0]])
    writer.writerows(row.values() for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
