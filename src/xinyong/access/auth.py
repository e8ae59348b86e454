"""Bearer-token authentication for the Ninja API, with per-endpoint scopes.

    from xinyong.access.auth import ApiClientAuth

    @router.get("/subjects/{code}", auth=ApiClientAuth(scopes=["subjects:read"]))
    def subject(request, code: str):
        department = request.api_client.department
        ...

An unknown, malformed or revoked token gets 401 (Ninja's {"detail": "Unauthorized"}); a valid
token without a required scope gets 403 with a message naming the missing scope.
"""

from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from .scopes import SCOPES, unknown_scopes
from .services import find_client, touch_client

__all__ = ["ApiClientAuth"]


class ApiClientAuth(HttpBearer):
    """Authenticate an `ApiClient` by its bearer token and require `scopes` (all of them)."""

    def __init__(self, scopes=()):
        if unknown := unknown_scopes(scopes):
            raise ValueError(f"unknown API scope(s) {', '.join(map(str, unknown))}; "
                             f"known: {', '.join(SCOPES)}")
        self.scopes = tuple(scopes)
        super().__init__()

    def authenticate(self, request, token):
        client = find_client(token)
        if client is None:
            return None
        if missing := [scope for scope in self.scopes if scope not in client.scopes]:
            raise AuthorizationError(
                403, f"API client {client.pk} lacks the scope {', '.join(missing)} needed for "
                     f"this endpoint; ask the credit centre to grant it")
        touch_client(client)
        request.api_client = client
        return client
