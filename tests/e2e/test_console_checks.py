"""The console's joint rewards and punishments (联合奖惩) in a real browser: a checker of the
finance bureau signs in, checks two companies for a procurement, reports that the procurement
ban was applied, and finds the case in the statistics."""

import re

import pytest
from django.utils import timezone

from xinyong.access.services import create_staff_user
from xinyong.catalog.models import Measure

from ..measures import conftest as measures
from .conftest import CHROMIUM, zh

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"end-to-end tests need Chromium at "
                       f"{CHROMIUM} (apt-get install chromium fonts-noto-cjk)"),
    pytest.mark.django_db(transaction=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

USERNAME, PASSWORD = "checker_czj", "Xy-console-2026!"
PURPOSE = "青财采〔2026〕88号 办公设备采购招标"
HANDLER, OUTCOME = "郑七", "取消其投标资格"

town = measures.town  # the small city of tests/measures, as a fixture of this module


@pytest.fixture
def checker(town):
    """A department checker of the finance bureau (czj), which checks in procurement."""
    return create_staff_user(username=USERNAME, password=PASSWORD, role="department_checker",
                             department_code="czj", actor="test")


def _exactly(text: str) -> re.Pattern:
    """A name that is `text`, give or take a colon or a required-field mark (spelled out, as
    Playwright runs the pattern in JavaScript, where \\W also matches Chinese)."""
    return re.compile(rf"^\s*{re.escape(text)}[\s*:：]*$")


def _fact(scope, term: str):
    """The <dd> of the term `term` in a description list inside `scope`."""
    return scope.locator("dt", has_text=_exactly(term)).locator("xpath=following-sibling::dd[1]")


def test_a_checker_checks_reports_feedback_and_finds_the_case(
        page, town, checker, screenshot):
    listed, clean = town.listed, town.clean
    ban = Measure.objects.get(code="PROCUREMENT_BAN")
    assert ban.name == "禁止参加政府采购活动"
    today = timezone.localdate()

    # sign in through the form; the console speaks Chinese by default
    page.goto("/console/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label(_exactly(zh("username"))).fill(USERNAME)
    page.get_by_label(_exactly(zh("Password"))).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=zh("Sign in"), exact=True).click()
    page.wait_for_url(re.compile(r"/console/$"))
    nav = page.get_by_role("navigation", name=zh("Console sections"))
    checks_link = nav.get_by_role("link", name="核查", exact=True)
    expect(checks_link).to_be_visible()
    expect(page.locator("header .who")).to_contain_text("青岛市财政局")

    # a new check: procurement, a purpose, two identifiers
    checks_link.click()
    page.wait_for_url("**/console/checks/")
    page.get_by_role("link", name=zh("New check"), exact=True).click()
    page.wait_for_url("**/console/checks/new/")
    page.get_by_label(_exactly(zh("Business matter"))).select_option(label="政府采购")
    page.get_by_label(_exactly(zh("Purpose"))).fill(PURPOSE)
    page.get_by_label(_exactly(zh("Identifiers"))).fill(f"{listed.code}\n{clean.code}\n")
    page.get_by_role("button", name=zh("Run the check"), exact=True).click()
    page.wait_for_url(re.compile(r"/console/checks/\d+/$"))
    check_url = page.url
    check_number = re.search(r"/checks/(\d+)/$", check_url)[1]
    facts = page.locator("main dl.facts").first
    expect(facts).to_contain_text("政府采购")
    expect(facts).to_contain_text(PURPOSE)

    # the listed company: its list entry, and the ban with its legal basis, awaiting feedback
    subject = page.get_by_role("region", name=re.compile(re.escape(listed.name)))
    expect(subject).to_have_count(1)
    entries = subject.get_by_role("table", name=zh("List entries"))
    expect(entries).to_contain_text("市场监督管理严重违法失信名单")
    measure = subject.get_by_role("article", name=re.compile(rf"^{re.escape(ban.name)}"))
    expect(measure).to_have_count(1)
    expect(measure.get_by_role("heading", level=3)).to_contain_text(zh("awaiting feedback"))
    basis = _fact(measure, zh("Legal basis"))
    expect(basis).to_have_text(ban.legal_basis.strip())
    expect(basis).to_contain_text("《中华人民共和国政府采购法》")

    # the clean company: nothing found
    other = page.get_by_role("region", name=re.compile(re.escape(clean.name)))
    expect(other).to_have_count(1)
    expect(other).to_contain_text(zh("No list entries and no records that trigger measures."))
    expect(other.get_by_role("table")).to_have_count(0)
    expect(other.get_by_role("article")).to_have_count(0)

    # feedback: applied, by whom, when, with what outcome
    expect(measure.get_by_text(zh("Report feedback"), exact=True)).to_be_visible()
    measure.get_by_label(_exactly(zh("Feedback"))).select_option(label=zh("applied"))
    measure.get_by_label(_exactly(zh("Handler"))).fill(HANDLER)
    measure.get_by_label(_exactly(zh("Date of action"))).fill(today.isoformat())
    measure.get_by_label(_exactly(zh("Outcome"))).fill(OUTCOME)
    measure.get_by_role("button", name=zh("Save the feedback"), exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("反馈已保存")
    assert page.url == check_url
    measure = page.get_by_role("region", name=re.compile(re.escape(listed.name))) \
        .get_by_role("article", name=re.compile(rf"^{re.escape(ban.name)}"))
    expect(measure.get_by_role("heading", level=3)).to_contain_text("已实施")
    reported = _fact(measure, zh("Feedback"))
    for shown in ("已实施", today.isoformat(), HANDLER, OUTCOME, USERNAME):
        expect(reported).to_contain_text(shown)
    expect(measure.get_by_text(zh("Correct the feedback"), exact=True)).to_be_visible()
    screenshot(page, "check")

    # the statistics: an accessible chart, and the case
    nav = page.get_by_role("navigation", name=zh("Console sections"))
    nav.get_by_role("link", name=zh("Statistics"), exact=True).click()
    page.wait_for_url("**/console/checks/stats/")
    chart = page.get_by_role("img", name=re.compile(
        re.escape(zh("Measures found applicable, by feedback"))))
    expect(chart).to_have_count(1)
    assert chart.evaluate("e => e.tagName.toLowerCase()") == "svg"
    named = chart.evaluate("e => (e.getAttribute('aria-label') || '').trim()"
                           " || (e.querySelector(':scope > title')?.textContent || '').trim()")
    assert zh("Measures found applicable, by feedback") in named
    expect(chart.locator("rect.applied")).to_have_count(1)
    cases = page.get_by_role("region", name=re.compile(
        re.escape(zh("Cases of joint rewards and punishments"))))
    case = cases.get_by_role("row").filter(has_text=ban.name)
    expect(case).to_have_count(1)
    for shown in (today.isoformat(), "青岛市财政局", listed.name, ban.name, OUTCOME):
        expect(case).to_contain_text(shown)
    expect(case.get_by_role("link", name=f"#{check_number}", exact=True)) \
        .to_have_attribute("href", f"/console/checks/{check_number}/")
    screenshot(page, "stats")
