from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinyong.access.models import ApiClient
from xinyong.access.scopes import SCOPES
from xinyong.access.services import create_client, revoke_client

from ._common import cli_actor, command_error


class Command(BaseCommand):
    help = ("API clients (接口客户端): `create --department CODE --scopes a,b [--name N]` "
            "prints the token once; `list`; `revoke ID`. Scopes: " + ", ".join(SCOPES))

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a client and print its token once")
        create.add_argument("--department", required=True, metavar="CODE")
        create.add_argument("--scopes", required=True, help="comma-separated: "
                                                            + ", ".join(SCOPES))
        create.add_argument("--name", help="defaults to '<department code> API client'")
        actions.add_parser("list", help="list clients (never their tokens)")
        revoke = actions.add_parser("revoke", help="revoke a client's token for good")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--reason", default="")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except ValidationError as exc:
            raise command_error(exc) from None

    def handle_create(self, *, department, scopes, name, **options):
        scope_list = [s.strip() for s in scopes.split(",") if s.strip()]
        if not scope_list:
            raise CommandError(f"give at least one scope: {', '.join(SCOPES)}")
        client, token = create_client(name=name or f"{department} API client",
                                      department_code=department, scopes=scope_list,
                                      actor=cli_actor())
        self.stdout.write(f"API client {client.pk} '{client.name}' created for "
                          f"{client.department.code} ({client.department.name}) with scopes "
                          f"{', '.join(client.scopes)}")
        self.stdout.write(f"token: {token}")
        self.stdout.write("this token is shown only once and cannot be shown again: "
                          "store it now (send it as 'Authorization: Bearer <token>')")

    def handle_list(self, **options):
        clients = ApiClient.objects.select_related("department")
        if not clients:
            self.stdout.write("no API clients")
        for client in clients:
            self.stdout.write(self.describe(client))

    def handle_revoke(self, *, id, reason, **options):
        client = revoke_client(client_id=id, actor=cli_actor(), reason=reason)
        self.stdout.write(f"API client {client.pk} '{client.name}' revoked; "
                          "its token no longer works")

    @staticmethod
    def describe(client: ApiClient) -> str:
        if client.revoked_at:
            status = f"revoked {timezone.localtime(client.revoked_at):%Y-%m-%d %H:%M}"
        else:
            status = "active"
        used = (f"{timezone.localtime(client.last_used_at):%Y-%m-%d %H:%M}"
                if client.last_used_at else "never")
        return (f"{client.pk:>4}  {client.department.code:<12} {client.name}  "
                f"[{', '.join(client.scopes)}]  {client.token_prefix}…  "
                f"last used {used}  {status}")
