"""The public JSON API over real HTTP."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)


def get(url, **params):
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_search_and_profile(live_server, city):
    api = f"{live_server.url}/api/v1/public"
    status, found = get(f"{api}/search", q="海尔")
    assert status == 200 and found["total"] == 1 and found["today"]
    hit = found["results"][0]
    assert (hit["code"], hit["match"], hit["current_name"]) == (city.haier.code, "substring", True)
    status, profile = get(f"{api}/subjects/{city.haier.code.lower()}")
    assert status == 200 and profile["subject"]["legal_representative"] == "李华"
    numbers = {f["value"] for r in profile["records"] for f in r["fields"]
               if f["code"] in ("CF_WSH", "XK_WSH")}
    assert numbers == {city.penalty_number, city.licence_number}
    sections = {r["item_code"]: r["section"] for r in profile["records"]}
    assert sections == {"XZCF": "administrative", "XZXK": "administrative", "NSXY_A": "honest"}
    assert all(r["department"] and r["decision_date"] for r in profile["records"])


def test_persons_and_unknown_codes_look_the_same(live_server, city):
    api = f"{live_server.url}/api/v1/public"
    assert get(f"{api}/subjects/{city.person.code}") == get(f"{api}/subjects/91370200MA00000000")
    assert get(f"{api}/subjects/{city.person.code}")[0] == 404
    assert get(f"{api}/search", q=city.person.code)[1]["total"] == 0


def test_columns_and_lists_with_filters(live_server, city):
    api = f"{live_server.url}/api/v1/public"
    status, page = get(f"{api}/columns/penalties", department="scjgj", category="罚款")
    assert status == 200 and page["total"] == 1
    assert page["results"][0]["subject_code"] == city.haier.code
    assert get(f"{api}/columns/penalties", department="gaj")[1]["total"] == 0
    assert get(f"{api}/columns/penalties", start="2026-02-01", end="2026-01-01")[0] == 422
    assert get(f"{api}/columns/nothing")[0] == 404
    status, lists = get(f"{api}/lists")
    assert "TQNMG" in {t["code"] for t in lists} and "ZDGZ" not in {t["code"] for t in lists}
    assert get(f"{api}/lists/TQNMG")[1]["results"][0]["subject_name"] == city.other.name
    assert get(f"{api}/lists/ZDGZ")[0] == 404


def test_list_entries_and_a_profiles_lists(live_server, city):
    api = f"{live_server.url}/api/v1/public"
    status, page = get(f"{api}/lists/SCJG_YZWF")
    assert status == 200 and page["total"] == 1 and page["today"]
    entry = city.recognised
    assert page["results"] == [{
        "list_code": "SCJG_YZWF", "list_name": "市场监督管理严重违法失信名单", "kind": "black",
        "subject_code": city.other.code, "subject_name": city.other.name,
        "recognised_by": "青岛市市场监督管理局", "document_number": "青市监严违〔2026〕77号",
        "reason": "隐瞒真实情况取得登记", "listed_on": entry.listed_on.isoformat(),
        "valid_until": entry.valid_until.isoformat()}]
    assert get(f"{api}/lists/SCJG_YZWF", page=2)[1]["results"] == page["results"]  # clamped
    status, profile = get(f"{api}/subjects/{city.other.code}")
    assert [e["list_code"] for e in profile["lists"]] == ["SCJG_YZWF", "TQNMG"]
    status, profile = get(f"{api}/subjects/{city.haier.code}")
    assert [(e["list_code"], e["kind"]) for e in profile["lists"]] == [("NSXY_A", "red")]


def test_measures(live_server, city):
    status, measures = get(f"{live_server.url}/api/v1/public/measures")
    assert status == 200
    by_code = {m["code"]: m for m in measures}
    ban = by_code["PROCUREMENT_BAN"]
    assert ban["category"] == "rights_reducing" and ban["type_name"] == "禁止"
    assert "《中华人民共和国政府采购法》第二十二条" in ban["legal_basis"]
    assert "青岛市财政局" in ban["departments"]
    assert {"code": "procurement", "name": "政府采购"} in ban["matters"]
    assert {"code": "ZFCG_SX", "name": "政府采购严重违法失信行为记录名单", "public": True} \
        in ban["list_types"]
    watch = next(t for t in by_code["KEY_SUPERVISION"]["list_types"] if t["code"] == "ZDGZ")
    assert watch["public"] is False
    assert by_code["GREEN_CHANNEL"]["category"] == "incentive"
    assert {b["code"] for b in by_code["GREEN_CHANNEL"]["behaviours"]} == {"TAX_CREDIT_A",
                                                                            "CUSTOMS_AEO"}


def test_openapi_document(live_server):
    status, document = get(f"{live_server.url}/api/openapi.json")
    paths = set(document["paths"])
    assert {"/api/v1/public/search", "/api/v1/public/subjects/{code}",
            "/api/v1/public/columns/{slug}", "/api/v1/public/lists/{code}",
            "/api/v1/public/measures"} <= paths


def test_rate_limited_per_address(live_server, db):
    limit = int(settings.XINYONG_PUBLIC_API_RATE.split("/")[0])
    statuses = [get(f"{live_server.url}/api/v1/public/lists")[0] for _ in range(limit + 1)]
    assert statuses[:limit] == [200] * limit and statuses[-1] == 429
    # the website itself is not limited
    with urllib.request.urlopen(f"{live_server.url}/lists/", timeout=10) as response:
        assert response.status == 200
