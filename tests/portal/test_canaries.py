"""Plant canaries where nothing public may reach them (conftest.city: non-public fields and
items, persons, records out of their window, list entries in notice, exited, lapsed, of a
person or on a non-public list), crawl every public page — lists, profiles and the measures
list among them — export and public API response, and fail if one appears anywhere."""

import io
import json
import re
import zipfile
from urllib.parse import unquote, urlsplit

import pytest

from xinyong.catalog.models import ListType
from xinyong.subjects.models import Subject

pytestmark = pytest.mark.django_db

SKIP = ("/console", "/admin", "/i18n", "/static", "/api/docs")
LIMIT = 500


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data.startswith(b"PK"):  # XLSX: every part of the workbook
        book = zipfile.ZipFile(io.BytesIO(data))
        return "".join(book.read(name).decode(errors="replace") for name in book.namelist())
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(data), ensure_ascii=False)  # no \\u escapes
    return data.decode(errors="replace")


def seeds(city) -> list[str]:
    codes = list(Subject.objects.values_list("code", flat=True))
    queries = ["海尔", "青岛", "有限公司", city.person.name, *city.canaries, *codes]
    urls = ["/", "/lists/", "/measures/", "/columns/licences/", "/columns/penalties/"]
    urls += [f"/search/?q={q}" for q in queries] + [f"/subjects/{c}/" for c in codes]
    urls += [f"/lists/{t}/" for t in ListType.objects.values_list("code", flat=True)]
    for slug in ("licences", "penalties"):
        urls += [f"/columns/{slug}/export.csv", f"/columns/{slug}/export.xlsx",
                 f"/api/v1/public/columns/{slug}"]
    urls += ["/api/v1/public/lists", "/api/v1/public/measures", "/api/openapi.json"]
    urls += [f"/api/v1/public/search?q={q}" for q in queries]
    urls += [f"/api/v1/public/subjects/{c}" for c in codes]
    urls += [f"/api/v1/public/lists/{t}" for t in ListType.objects.values_list("code", flat=True)]
    return urls


def crawl(client, start: list[str]) -> dict[str, str]:
    seen, queue = {}, list(start)
    while queue and len(seen) < LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        seen[url] = body(response)
        for href in re.findall(r'href="([^"#]+)"', seen[url]):
            href = href.replace("&amp;", "&")
            if href.startswith("?"):
                href = urlsplit(url).path + href
            if href.startswith("/") and not href.startswith(SKIP) and href not in seen:
                queue.append(href)
    return seen


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_canary_on_any_public_page_or_api_response(client, city, settings, language):
    settings.XINYONG_PUBLIC_API_RATE = "100000/min"
    client.cookies["django_language"] = language
    pages = crawl(client, seeds(city))
    assert len(pages) >= 60
    # the crawl reached the public parts of the same records and subjects
    assert city.penalty_number in pages[f"/subjects/{city.haier.code}/"]
    assert city.penalty_number in pages["/columns/penalties/export.xlsx"]
    assert city.other.name in pages["/api/v1/public/lists/TQNMG"]
    # list entries: the console-recognised one on its list, the profile and the API
    number = city.recognised.document_number
    assert number in pages["/lists/SCJG_YZWF/"]
    assert number in pages["/api/v1/public/lists/SCJG_YZWF"]
    assert number in pages[f"/api/v1/public/subjects/{city.other.code}"]
    assert 'href="/lists/SCJG_YZWF/"' in pages[f"/subjects/{city.other.code}/"]
    assert "禁止参加政府采购活动" in pages["/measures/"]
    assert "禁止参加政府采购活动" in pages["/api/v1/public/measures"]
    # the crawl followed the measures page to every public list it links
    assert {f"/lists/{t}/" for t in ListType.objects.filter(public=True)
            .values_list("code", flat=True)} <= set(pages)
    # a search page repeats what was typed: a canary typed as the query is not a leak
    leaks = [(canary, url) for url, text in pages.items() for canary in city.canaries
             if canary in text and canary not in unquote(url)]
    assert leaks == []
