from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from xinyong.demo.generator import SIZES
from xinyong.demo.services import AlreadyBuilt, build_city, create_demo_logins, read_logins


class Command(BaseCommand):
    help = "The synthetic Qingdao: `demo build --size small|medium|city [--seed N]`, `demo logins`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="generate subjects into an empty database")
        build.add_argument("--size", choices=sorted(SIZES), default="small")
        build.add_argument("--seed", type=int, default=2017)
        build.add_argument("--no-progress", action="store_true")
        sub.add_parser("logins", help="print the demo logins")

    def handle(self, *args, action, **options):
        if action == "logins":
            return self.print_logins(read_logins())
        size = SIZES[options["size"]]
        total = size.enterprises + size.non_enterprises + size.persons
        try:
            with Progress("[progress.description]{task.description}", BarColumn(),
                          MofNCompleteColumn(), TimeElapsedColumn(),
                          disable=options["no_progress"]) as bar:
                task = bar.add_task(f"demo city ({options['size']})", total=total)
                built = build_city(size, seed=options["seed"],
                                   progress=lambda n: bar.advance(task, n))
            logins = create_demo_logins()
        except AlreadyBuilt as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"database error (did you run `xinyong migrate`?): {exc}") from None
        self.stdout.write(f"built {built} subjects "
                          f"({size.enterprises} enterprises, {size.non_enterprises} "
                          f"non-enterprise legal persons, {size.persons} persons)")
        self.print_logins(logins)

    def print_logins(self, logins):
        if not logins:
            raise CommandError("no demo logins: run `xinyong demo build` first")
        self.stdout.write("demo logins (http://127.0.0.1:8000/admin/):")
        for login in logins:
            department = f" @ {login['department']}" if login["department"] else ""
            self.stdout.write(f"  {login['username']:<8} {login['password']:<14} "
                              f"{login['role']}{department}")
