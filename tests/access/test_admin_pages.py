"""Each role signs in to the admin (in Chinese) and sees what its permissions allow."""

import pytest

from xinyong.access.services import create_staff_user

PASSWORD = "Xy-officer-2026!"


@pytest.fixture
def officer(department):
    return create_staff_user(username="officer", password=PASSWORD,
                             role="department_data_officer", department_code=department.code,
                             actor="test")


def login(client, username, password):
    response = client.post("/admin/login/", {"username": username, "password": password,
                                             "next": "/admin/"}, follow=True)
    return response.content.decode()


@pytest.mark.django_db
def test_officer_reads_the_catalog_but_not_the_base_databases(client, officer):
    page = login(client, "officer", PASSWORD)
    assert "公共信用信息目录" in page  # the catalog app, in Chinese
    assert "主体基础库" not in page
    assert client.get("/admin/catalog/informationitem/").status_code == 200
    assert client.get("/admin/subjects/subject/").status_code == 403
    assert client.get("/admin/journal/entry/").status_code == 403


@pytest.mark.django_db
def test_auditor_reads_the_journal_and_changes_nothing(client, auditor, company):
    login(client, "audit", "Xy-audit-2026!")
    page = client.get("/admin/journal/entry/").content.decode()
    assert company.code in page
    assert client.get("/admin/access/apiclient/add/").status_code == 403
    assert client.get("/admin/core/calendarday/add/").status_code == 403
