import getpass
import secrets
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinyong.access.roles import DEPARTMENT_ROLES, ROLE_LABELS
from xinyong.access.services import create_staff_user

from ._common import cli_actor, command_error


class Command(BaseCommand):
    help = ("Staff users: `create --username U --role ROLE [--department CODE] "
            "[--password P]`; without --password it prompts, or generates one when not "
            "run from a terminal.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a staff user with one role")
        create.add_argument("--username", required=True)
        create.add_argument("--role", required=True, choices=list(ROLE_LABELS))
        create.add_argument("--department", metavar="CODE",
                            help=f"required for {' and '.join(sorted(DEPARTMENT_ROLES))}")
        create.add_argument("--password", help="avoid on shared machines: it stays in the "
                                                "shell history")

    def handle(self, *args, action, **options):
        self.handle_create(**options)

    def handle_create(self, *, username, role, department, password, **options):
        generated = False
        if password is None:
            password, generated = self.ask_password()
        try:
            user = create_staff_user(username=username, password=password, role=role,
                                     department_code=department, actor=cli_actor())
        except ValidationError as exc:
            raise command_error(exc) from None
        where = f" in department {department}" if department else ""
        self.stdout.write(f"user {user.get_username()} created as {role}{where}")
        if generated:
            self.stdout.write(f"password: {password}")
            self.stdout.write("this password is shown only once; pass it on securely")

    def ask_password(self) -> tuple[str, bool]:
        """Prompt on a terminal (an empty answer generates one); otherwise generate."""
        if not sys.stdin.isatty():
            return secrets.token_urlsafe(12), True
        first = getpass.getpass("Password (empty to generate one): ")
        if not first:
            return secrets.token_urlsafe(12), True
        if getpass.getpass("Password again: ") != first:
            raise CommandError("the passwords do not match")
        return first, False
