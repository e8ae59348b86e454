"""Fast bulk inserts behind one interface: `executemany` on SQLite, `COPY` on PostgreSQL.

Callers pass rows of plain Python values. Columns named in `convert` hold dates, datetimes,
decimals or JSON and are turned into the text SQLite stores for Django (PostgreSQL's COPY
adapts them itself, except JSON, which both get as text). Everything runs inside the
caller's transaction.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.db import connection

__all__ = ["insert_rows", "reserve_ids", "storage_value"]


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
