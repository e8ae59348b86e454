"""`xinyong id check VALUE...` — validate identifiers (标识码校验) from the command line."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xinyong.core.identifiers import IdentifierError, parse_any


def _safe(text: str) -> str:
    """Text that any UTF-8 stream can print (argv may carry lone surrogates)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def check(value: str) -> dict:
    """One result row: the identifier's kind and parts, or the error and where it is."""
    row = {"value": _safe(value), "valid": False, "kind": None, "normalized": None,
           "subject_base": None, "subject_type": None, "parts": {},
           "error": None, "position": None, "code": None}
    try:
        ident = parse_any(value)
    except IdentifierError as exc:
        row.update(error=exc.message, position=exc.position, code=exc.code)
        return row
    parts = {k: v.isoformat() if isinstance(v, date) else v for k, v in ident.parts.items()}
    row.update(valid=True, kind=ident.kind, normalized=ident.value,
               subject_base=ident.subject_base, subject_type=ident.subject_type, parts=parts)
    return row


def _line(row: dict) -> str:
    if not row["valid"]:
        return f"{row['value']}\tinvalid\t{row['code']}: {row['error']}"
    parts = " ".join(f"{k}={v}" for k, v in row["parts"].items())
    kind = row["kind"] + (f" ({row['subject_type']})" if row["subject_type"] else "")
    return f"{row['normalized']}\t{kind}\t{parts}".rstrip()


class Command(BaseCommand):
    help = "Identifiers: `id check VALUE... [--json]` validates USCCs, organisation codes and " \
           "resident IDs; exit status 1 when any value is invalid."
    requires_system_checks = []  # pure functions: no database, no app state

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        checker = sub.add_parser("check", help="validate identifiers, one result per value")
        checker.add_argument("values", nargs="+", metavar="VALUE")
        checker.add_argument("--json", action="store_true", help="print a JSON array")

    def handle(self, *args, action, values, **options):
        rows = [check(value) for value in values]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                self.stdout.write(_line(row))
        invalid = sum(not row["valid"] for row in rows)
        if invalid:
            raise CommandError(f"{invalid} of {len(rows)} values invalid", returncode=1)
