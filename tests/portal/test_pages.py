import csv
import io
import re
import zipfile

import pytest

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def test_home_counts_latest_and_lists(client, city):
    page = text(client.get("/"))
    assert "信用青岛" in page and 'name="q"' in page
    assert re.search(r'<span class="count">2</span>\s*企业法人', page)
    assert city.haier.name in page  # latest 双公示
    assert "/lists/TQNMG/" in page and "/lists/ZDGZ/" not in page


def test_search_highlights_and_links_the_profile(client, city):
    page = text(client.get("/search/", {"q": "海尔"}))
    assert "青岛<mark>海尔</mark>智家股份有限公司" in page
    assert f"/subjects/{city.haier.code}/" in page
    page = text(client.get("/search/", {"q": city.haier.code.lower()}))
    assert f"/subjects/{city.haier.code}/" in page
    assert "至少" in text(client.get("/search/", {"q": "海"}))


def test_persons_never_appear(client, city):
    for query in (city.person.name, city.person.code):
        page = text(client.get("/search/", {"q": query}))
        assert "/subjects/" not in page.split("<main", 1)[1].split("</main>")[0]
    assert client.get(f"/subjects/{city.person.code}/").status_code == 404


def test_profile_sections_in_report_order_with_source_and_dates(client, city):
    page = text(client.get(f"/subjects/{city.haier.code}/"))
    headings = re.findall(r"<h2 id=\"(\w+)\"", page)
    assert headings == ["basic", "administrative", "honest"]
    for value in (city.penalty_number, city.licence_number, "青岛市市场监督管理局", "李华",
                  "1997-03-31", "纳税信用级别"):
        assert value in page
    assert "公示截止" in page or "Public until" in page
    assert client.get("/subjects/91370200MA00000000/").status_code == 404


def test_columns_filter_and_export_exactly_what_is_shown(client, city):
    page = text(client.get("/columns/penalties/", {"department": "scjgj"}))
    assert city.penalty_number in page
    assert city.penalty_number not in text(client.get("/columns/penalties/",
                                                      {"department": "gaj"}))
    assert city.penalty_number not in text(client.get("/columns/penalties/",
                                                      {"start": "2099-01-01"}))
    bad = text(client.get("/columns/penalties/", {"start": "2026-02-01", "end": "2026-01-01"}))
    assert "errorlist" in bad
    rows = list(csv.reader(io.StringIO(text(client.get(
        "/columns/penalties/export.csv", {"department": "scjgj"})).lstrip("\ufeff"))))
    assert rows[0][0] in ("当事人", "Party") and len(rows) == 2
    assert rows[1][0] == city.haier.name and rows[1][2] == city.penalty_number
    xlsx = client.get("/columns/licences/export.xlsx").content
    strings = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/sharedStrings.xml").decode()
    assert city.licence_number in strings
    assert client.get("/columns/nothing/").status_code == 404


def test_list_pages(client, city):
    page = text(client.get("/lists/TQNMG/"))
    assert city.other.name in page and "人力资源社会保障部令第45号" in page
    assert city.other.name not in text(client.get("/lists/AQSC_YZSX/"))
    assert client.get("/lists/ZDGZ/").status_code == 404  # not a public list


def test_english_switch(client, city):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = text(response)
    assert "Credit Qingdao" in page and "信用青岛" not in page
