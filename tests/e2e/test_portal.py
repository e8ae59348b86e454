"""The public website 信用青岛 in a real browser: search to profile to export, the language
switch, a phone's viewport, and keyboard and accessibility basics."""

import csv
import re
from urllib.parse import urlsplit

import pytest

from xinyong.catalog.sections import SECTIONS

from .conftest import CHROMIUM, zh

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"end-to-end tests need Chromium at "
                       f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)"),
    pytest.mark.django_db(transaction=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SEARCH_LABEL = "Organisation name, unified social credit code or former code"
PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}

# Form controls without a label: <label for>, a wrapping <label>, aria-label or aria-labelledby.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter(el => ![...el.labels].some(l => l.textContent.trim())
                  && !(el.getAttribute('aria-label') || '').trim()
                  && !el.getAttribute('aria-labelledby'))
    .map(el => el.outerHTML)"""
HEADING_LEVELS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .map(h => Number(h.tagName[1]))"""
HORIZONTAL = """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"""


def _cells(rows) -> list[list[str]]:
    """The text of each cell of each table row (a Locator of <tr>)."""
    return rows.evaluate_all(
        "trs => trs.map(tr => [...tr.cells].map(td => td.innerText.trim()))")


def _status_count(page) -> int:
    return int(re.search(r"\d+", page.locator("main p[role=status]").inner_text())[0])


def _no_horizontal_scroll(page, width: int = 375):
    sizes = page.evaluate(HORIZONTAL)
    assert sizes["inner"] == width, f"{page.url}: the layout viewport grew to {sizes}"
    assert sizes["scroll"] <= sizes["inner"], f"{page.url} scrolls sideways: {sizes}"


def test_search_profile_section_and_filtered_export(page, city, screenshot, tmp_path):
    haier = city.haier
    page.goto("/")
    box = page.get_by_label(zh(SEARCH_LABEL), exact=True)
    box.fill("海尔")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = page.locator("ol.results > li")
    expect(results).to_have_count(2)  # 海尔智家 and 海尔生物医疗, nobody else
    link = page.get_by_role("link", name=haier.name, exact=True)
    expect(link.locator("mark")).to_have_text("海尔")
    screenshot(page, "results")

    link.click()
    page.wait_for_url(f"**/subjects/{haier.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(haier.name)
    # first the lists Haier is on (its A-level tax rating puts it on a red list), then the
    # sections
    expect(page.locator("main h2").first).to_have_id("lists")
    on_lists = page.locator("section[aria-labelledby=lists]")
    expect(on_lists.get_by_role("link")).to_have_text(["纳税信用A级纳税人名单"])
    headings = page.locator("main h2:not(#lists)")
    order = ["basic", "administrative", "honest"]  # Haier has records in these, in this order
    assert headings.evaluate_all("hs => hs.map(h => h.id)") == order
    assert [code for code, _ in SECTIONS if code in order] == order
    titles = {code: zh(str(title)) for code, title in SECTIONS}
    expect(headings).to_have_text([titles[code] for code in order])

    # the section table of contents leads to 行政管理, where the penalty is
    toc = page.get_by_role("navigation", name=zh("Sections"))
    toc.get_by_role("link", name=titles["administrative"]).click()
    page.wait_for_url(re.compile("#administrative$"))
    expect(page.locator("h2#administrative")).to_be_in_viewport()
    record = page.locator("section[aria-labelledby=administrative] article.record",
                          has_text=city.penalty_number)
    expect(record).to_have_count(1)
    expect(record).to_be_visible()
    penalty = city.penalty
    assert penalty.publicity_end is not None and penalty.publicity_end >= city.today
    meta = record.locator(".meta")
    expect(meta).to_contain_text(penalty.department.name)
    expect(meta).to_contain_text(f"{zh('Decision date')}: {penalty.decision_date:%Y-%m-%d}")
    expect(meta).to_contain_text(f"{zh('Public until')}: {penalty.publicity_end:%Y-%m-%d}")
    screenshot(page, "profile")

    # the 行政处罚 column, filtered by the department that decided Haier's penalty
    page.get_by_role("navigation", name=zh("Main")) \
        .get_by_role("link", name=zh("Administrative penalties")).click()
    page.wait_for_url("**/columns/penalties/")
    body = page.locator(".table-wrap tbody tr")
    expect(body).to_have_count(4)
    page.get_by_label(re.compile(rf"^{re.escape(zh('Department'))}\W*$")) \
        .select_option(penalty.department.code)
    page.get_by_role("button", name=zh("Filter"), exact=True).click()
    page.wait_for_url(re.compile(rf"department={penalty.department.code}"))
    shown = _cells(body)
    assert len(shown) == _status_count(page) == 2
    numbers = {row[2] for row in shown}
    assert city.penalty_number in numbers and len(numbers) == 2
    assert all(row[-2] == penalty.department.name for row in shown)
    headers = page.locator(".table-wrap thead th").all_inner_texts()
    screenshot(page, "penalties-filtered")

    csv_link = page.get_by_role("link", name="CSV", exact=True)
    xlsx_link = page.get_by_role("link", name="XLSX", exact=True)
    assert urlsplit(csv_link.get_attribute("href")).query == \
        urlsplit(xlsx_link.get_attribute("href")).query == urlsplit(page.url).query
    with page.expect_download() as started:
        csv_link.click()
    download = started.value
    assert download.suggested_filename == f"XZCF-{city.today:%Y%m%d}.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert city.penalty_number in text
    header, *rows = list(csv.reader(text.splitlines()))
    assert [h.strip() for h in header] == headers
    assert len(rows) == len(shown)
    assert [[value.strip() for value in row] for row in rows] == shown


def test_language_switch_to_english_and_back(page, city, screenshot):
    url = f"/subjects/{city.haier.code}/"
    page.goto(url)
    html, brand = page.locator("html"), page.locator("header a.brand")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(brand).to_have_text("信用青岛")
    screenshot(page, "chinese")

    language = page.get_by_label(zh("Language"), exact=True)
    switch = page.locator("form.lang").get_by_role("button")
    language.select_option("en")
    switch.click()
    expect(html).to_have_attribute("lang", "en")
    expect(brand).to_have_text("Credit Qingdao")
    assert urlsplit(page.url).path == url  # back on the same page
    expect(page.get_by_role("heading", level=1)).to_have_text(city.haier.name)
    expect(page.locator("h2#basic")).to_have_text("Basic information")
    expect(page.get_by_label("Language", exact=True)).to_have_value("en")
    screenshot(page, "english")

    page.get_by_label("Language", exact=True).select_option("zh-hans")
    page.locator("form.lang").get_by_role("button").click()
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(brand).to_have_text("信用青岛")
    assert urlsplit(page.url).path == url
    screenshot(page, "chinese-again")


def test_phone_viewport(new_page, city, screenshot):
    page = new_page(**PHONE)
    page.goto("/")
    _no_horizontal_scroll(page)
    box = page.get_by_label(zh(SEARCH_LABEL), exact=True)
    expect(box).to_be_visible()
    bounds = box.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 375, bounds
    assert bounds["height"] >= 24, f"a small touch target: {bounds}"
    screenshot(page, "home")

    box.tap()
    expect(box).to_be_focused()
    page.keyboard.type("海尔")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    expect(page.locator("ol.results > li")).to_have_count(2)
    _no_horizontal_scroll(page)
    screenshot(page, "search")

    page.get_by_role("link", name=city.haier.name, exact=True).tap()
    page.wait_for_url(f"**/subjects/{city.haier.code}/")
    expect(page.get_by_text(city.penalty_number)).to_be_visible()
    _no_horizontal_scroll(page)
    screenshot(page, "profile")

    page.goto("/columns/penalties/")
    wrap = page.locator(".table-wrap")
    expect(wrap.locator("tbody tr")).to_have_count(4)
    _no_horizontal_scroll(page)
    sizes = wrap.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth})")
    assert sizes["scroll"] > sizes["client"], f"the table fits a phone? {sizes}"
    assert sizes["client"] <= 375
    screenshot(page, "penalties")
    moved = wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; return e.scrollLeft }")
    assert moved > 0 and page.evaluate("window.scrollX") == 0
    _no_horizontal_scroll(page)
    screenshot(page, "penalties-scrolled")


