import json
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_public_subject_over_http(live_server, company, person):
    status, body = get(f"{live_server.url}/api/v1/subjects/{company.code.lower()}")
    data = json.loads(body)
    assert status == 200
    assert data["name"] == "青岛海睿智能科技有限公司" and data["code"] == company.code
    assert data["legal_representative"] == "王海" and data["established"] == "2016-05-04"
    assert "id" not in data and "name_norm" not in data


def test_persons_and_unknown_codes_look_the_same(live_server, person):
    person_status, person_body = get(f"{live_server.url}/api/v1/subjects/{person.code}")
    unknown_status, unknown_body = get(f"{live_server.url}/api/v1/subjects/91370200MA00000000")
    assert person_status == unknown_status == 404
    assert person_body == unknown_body
    assert person.name.encode() not in person_body


def test_openapi_document_and_docs_page(live_server):
    status, body = get(f"{live_server.url}/api/openapi.json")
    assert status == 200
    assert "/api/v1/subjects/{code}" in json.loads(body)["paths"]
    status, body = get(f"{live_server.url}/api/docs")
    assert status == 200 and b"swagger" in body.lower()
