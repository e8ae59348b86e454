import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest

from ..recording import register_org
from .conftest import TODAY, recognise

pytestmark = pytest.mark.django_db


def text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


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
    assert headings == ["lists", "basic", "administrative", "honest"]
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
    assert f'href="/subjects/{city.other.code}/"' in page
    assert "青人社欠薪失信〔2026〕1号" in page  # the reported entry's document number
    assert city.person.name not in page  # a person recognised in the console
    assert city.other.name not in text(client.get("/lists/AQSC_YZSX/"))
    assert client.get("/lists/ZDGZ/").status_code == 404  # not a public list


def test_a_console_recognised_entry_is_listed_with_its_decision(client, city):
    entry = city.recognised
    assert entry.record is None and entry.listed_on < TODAY < entry.valid_until
    page = text(client.get("/lists/SCJG_YZWF/"))
    rows = re.findall(r"<tr>(.*?)</tr>", main(page).split("<tbody>")[1], re.S)
    assert len(rows) == 1  # not the entries in prior notice, exited or past their last day
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                    rows[0], re.S)]
    assert cells == [city.other.name, city.other.code, "青岛市市场监督管理局",
                     "青市监严违〔2026〕77号", "隐瞒真实情况取得登记",
                     f"{entry.listed_on:%Y-%m-%d}", f"{entry.valid_until:%Y-%m-%d}"]
    assert "国家市场监督管理总局令第44号" in page and "列入满三年的，自动移出。" in page
    assert 'href="/measures/#measure-PROCUREMENT_BAN"' in page


def test_list_pages_paginate(client, city):
    for number in range(21):
        firm = register_org(f"MA01PG{number:02d}", f"青岛分页测试{number}有限公司")
        recognise("SCJG_YZWF", firm, "scjgj", f"青市监严违〔2026〕{100 + number}号", "虚假登记",
                  TODAY - timedelta(days=60), TODAY - timedelta(days=45))
    first = text(client.get("/lists/SCJG_YZWF/"))
    assert "22" in re.search(r'<p role="status">(.*?)</p>', first).group(1)
    assert len(re.findall(r"<tr>", main(first))) == 20 + 1  # the header row
    second = text(client.get("/lists/SCJG_YZWF/", {"page": 2}))
    assert len(re.findall(r"<tr>", main(second))) == 2 + 1


def test_the_profile_names_the_subjects_public_lists(client, city):
    page = main(text(client.get(f"/subjects/{city.other.code}/")))
    block = page.split('<section class="on-lists"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/lists/(\w+)/"', block) == ["SCJG_YZWF", "TQNMG"]
    assert block.count('class="badge black"') == 2
    entry = city.recognised
    assert f"{entry.listed_on:%Y-%m-%d} – {entry.valid_until:%Y-%m-%d}" in block
    assert "青岛市市场监督管理局" in block
    assert "ZDGZ" not in page and "重点关注" not in block  # on a non-public list too
    haier = main(text(client.get(f"/subjects/{city.haier.code}/")))
    block = haier.split('<section class="on-lists"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/lists/(\w+)/"', block) == ["NSXY_A"]  # not notice, exited, lapsed
    assert 'class="badge red"' in block
    assert page.index('id="lists"') < page.index('id="basic"')  # near the top


def test_measures_page(client, city):
    page = text(client.get("/measures/"))
    body = main(page)
    levels = [int(n) for n in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert re.findall(r'<h[23] id="(\w+)"', body) == [
        "incentive", "punishments", "rights_reducing", "management", "non_public"]
    row = re.search(r'<tr id="measure-PROCUREMENT_BAN">(.*?)</tr>', body, re.S).group(1)
    for value in ("禁止参加政府采购活动", "在禁止期限内不得作为供应商参加政府采购活动",
                  "《中华人民共和国政府采购法》第二十二条", "青岛市财政局",
                  "青岛市公共资源交易中心", 'href="/lists/ZFCG_SX/"', "政府采购"):
        assert value in row, value
    row = re.search(r'<tr id="measure-KEY_SUPERVISION">(.*?)</tr>', body, re.S).group(1)
    assert "重点关注名单" in row and "/lists/ZDGZ/" not in row  # named, not linked: not public
    row = re.search(r'<tr id="measure-HIGH_CONSUMPTION_RESTRICTION">(.*?)</tr>', body, re.S)
    assert "民航、铁路、旅游、金融等协助执行单位" in row.group(1)  # other implementing units
    incentives = body.split('id="incentive"', 1)[1].split('id="punishments"', 1)[0]
    assert "measure-GREEN_CHANNEL" in incentives and "measure-PROCUREMENT_BAN" not in incentives
    assert 'href="/measures/"' in page  # the main navigation
    assert 'href="/measures/"' in main(text(client.get("/lists/")))


def test_english_switch(client, city):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    page = text(response)
    assert "Credit Qingdao" in page and "信用青岛" not in page