def test_keyboard_and_accessibility_basics(page, live_server, city, screenshot):
    requested = []
    page.on("request", lambda request: requested.append((request.resource_type, request.url)))
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(
        (response.status, response.url)))

    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    assert skip.get_attribute("href") == "#main"
    bounds = skip.bounding_box()
    assert bounds["x"] >= 0 and bounds["y"] >= 0, f"the focused skip link is off-screen: {bounds}"
    screenshot(page, "skip-link")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("#main$"))
    assert page.evaluate("document.querySelector('main:target') !== null")
    page.keyboard.press("Tab")  # sequential navigation continues inside <main>
    assert page.evaluate("document.activeElement.closest('main') !== null"), \
        page.evaluate("document.activeElement.outerHTML")
    expect(page.get_by_label(zh(SEARCH_LABEL), exact=True)).to_be_focused()

    pages = ["/", "/search/?q=海尔", "/columns/penalties/", "/columns/licences/"]
    for number, url in enumerate(pages):
        page.goto(url)
        assert page.locator("input:not([type=hidden]), select").count() > 0, url
        assert page.evaluate(UNLABELLED) == [], f"controls without a label on {url}"
        screenshot(page, f"labels{number}")

    page.goto(f"/subjects/{city.haier.code}/")
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1 and levels.count(1) == 1, levels
    skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert skips == [], f"heading levels skip on the profile: {levels}"
    assert 3 in levels  # items under sections: the check saw all three levels
    screenshot(page, "profile")
    page.goto("/lists/")
    page.goto(f"/columns/penalties/?department={city.penalty_department.code}")

    origin = urlsplit(live_server.url)
    assets = [(kind, url) for kind, url in requested
              if kind in ("stylesheet", "script", "image", "font", "media")]
    assert any(url.endswith("/static/portal/site.css") for _, url in assets), assets
    elsewhere = [(kind, url) for kind, url in requested
                 if urlsplit(url)[:2] != origin[:2]]
    assert elsewhere == [], "requests leave the site"
    assert [f for f in failed if not f[1].endswith("/favicon.ico")] == []
