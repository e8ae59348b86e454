from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from xinyong.demo import submissions
from xinyong.demo.generator import SIZES
from xinyong.demo.services import AlreadyBuilt, build_city, create_demo_logins, read_logins

PHASES = {"subjects": "subjects ({size})", "files": "department files",
          "ingest": "collection (归集)"}


class RichProgress(submissions.Progress):
    """The build's phases as rich progress bars, one a phase."""

    def __init__(self, bar: Progress, size: str):
        self.bar, self.size, self.tasks = bar, size, {}

    def start(self, phase: str, total: int) -> None:
        description = PHASES.get(phase, phase).format(size=self.size)
        self.tasks[phase] = self.bar.add_task(description, total=total)

    def advance(self, phase: str, steps: int) -> None:
        self.bar.advance(self.tasks[phase], steps)


class Command(BaseCommand):
    help = "The synthetic Qingdao: `demo build --size small|medium|city [--seed N]`, `demo logins`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="generate subjects and the departments' "
                                             "submissions into an empty database")
        build.add_argument("--size", choices=sorted(SIZES), default="small")
        build.add_argument("--seed", type=int, default=2017)
        build.add_argument("--no-progress", action="store_true")
        sub.add_parser("logins", help="print the demo logins")

    def handle(self, *args, action, **options):
        if action == "logins":
            return self.print_logins(read_logins())
        size = SIZES[options["size"]]
        try:
            with Progress("[progress.description]{task.description}", BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(),
                          disable=options["no_progress"]) as bar:
                built = build_city(size, seed=options["seed"],
                                   progress=RichProgress(bar, options["size"]))
            logins = create_demo_logins()
        except AlreadyBuilt as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"database error (did you run `xinyong migrate`?): {exc}") from None
        self.stdout.write(f"built {built.subjects} subjects "
                          f"({size.enterprises} enterprises, {size.non_enterprises} "
                          f"non-enterprise legal persons, {size.persons} persons)")
        if built.submissions:
            for line in built.submissions.lines():
                self.stdout.write(line)
        self.print_logins(logins)

    def print_logins(self, logins):
        if not logins:
            raise CommandError("no demo logins: run `xinyong demo build` first")
        self.stdout.write("demo logins (console http://127.0.0.1:8000/console/, "
                          "admin http://127.0.0.1:8000/admin/):")
        for login in logins:
            department = f" @ {login['department']}" if login["department"] else ""
            self.stdout.write(f"  {login['username']:<8} {login['password']:<14} "
                              f"{login['role']}{department}")
