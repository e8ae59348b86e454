from django.core.management.base import BaseCommand, CommandError

from xinyong.journal.services import verify


class Command(BaseCommand):
    help = "Journal (变更日志) tools: `xinyong journal verify` checks the hash chain end to end."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = verify()
        if not result.ok:
            raise CommandError(f"journal broken at entry {result.broken_seq}: {result.problem} "
                               f"({result.checked} entries before it are intact)")
        self.stdout.write(f"journal intact: {result.checked} entries verified")
