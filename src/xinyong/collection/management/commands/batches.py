from django.core.management import call_command
from django.core.management.base import BaseCommand

from xinyong.collection.tasks import resume


class Command(BaseCommand):
    help = ("Background processing of batches: `worker [--batch]` queues stranded batches "
            "again, then runs queued ones (with --batch: until the queue is empty); `resume` "
            "only queues stranded batches again.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        worker = actions.add_parser("worker", help="run the background worker")
        worker.add_argument("--batch", action="store_true",
                            help="process what is queued, then exit")
        worker.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at an empty queue (default 1)")
        actions.add_parser("resume", help="queue again batches left received or running by a "
                                          "stopped process")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_resume(self, **options):
        resumed = resume()
        for batch in resumed:
            self.stdout.write(f"batch {batch.pk} ({batch.item.code}, {batch.status}) queued again")
        if not resumed:
            self.stdout.write("no stranded batches")

    def handle_worker(self, *, batch, interval, verbosity, **options):
        self.handle_resume()
        call_command("db_worker", batch=batch, interval=interval, reload=False,
                     startup_delay=False, verbosity=verbosity, stdout=self.stdout,
                     stderr=self.stderr)
