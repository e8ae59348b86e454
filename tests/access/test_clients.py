"""API clients (接口客户端): creation, listing, revocation; tokens shown once, never stored."""

import re
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from xinyong.access.models import ApiClient
from xinyong.access.services import create_client, find_client, revoke_client
from xinyong.journal.models import Entry

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("clients", *args, stdout=out)
    return out.getvalue()


def token_in(text: str) -> str:
    return re.search(r"token: (\S+)", text)[1]


def test_only_a_digest_of_the_token_is_stored(api_client_and_token):
    client, token = api_client_and_token
    assert len(token) >= 43  # 32 random bytes, base64url
    assert client.token_prefix == token[:8]
    assert len(client.token_hash) == 64 and token not in client.token_hash
    assert find_client(token) == client
    assert find_client(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert find_client("") is None and find_client("short") is None


def test_creation_and_revocation_are_journaled_without_secrets(api_client_and_token):
    client, token = api_client_and_token
    revoke_client(client_id=client.pk, actor="test", reason="system retired")
    entries = Entry.objects.filter(object_type="api_client", object_id=str(client.pk))
    assert [e.action for e in entries] == ["create", "revoke"]
    assert entries[0].new == {"name": "市场监管报送系统", "department": "QDSCJG",
                              "scopes": ["subjects:read", "batches:write"]}
    assert entries[1].reason == "system retired"
    client.refresh_from_db()
    for entry in entries:
        text = str(entry.new)
        assert token not in text and client.token_hash not in text
        assert client.token_prefix not in text


def test_revoked_token_no_longer_found_and_cannot_be_revoked_twice(api_client_and_token):
    client, token = api_client_and_token
    revoke_client(client_id=client.pk, actor="test")
    assert find_client(token) is None
    with pytest.raises(ValidationError, match="already revoked"):
        revoke_client(client_id=client.pk, actor="test")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"department_code": "NOPE"}, "unknown department 'NOPE'"),
    ({"department_code": ""}, "a department code is required"),
    ({"scopes": ["subjects:read", "everything"]}, "Unknown scope everything"),
    ({"scopes": []}, "at least one scope"),
])
def test_invalid_clients_are_rejected(department, kwargs, message):
    arguments = {"name": "x", "department_code": department.code,
                 "scopes": ["subjects:read"], "actor": "test", **kwargs}
    with pytest.raises(ValidationError, match=message):
        create_client(**arguments)
    assert not ApiClient.objects.exists()


def test_clients_create_prints_the_token_once(department):
    out = run("create", "--department", department.code, "--scopes",
              "subjects:read, checks:write", "--name", "联合奖惩系统")
    lines = out.splitlines()
    client = ApiClient.objects.get()
    assert lines[0] == (f"API client {client.pk} '联合奖惩系统' created for {department.code} "
                        f"({department.name}) with scopes subjects:read, checks:write")
    assert "shown only once and cannot be shown again" in lines[2]
    token = token_in(out)
    assert find_client(token).name == "联合奖惩系统"
    assert token not in run("list")


def test_clients_create_default_name(department):
    out = run("create", "--department", department.code, "--scopes", "exchange:read")
    assert f"'{department.code} API client'" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--department", "NOPE", "--scopes", "subjects:read"], "^unknown department 'NOPE'$"),
    (["--department", "QDSCJG", "--scopes", "subjects:raed"], "^Unknown scope subjects:raed"),
    (["--department", "QDSCJG", "--scopes", ","], "^give at least one scope"),
])
def test_clients_create_errors_are_one_line(department, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        run("create", *args)
    assert "\n" not in str(caught.value)


def test_clients_list_and_revoke(api_client_and_token, department):
    client, token = api_client_and_token
    listed = run("list")
    assert "市场监管报送系统" in listed and "active" in listed and "last used never" in listed
    assert run("revoke", str(client.pk)) == \
        f"API client {client.pk} '市场监管报送系统' revoked; its token no longer works\n"
    assert "revoked 20" in run("list")
    with pytest.raises(CommandError, match="already revoked"):
        run("revoke", str(client.pk))
    with pytest.raises(CommandError, match="no API client with id 999"):
        run("revoke", "999")


def test_admin_add_shows_the_token_once(admin_client, department):
    assert admin_client.get(reverse("admin:access_apiclient_add")).status_code == 200
    response = admin_client.post(reverse("admin:access_apiclient_add"), {
        "name": "信用核查系统", "department": department.pk,
        "scopes": ["checks:write", "checks:read"]}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)] or \
        [str(m) for m in response.context["messages"]]
    token = re.search(r"Token for .*: (\S+) — copy it now", " ".join(shown))[1]
    client = find_client(token)
    assert client.scopes == ["checks:write", "checks:read"]
    page = admin_client.get(reverse("admin:access_apiclient_change", args=[client.pk]))
    assert token not in page.content.decode()
    assert client.token_hash not in page.content.decode()
    assert Entry.objects.get(object_type="api_client", action="create").actor == "admin"


def test_admin_revoke_action(admin_client, api_client_and_token):
    client, token = api_client_and_token
    response = admin_client.post(reverse("admin:access_apiclient_changelist"), {
        "action": "revoke", "_selected_action": [client.pk]})
    assert response.status_code == 302
    assert find_client(token) is None


def test_auditor_can_view_clients_but_not_revoke_them(client, auditor, api_client_and_token):
    api_client, token = api_client_and_token
    client.force_login(auditor)
    changelist = reverse("admin:access_apiclient_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and "市场监管报送系统" in page.content.decode()
    client.post(changelist, {"action": "revoke", "_selected_action": [api_client.pk]})
    assert find_client(token) == api_client
    assert client.get(reverse("admin:access_apiclient_add")).status_code == 403
