import json

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from xinyong.collection.models import Batch
from xinyong.collection.services import IngestError, submit, summary
from xinyong.collection.tasks import run


class Command(BaseCommand):
    help = ("归集: submit a department file (CSV, XLSX or JSON) for one catalog item; "
            "prints accepted, rejected, waiting and late counts and the batch id.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--item", required=True, help="catalog item code, e.g. XZCF")
        parser.add_argument("--department", required=True, help="department code, e.g. scjgj")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--backfill", action="store_true",
                            help="历史补录: history from an old system; due dates are kept but "
                                 "rows are not judged on time or late")

    def handle(self, *args, file, item, department, **options):
        columns = ("[progress.description]{task.description}", BarColumn(),
                   MofNCompleteColumn(), TimeElapsedColumn())
        quiet = options["json"] or options["no_progress"]
        with Progress(*columns, disable=quiet) as bar:
            task = bar.add_task(f"{item} ← {department}", total=None)
            try:
                batch = submit(file, item_code=item, department_code=department,
                               actor=f"cli:{department}", channel="cli",
                               backfill=options["backfill"])
            except (IngestError, FileNotFoundError, IsADirectoryError) as exc:
                raise CommandError(str(exc)) from None
            # As the worker does: under the batch's lock, a crash failing the batch with its reason.
            run(batch.pk, progress=lambda done, total: bar.update(task, completed=done,
                                                                  total=total))
            batch.refresh_from_db()
        result = summary(batch)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self._print(batch)
        if batch.status == Batch.Status.FAILED:
            raise CommandError(f"batch {batch.pk}: {batch.error}", returncode=1)

    def _print(self, batch):
        self.stdout.write(
            f"batch {batch.pk} ({batch.status}): {batch.total_rows} rows — "
            f"{batch.accepted} accepted ({batch.created_records} new, {batch.updated_records} "
            f"updated, {batch.unchanged_records} unchanged), {batch.rejected} rejected, "
            f"{batch.waiting} waiting for linking, {batch.late} late")
        for warning in batch.warnings:
            self.stdout.write(f"warning: {warning}")
