"""Checks and feedback over real HTTP, as a department's business system calls them."""

import json
import urllib.error
import urllib.request

import pytest

from xinyong.access.services import create_client
from xinyong.measures.models import Check

from .conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)


def call(url, token, body=None):
    request = urllib.request.Request(
        url, data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="GET" if body is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def tender(town) -> dict:
    return {"matter": "procurement", "purpose": "青财采〔2026〕12号 公开招标",
            "subjects": [{"code": town.listed.code}, {"code": town.clean.code},
                         {"name": "青岛守信测试科技"}]}


def test_check_then_feedback(live_server, town, tokens):
    checks = f"{live_server.url}/api/v1/checks"
    status, check = call(checks, tokens["czj"], tender(town))
    assert status == 201 and check["department"] == "czj"
    listed, clean, named = check["results"]
    assert [e["list_type"] for e in listed["entries"]] == ["SCJG_YZWF"]
    assert clean["measures"] == [] and named["status"] == "candidates"
    assert named["candidates"][0]["code"] == town.red.code
    measures = listed["measures"]
    assert check["feedback_pending"] == len(measures) > 0 and not check["overdue"]
    feedback = [{"measure_id": m["id"], "status": "applied", "handler": "王五",
                 "acted_on": TODAY.isoformat(), "outcome": "资格审查不通过"} for m in measures]
    status, rows = call(f"{checks}/{check['id']}/feedback", tokens["czj"],
                        {"feedback": feedback})
    assert status == 200 and {r["status"] for r in rows} == {"applied"}
    status, again = call(f"{checks}/{check['id']}", tokens["czj"])
    assert status == 200 and again["feedback_pending"] == 0
    status, page = call(checks, tokens["czj"])
    assert page["total"] == 1 and page["items"][0]["id"] == check["id"]


def test_a_department_cannot_read_or_answer_another_departments_checks(live_server, town,
                                                                       tokens):
    checks = f"{live_server.url}/api/v1/checks"
    _status, check = call(checks, tokens["czj"], tender(town))
    other = tokens["zjj"]
    assert call(f"{checks}/{check['id']}", other)[0] == 404
    assert call(f"{checks}/{check['id']}/feedback", other)[0] == 404
    measure = check["results"][0]["measures"][0]["id"]
    status, _ = call(f"{checks}/{check['id']}/feedback", other, {"feedback": [
        {"measure_id": measure, "status": "applied", "handler": "x",
         "acted_on": TODAY.isoformat()}]})
    assert status == 404
    assert call(checks, other)[1]["total"] == 0
    assert Check.objects.get().measures.filter(status="pending").count() == \
        len(check["results"][0]["measures"])


def test_scopes_and_tokens(live_server, town, tokens):
    checks = f"{live_server.url}/api/v1/checks"
    _client, reader = create_client(name="read only", department_code="czj",
                                    scopes=["checks:read"], actor="test")
    assert call(checks, reader, tender(town))[0] == 403
    assert call(checks, "not-a-token", tender(town))[0] == 401
    assert call(checks, reader)[0] == 200


def test_bad_requests_are_explained(live_server, town, tokens):
    checks = f"{live_server.url}/api/v1/checks"
    status, body = call(checks, tokens["czj"], {**tender(town), "matter": "shopping"})
    assert status == 422 and "unknown business matter" in body["detail"]
    status, body = call(checks, tokens["czj"], {**tender(town), "subjects": []})
    assert status == 422
    too_many = {**tender(town), "subjects": [{"code": town.clean.code}] * 1001}
    assert call(checks, tokens["czj"], too_many)[0] == 422
    _status, check = call(checks, tokens["czj"], tender(town))
    measure = check["results"][0]["measures"][0]["id"]
    status, body = call(f"{checks}/{check['id']}/feedback", tokens["czj"], {"feedback": [
        {"measure_id": measure, "status": "not_applied", "handler": "王五",
         "acted_on": TODAY.isoformat()}]})
    assert status == 422 and "needs the reason" in body["detail"]
    assert Check.objects.count() == 1  # refused requests leave nothing behind
