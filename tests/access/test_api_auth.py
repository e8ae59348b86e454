"""ApiClientAuth: bearer tokens with scopes on a tiny Ninja API mounted by tests/access/urls.py."""

from datetime import timedelta

import pytest
from django.utils import timezone
from ninja import NinjaAPI

from xinyong.access import services
from xinyong.access.auth import ApiClientAuth
from xinyong.access.models import ApiClient
from xinyong.access.services import revoke_client

api = NinjaAPI(urls_namespace="access-auth-test", docs_url=None)


@api.get("/subjects", auth=ApiClientAuth(scopes=["subjects:read"]))
def subjects(request):
    return {"client": request.api_client.name,
            "department": request.api_client.department.code}


@api.get("/checks", auth=ApiClientAuth(scopes=["checks:write", "subjects:read"]))
def checks(request):
    return {"ok": True}


pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.access.urls")]


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_authenticates(client, api_client_and_token):
    api_client, token = api_client_and_token
    response = client.get("/test-api/subjects", **bearer(token))
    assert response.status_code == 200
    assert response.json() == {"client": "市场监管报送系统", "department": "QDSCJG"}


@pytest.mark.parametrize("header", [None, "Bearer not-a-token-at-all", "Basic abc",
                                    "Bearer "])
def test_missing_or_unknown_token_is_401(client, api_client_and_token, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/test-api/subjects", **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_revoked_token_is_401(client, api_client_and_token):
    api_client, token = api_client_and_token
    revoke_client(client_id=api_client.pk, actor="test")
    assert client.get("/test-api/subjects", **bearer(token)).status_code == 401


def test_missing_scope_is_403_naming_it(client, api_client_and_token):
    api_client, token = api_client_and_token
    response = client.get("/test-api/checks", **bearer(token))
    assert response.status_code == 403
    assert response.json() == {"detail": f"API client {api_client.pk} lacks the scope "
                                         "checks:write needed for this endpoint; ask the "
                                         "credit centre to grant it"}


def test_last_used_is_written_at_most_once_a_minute(client, api_client_and_token, monkeypatch):
    monkeypatch.setattr(services, "CLIENT_CACHE_SECONDS", 0)  # read the backdated use below
    api_client, token = api_client_and_token
    client.get("/test-api/subjects", **bearer(token))
    first = ApiClient.objects.get(pk=api_client.pk).last_used_at
    assert first is not None
    client.get("/test-api/subjects", **bearer(token))
    assert ApiClient.objects.get(pk=api_client.pk).last_used_at == first
    ApiClient.objects.filter(pk=api_client.pk).update(
        last_used_at=timezone.now() - timedelta(seconds=61))
    client.get("/test-api/subjects", **bearer(token))
    assert ApiClient.objects.get(pk=api_client.pk).last_used_at > first


def test_unknown_scope_in_code_fails_at_import_time():
    with pytest.raises(ValueError, match="unknown API scope"):
        ApiClientAuth(scopes=["subjects:raed"])
