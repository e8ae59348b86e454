import shutil

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from xinyong.demo import department_system, submissions
from xinyong.demo.generator import SIZES
from xinyong.demo.services import (
    AlreadyBuilt,
    build_city,
    create_demo_logins,
    demo_client,
    logins_path,
    read_logins,
)

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


class Output:
    """A file-like view of the command's stdout for rich (which writes partial lines)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, text: str) -> int:
        self.stdout.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.stdout.flush()

    def isatty(self) -> bool:
        return self.stdout.isatty()


class Command(BaseCommand):
    help = ("The synthetic Qingdao: `demo build --size small|medium|city [--seed N]`, "
            "`demo logins`, `demo department-system [--url URL] [--token T]`.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="generate subjects and the departments' "
                                             "submissions into an empty database")
        build.add_argument("--size", choices=sorted(SIZES), default="small")
        build.add_argument("--seed", type=int, default=2017)
        build.add_argument("--no-progress", action="store_true")
        sub.add_parser("logins", help="print the demo logins")
        system = sub.add_parser(
            "department-system",
            help="play the finance bureau's procurement system against a running server: "
                 "check a tender's bidders, report the measures taken")
        system.add_argument("--url", default="http://127.0.0.1:8000",
                            help="the platform (default http://127.0.0.1:8000)")
        system.add_argument("--token", help="the API token (default: the demo client's, from "
                                            "var/demo-logins.json)")
        system.add_argument("--seed", type=int, help="choose the bidders reproducibly")
        system.add_argument("--tender", type=int, help="the tender's number (青财采〔year〕N号)")

    def handle(self, *args, action, **options):
        if action == "logins":
            return self.print_logins(read_logins())
        if action == "department-system":
            return self.department_system(**options)
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
        for line in built.lines():
            self.stdout.write(line)
        self.print_logins(logins)

    def print_logins(self, demo):
        if not demo["logins"]:
            raise CommandError("no demo logins: run `xinyong demo build` first")
        self.stdout.write("demo logins (console http://127.0.0.1:8000/console/, "
                          "admin http://127.0.0.1:8000/admin/):")
        for login in demo["logins"]:
            department = f" @ {login['department']}" if login["department"] else ""
            self.stdout.write(f"  {login['username']:<8} {login['password']:<14} "
                              f"{login['role']}{department}")
        if demo["api_clients"]:
            self.stdout.write("demo API client (http://127.0.0.1:8000/api/docs; "
                              "`xinyong demo department-system` plays it):")
        for client in demo["api_clients"]:
            self.stdout.write(f"  #{client['id']} {client['name']} @ {client['department']} "
                              f"[{', '.join(client['scopes'])}]")
            self.stdout.write(f"  token: {client['token']}")

    def department_system(self, *, url, token, seed, tender, **options):
        if not token:
            client = demo_client(department_system.DEPARTMENT)
            if client is None:
                raise CommandError(f"no token: {logins_path()} holds no demo API client of "
                                   f"{department_system.DEPARTMENT} (run `xinyong demo build` "
                                   "into a fresh database), or pass --token")
            token = client["token"]
        width = shutil.get_terminal_size((140, 40)).columns if self.stdout.isatty() else 140
        out = Console(file=Output(self.stdout), width=max(width, 100), highlight=False,
                      soft_wrap=False)
        try:
            department_system.run(url=url, token=token, out=out, seed=seed, tender=tender)
        except department_system.DepartmentSystemError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"database error (did you run `xinyong migrate`?): {exc}") from None
