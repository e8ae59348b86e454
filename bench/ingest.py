"""End-to-end collection of a generated 行政处罚 (XZCF) CSV, against a raw bulk insert.

    python bench/ingest.py                       # 100 k rows on SQLite
    python bench/ingest.py --rows 1000000        # the issue's target size
    python bench/ingest.py --postgres            # inside a throwaway PostgreSQL cluster

The subjects the rows name are registered first (the common case: penalties against known
organisations); the timed part is `collection.services.ingest` — read, validate, link, store,
journal. The baseline reads the records the ingest stored back, deletes them and inserts
the same rows straight into the same table with `core.bulkdb.insert_frame` (the bulk insert
the pipeline itself uses: executemany on SQLite, COPY on PostgreSQL) in one committed
transaction.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(var: str) -> None:
    os.environ["XINYONG_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("catalog", "load", stdout=open(os.devnull, "w"))


def register_subjects(rows: int):
    from xinyong.core.identifiers import make_uscc
    from xinyong.subjects.bulk import BulkSubject, bulk_register

    organisation = ("王海", None, None, "", "", "")
    codes = [make_uscc("9", "1", "370202", f"{n:08d}") for n in range(rows)]
    for start in range(0, rows, 10_000):
        bulk_register([BulkSubject("enterprise", "企业", c, f"青岛测试{start + i}有限公司",
                                   "370202", organisation=organisation)
                       for i, c in enumerate(codes[start:start + 10_000])],
                      actor="bench", reason="bench subjects")
    return codes


def write_csv(path: Path, codes: list[str]) -> None:
    from xinyong.catalog.models import InformationItem
    from xinyong.collection.services import item_spec
    from xinyong.collection.templates import example_row

    spec = item_spec(InformationItem.objects.get(code="XZCF"))
    names = {f["code"]: f["name"] for f in spec["fields"]}
    base = example_row(spec, today=date(2026, 11, 2))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([names[c] for c in base])
        for n, code in enumerate(codes):
            row = dict(base, CF_WSH=f"青市监罚〔2026〕{n}号", CF_XDR_SHXYM=code,
                       CF_XDR_MC=f"青岛测试{n}有限公司")
            writer.writerow(row.values())


def time_ingest(path: Path) -> tuple[float, object]:
    from xinyong.collection.services import ingest

    started = time.perf_counter()
    batch = ingest(path, item_code="XZCF", department_code="scjgj", actor="bench",
                   today=date(2026, 11, 20))
    return time.perf_counter() - started, batch


def time_raw_insert(batch) -> float:
    """The same record rows, inserted straight into the same table: the batch's records are
    read back and deleted, then inserted again with one bulk insert and committed (the
    commit counted, as the ingest's is: it runs PostgreSQL's deferred foreign-key checks)."""
    import polars as pl
    from django.db import connection, transaction

    from xinyong.core.bulkdb import insert_frame
    from xinyong.records.models import Record
    from xinyong.records.services import RECORD_COLUMNS

    columns = ", ".join("CAST(fields AS text)" if c == "fields" else c for c in RECORD_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM records_record WHERE batch_id = %s", [batch.pk])
        frame = pl.DataFrame(cursor.fetchall(), schema=RECORD_COLUMNS, orient="row",
                             infer_schema_length=None)
        Record.objects.filter(batch_id=batch.pk)._raw_delete(connection.alias)
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE records_record")
    started = time.perf_counter()
    with transaction.atomic():
        insert_frame("records_record", frame)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    if args.postgres and "XINYONG_DATABASE_URL" not in os.environ:
        command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, __file__,
                   "--rows", str(args.rows), "--postgres"]
        sys.exit(subprocess.run(command, cwd=ROOT).returncode)
    var = tempfile.mkdtemp(prefix="xinyong-ingest-")
    setup_django(var)
    from django.db import connection

    codes = register_subjects(args.rows)
    path = Path(var) / "penalties.csv"
    write_csv(path, codes)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    seconds, batch = time_ingest(path)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    raw = time_raw_insert(batch)
    print(f"database: {connection.vendor}, rows: {args.rows:,}, "
          f"file: {path.stat().st_size / 2**20:.0f} MiB, {os.cpu_count()} cores")
    print(f"batch {batch.pk}: {batch.accepted} accepted, {batch.rejected} rejected, "
          f"{batch.waiting} waiting")
    print("| database | rows | ingest s | ingest rows/s | raw insert rows/s | ratio | "
          "peak RSS MiB (growth) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {connection.vendor} | {args.rows:,} | {seconds:.1f} | {args.rows / seconds:,.0f} "
          f"| {args.rows / raw:,.0f} | {raw / seconds:.1%} | {rss_after / 1024:.0f} "
          f"(+{(rss_after - rss_before) / 1024:.0f}) |")


if __name__ == "__main__":
    main()
