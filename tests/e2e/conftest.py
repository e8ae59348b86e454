"""Real-browser fixtures for the public website: Playwright driving Debian's Chromium against
pytest-django's live server, a small published city, and full-page screenshots.

Playwright's sync API marks its event loop as running in the test thread for as long as it is
started, and Django refuses ORM calls from a thread with a running loop. The browser fixture
therefore allows them (DJANGO_ALLOW_ASYNC_UNSAFE) exactly while Playwright runs: it is
package-scoped, so the loop and the setting are gone before any test outside tests/e2e runs.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from xinyong.catalog.models import Department
from xinyong.records.models import Record

from ..penalties import ROOT, penalty_row
from ..recording import register_org, store_record

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIMEOUT_MS = 10_000
REPORTS = pytest.StashKey[dict]()


def zh(message: str) -> str:
    """A message as the Chinese site shows it (the msgid itself while it is untranslated)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(message))


# --- the browser --------------------------------------------------------------------------------

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell a failed test at teardown."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"end-to-end tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server, request) -> Iterator[Callable]:
    """Opens a page in a fresh browser context (own cookies) on the live server; a Chinese
    visitor unless the options say otherwise. Every context is closed after the test, with a
    `<test>-failed.png` screenshot of each page first if the test failed."""
    contexts = []

    def open_page(**options):
        options = {"base_url": live_server.url, "locale": "zh-CN",
                   "viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    call = request.node.stash.get(REPORTS, {}).get("call")
    for number, context in enumerate(contexts):
        if call is not None and call.failed:
            for page in context.pages:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{request.node.name}-failed{number}.png",
                                full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request) -> Callable[..., Path]:
    """screenshot(page, step): a full-page PNG in test-artifacts/screenshots/<test>-<step>.png,
    checked to be there and to be a PNG."""

    def take(page, step: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        page.screenshot(path=path, full_page=True)
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, path
        return path

    return take


# --- the data -----------------------------------------------------------------------------------

@dataclass
class City:
    today: date
    haier: object
    others: dict = field(default_factory=dict)  # name → subject
    penalty_number: str = ""
    licence_number: str = ""
    penalty: Record | None = None  # Haier's penalty as stored

    @property
    def penalty_department(self) -> Department:
        return self.penalty.department






def _penalty(spec, number, subject, department, authority, decided, **changes) -> Record:
    row = penalty_row(spec, number, CF_XDR_MC=subject.name, CF_XDR_SHXYM=subject.code,
                      CF_JDRQ=decided.isoformat(), CF_CFJG=authority, CF_SJLY=authority,
                      **changes)
    return store_record("XZCF", department, subject, row, decided, "general")


def _licence(subject, department, authority, number, decided, today) -> Record:
    return store_record("XZXK", department, subject, {
        "XK_XDR_MC": subject.name, "XK_XDR_LB": "法人及非法人组织", "XK_XDR_SHXYM": subject.code,
        "XK_XKWS": "食品经营许可决定书", "XK_WSH": number, "XK_XKLB": "普通",
        "XK_NR": "食品销售（含冷藏冷冻食品）", "XK_JDRQ": decided.isoformat(),
        "XK_YXQZI": (today + timedelta(days=700)).isoformat(), "XK_XKJG": authority,
        "XK_LYDW": authority}, decided, validity_end=today + timedelta(days=700))


@pytest.fixture
def city(penalty) -> Iterator[City]:
    """Haier with a penalty, a licence and an A-level tax rating decided recently (so inside
    their publicity windows today), and five more organisations, two of them with penalties
    from other departments than Haier's."""
    cache.clear()  # counts and data-as-of are cached across requests
    today = timezone.localdate()
    haier = register_org("MA00HE01", "青岛海尔智家股份有限公司", legal_representative="李华",
                 established=date(1997, 3, 31), address="青岛市崂山区海尔路1号",
                 industry="制造业", registration_authority="青岛市市场监督管理局")
    city = City(today=today, haier=haier, penalty_number="青市监罚〔2026〕900001号",
                licence_number="青市监食经许〔2026〕900001号")
    for body, name in (("MA00HE02", "青岛海尔生物医疗股份有限公司"),
                       ("MA00PJ01", "青岛啤酒股份有限公司"),
                       ("MA00GK01", "青岛港国际股份有限公司"),
                       ("MA00AK01", "青岛澳柯玛股份有限公司"),
                       ("MA00DX01", "青岛双星股份有限公司")):
        city.others[name] = register_org(body, name, legal_representative="张明")

    market = "青岛市市场监督管理局"
    city.penalty = _penalty(penalty, 900001, haier, "scjgj", market, today - timedelta(days=30),
                            CF_WSH=city.penalty_number)
    _licence(haier, "scjgj", market, city.licence_number, today - timedelta(days=20), today)
    store_record("NSXY_A", "sw", haier, {"NS_NSRMC": haier.name, "NS_NSRSBH": haier.code,
                                   "NS_PJND": str(today.year - 1), "NS_PJJG": "A",
                                   "NS_ZGSWJG": "国家税务总局青岛市崂山区税务局",
                                   "NS_FBRQ": (today - timedelta(days=60)).isoformat()},
           today - timedelta(days=60))
    others = city.others
    _penalty(penalty, 900002, others["青岛澳柯玛股份有限公司"], "scjgj", market,
             today - timedelta(days=10))
    _penalty(penalty, 900003, others["青岛啤酒股份有限公司"], "sthjj", "青岛市生态环境局",
             today - timedelta(days=15), CF_WSH="青环罚〔2026〕900003号",
             CF_WFXW="超标排放大气污染物", CF_NR="罚款50000元")
    _penalty(penalty, 900004, others["青岛港国际股份有限公司"], "laoshan", "青岛市崂山区人民政府",
             today - timedelta(days=40), CF_WSH="青崂罚〔2026〕900004号")
    _licence(others["青岛双星股份有限公司"], "spj", "青岛市行政审批服务局",
             "青审批食经许〔2026〕900005号", today - timedelta(days=5), today)
    yield city
    cache.clear()
