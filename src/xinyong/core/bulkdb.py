"""Fast bulk inserts behind one interface: `executemany` on SQLite, `COPY` on PostgreSQL.

Callers pass rows of plain Python values. Columns named in `convert` hold dates, datetimes,
decimals or JSON and are turned into the text SQLite stores for Django (PostgreSQL's COPY
adapts them itself, except JSON, which both get as text). Everything runs inside the
caller's transaction.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

import polars as pl
from django.db import connection

__all__ = ["insert_frame", "insert_rows", "reserve_ids", "select_in", "storage_value"]

IN_CHUNK = 100_000  # values per select_in query


def reserve_ids(table: str, count: int) -> int:
    """Reserve `count` consecutive primary keys of `table`; return the first.

    PostgreSQL advances the table's sequence; SQLite serialises writers (IMMEDIATE
    transactions), so MAX(id) + 1 is safe inside the caller's transaction.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
            ids = [row[0] for row in cursor.fetchall()]
            if ids != list(range(ids[0], ids[0] + count)):
                raise RuntimeError(f"could not reserve {count} consecutive ids in {table}")
            return ids[0]
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
        return cursor.fetchone()[0]


def storage_value(value, *, postgresql: bool):
    """One value as the backend stores it (dates as ISO text, datetimes as naive UTC text on
    SQLite; JSON as text on both)."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if postgresql:
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, int | float | str):
        return str(value)
    return value


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence],
                convert: Iterable[str] = ()) -> None:
    postgresql = connection.vendor == "postgresql"
    positions = [columns.index(name) for name in convert]
    if positions:
        rows = (_converted(row, positions, postgresql) for row in rows)
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if postgresql:
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})',
                               list(rows))


def _converted(row: Sequence, positions: list[int], postgresql: bool) -> list:
    row = list(row)
    for index in positions:
        row[index] = storage_value(row[index], postgresql=postgresql)
    return row


def select_in(query: str, values: Iterable, params: Sequence = ()) -> list[tuple]:
    """Run `query` for a large set of values in few round trips.

    `query` holds `{in_values}` where `column {in_values}` should test membership, e.g.
    `SELECT code, id FROM subjects_subject WHERE code {in_values}`; its own parameters
    (`params`) come first. PostgreSQL gets one array (`= ANY(%s)`), SQLite one JSON array
    (`IN (SELECT value FROM json_each(%s))`) — no per-value placeholders, no variable limit.
    """
    values = list(values)
    postgresql = connection.vendor == "postgresql"
    sql = query.format(in_values="= ANY(%s)" if postgresql
                       else "IN (SELECT value FROM json_each(%s))")
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            cursor.execute(sql, [*params, chunk if postgresql
                                 else json.dumps(chunk, ensure_ascii=False)])
            found.extend(cursor.fetchall())
    return found


def insert_frame(table: str, frame: pl.DataFrame) -> None:
    """Insert a polars frame whose columns are named after the table's. Dates may be Date
    or ISO text, booleans Boolean; JSON must already be text. PostgreSQL gets the frame as
    CSV through COPY; SQLite gets its rows through executemany."""
    names = ", ".join(f'"{c}"' for c in frame.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY \"{table}\" ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                for start in range(0, frame.height, 50_000):
                    copy.write(frame.slice(start, 50_000).write_csv(
                        include_header=False, null_value="\\N").encode())
        else:
            placeholders = ", ".join(["?"] * frame.width)
            cursor.cursor.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})',
                _sqlite_ready(frame).iter_rows())


def _sqlite_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates as ISO text, datetimes as naive UTC text, as Django stores them in SQLite."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            exprs.append(pl.col(name).dt.convert_time_zone("UTC")
                         .dt.strftime("%Y-%m-%d %H:%M:%S%.6f") if dtype.time_zone
                         else pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
    return frame.with_columns(exprs) if exprs else frame
