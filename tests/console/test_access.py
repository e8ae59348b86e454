"""Who may see and do what: sign-in, department scope (404 across departments), read-only
auditors, the credit centre's own pages."""

import pytest

from xinyong.collection.models import BatchRow
from xinyong.records.models import Record

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/console/", "/console/batches/", "/console/records/", "/console/timeliness/"]


def test_anonymous_visitors_are_sent_to_the_login_page(client, batch):
    for url in [*PAGES, f"/console/batches/{batch.pk}/", "/console/linking/",
                "/console/submit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/console/login/?next={url}"


def test_login_and_logout(english, officer):
    page = english.get("/console/login/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    response = english.post("/console/login/", {"username": "officer_a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"
    page = english.get("/console/").content.decode()
    assert "officer_a" in page and "青岛市市场监督管理局" in page
    assert english.post("/console/logout/")["Location"] == "/console/login/"
    assert english.get("/console/").status_code == 302


def test_wrong_password_is_a_form_error(english, officer):
    response = english.post("/console/login/", {"username": "officer_a", "password": "nope"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_users_without_a_console_role_are_refused(client, django_user_model, penalty):
    user = django_user_model.objects.create_user("plain", password=PASSWORD)
    client.force_login(user)
    assert client.get("/console/").status_code == 403
    user.is_staff = True
    user.save()
    assert client.get("/console/").status_code == 403  # staff, but no role


def test_a_department_sees_only_its_own_batches_and_records(client, batch, other_officer):
    record = Record.objects.get(batch_id=batch.pk)
    client.force_login(other_officer)
    for url in (f"/console/batches/{batch.pk}/", f"/console/batches/{batch.pk}/rejected.xlsx",
                f"/console/batches/{batch.pk}/rejected.csv", f"/console/records/{record.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/console/records/{record.pk}/revoke/",
                       {"reason": "x", "revoked_on": "2026-11-21"}).status_code == 404
    for url in ("/console/", "/console/batches/", "/console/records/"):
        page = client.get(url).content.decode()
        assert batch.file_name not in page and "青岛测试1有限公司" not in page, url
    assert Record.objects.get(pk=record.pk).status == "active"


def test_the_credit_centre_and_auditors_see_every_department(client, batch, centre, auditor):
    record = Record.objects.get(batch_id=batch.pk)
    for user in (centre, auditor):
        client.force_login(user)
        assert client.get(f"/console/batches/{batch.pk}/").status_code == 200
        assert "青岛测试1有限公司" in client.get("/console/records/").content.decode()
        assert client.get(f"/console/records/{record.pk}/").status_code == 200


def test_auditors_cannot_change_anything(client, batch, auditor):
    record = Record.objects.get(batch_id=batch.pk)
    row = BatchRow.objects.get(batch=batch, status="waiting")
    client.force_login(auditor)
    assert client.get("/console/submit/").status_code == 403
    assert client.post("/console/submit/", {}).status_code == 403
    assert client.post(f"/console/records/{record.pk}/revoke/",
                       {"reason": "x", "revoked_on": "2026-11-21"}).status_code == 403
    assert client.post(f"/console/linking/{row.pk}/",
                       {"action": "dismiss", "dismiss-reason": "x"}).status_code == 403
    assert Record.objects.get(pk=record.pk).status == "active"
    assert BatchRow.objects.get(pk=row.pk).status == "waiting"


def test_only_the_credit_centre_works_the_linking_queue(client, batch, officer, checker,
                                                        auditor, other_officer):
    row = BatchRow.objects.get(batch=batch, status="waiting")
    for user in (officer, checker, auditor):
        client.force_login(user)
        assert client.get("/console/linking/").status_code == 403
        assert "/console/linking/" not in client.get("/console/").content.decode()
    for user in (checker, auditor):  # the submitting department's officer may confirm
        client.force_login(user)
        assert client.get(f"/console/linking/{row.pk}/").status_code == 403
    client.force_login(other_officer)
    assert client.get(f"/console/linking/{row.pk}/").status_code == 404


def test_the_submitting_officer_confirms_a_check_character_with_a_reason(
        english, batch, officer):
    """The issue's override: the officer who vouches for the code confirms it, with a
    reason; linking to another subject and dismissing stay with the credit centre."""
    row = BatchRow.objects.get(batch=batch, status="waiting")
    english.force_login(officer)
    assert f"/console/linking/{row.pk}/" in english.get(
        f"/console/batches/{batch.pk}/").content.decode()
    page = english.get(f"/console/linking/{row.pk}/").content.decode()
    assert "Confirm the code as written" in page and "Dismiss the row" not in page
    english.post(f"/console/linking/{row.pk}/", {"action": "dismiss",
                                                  "dismiss-reason": "x"})
    assert BatchRow.objects.get(pk=row.pk).status == "waiting"
    response = english.post(f"/console/linking/{row.pk}/",
                            {"action": "confirm", "confirm-reason": "与营业执照核对无误"})
    assert response.status_code == 302 and response["Location"] == f"/console/batches/{batch.pk}/"
    done = BatchRow.objects.get(pk=row.pk)
    assert (done.status, done.resolved_by, done.resolution) == \
        ("linked", "officer_a", "与营业执照核对无误")


def test_checkers_read_but_neither_submit_nor_revoke(client, batch, checker):
    record = Record.objects.get(batch_id=batch.pk)
    client.force_login(checker)
    assert client.get(f"/console/batches/{batch.pk}/").status_code == 200
    assert client.get("/console/submit/").status_code == 403
    page = client.get(f"/console/records/{record.pk}/").content.decode()
    assert "/revoke/" not in page
    assert client.post(f"/console/records/{record.pk}/revoke/",
                       {"reason": "x", "revoked_on": "2026-11-21"}).status_code == 403
