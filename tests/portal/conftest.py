"""A small published city for the portal tests: one organisation with a record in most profile
sections, and canaries — values that must never reach a public page or API response — in
non-public fields, non-public items, persons' records, and expired, revoked and unpublished
records; and in list entries that are not public: in prior notice, exited, past their last
day, a person's, and on a non-public list."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.cache import cache

from xinyong.catalog.models import Department, ListType
from xinyong.core.identifiers import make_resident_id
from xinyong.lists.models import ExitKind, ListEntry
from xinyong.lists.services import confirm_listing, exit_entry, give_notice
from xinyong.records.services import revoke_record
from xinyong.subjects.services import NewSubject, register_subject

from ..penalties import penalty_row
from ..recording import register_org, store_record

TODAY = date.today()
RECENT = TODAY - timedelta(days=30)


@dataclass
class City:
    haier: object
    other: object
    person: object
    penalty_number: str
    licence_number: str
    canaries: list[str] = field(default_factory=list)
    recognised: ListEntry | None = None  # a console-recognised entry, listed today


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts, data-as-of and the API rate limit live in the cache: start each test empty."""
    cache.clear()
    yield
    cache.clear()






def recognise(code: str, subject, department: str, number: str, reason: str,
              notice_on: date, listed_on: date | None = None) -> ListEntry:
    """A recognition decision in the console: prior notice, then the listing if `listed_on`."""
    entry = give_notice(list_type=ListType.objects.get(code=code), subject=subject,
                        department=Department.objects.get(code=department),
                        document_number=number, reason=reason, basis="认定依据第九条",
                        notice_on=notice_on, actor="test")
    if listed_on is not None:
        confirm_listing(entry, listed_on=listed_on, actor="test")
    return entry


@pytest.fixture
def city(penalty) -> City:
    haier = register_org("MA00HE01", "青岛海尔智家股份有限公司", legal_representative="李华",
                 established=date(1997, 3, 31), address="青岛市崂山区海尔路1号",
                 registration_authority="青岛市市场监督管理局")
    other = register_org("MA00AK01", "青岛澳柯玛股份有限公司", legal_representative="张明")
    person = register_subject(NewSubject(code=make_resident_id("370202", date(1980, 2, 2), 31),
                                         name="CANARY-PERSON-NAME"), actor="test")
    city = City(haier, other, person, "青市监罚〔2026〕900001号", "370200XK2026000001")
    canary = city.canaries.append

    row = penalty_row(penalty, 900001, CF_WSH=city.penalty_number, CF_XDR_MC=haier.name,
                      CF_XDR_SHXYM=haier.code, CF_JDRQ=RECENT.isoformat(),
                      CF_FR_ZJHM="CANARY-GOV-ID-370202", CF_CFCX="CANARY-INTERNAL",
                      CF_FR_ZJLX="CANARY-AUTHORISED")
    canary("CANARY-GOV-ID-370202"), canary("CANARY-INTERNAL"), canary("CANARY-AUTHORISED")
    store_record("XZCF", "scjgj", haier, row, RECENT, "general")
    store_record("XZXK", "spj", haier, {
        "XK_XDR_MC": haier.name, "XK_XDR_LB": "法人及非法人组织", "XK_XDR_SHXYM": haier.code,
        "XK_XKWS": "食品经营许可决定书", "XK_WSH": city.licence_number, "XK_XKLB": "普通",
        "XK_NR": "食品销售", "XK_JDRQ": RECENT.isoformat(), "XK_XKJG": "青岛市行政审批服务局",
        "XK_XKJGDM": "11370200MB0000000X", "XK_FR_ZJHM": "CANARY-LICENCE-ID"},
        RECENT, validity_end=TODAY + timedelta(days=700))
    canary("CANARY-LICENCE-ID")
    store_record("NSXY_A", "sw", haier, {"NS_NSRMC": haier.name, "NS_NSRSBH": haier.code,
                                    "NS_PJND": "2025", "NS_PJJG": "A",
                                    "NS_ZGSWJG": "国家税务总局青岛市崂山区税务局",
                                    "NS_FBRQ": RECENT.isoformat()}, RECENT)
    store_record("YZSXMD", "rsj", other, {
        "MD_MDMC": "拖欠农民工工资失信联合惩戒对象名单", "MD_ZTMC": other.name,
        "MD_ZTLB": "法人及非法人组织", "MD_TYSHXYDM": other.code,
        "MD_WSH": "青人社欠薪失信〔2026〕1号",
        "MD_LRRQ": RECENT.isoformat(), "MD_ZJHM": "CANARY-LIST-ID"}, RECENT,
        validity_end=TODAY + timedelta(days=300))
    canary("CANARY-LIST-ID")

    # Records that are not public as a whole: each carries a canary in a public field.
    expired = penalty_row(penalty, 900002, CF_WSH="CANARY-EXPIRED", CF_XDR_SHXYM=haier.code,
                          CF_XDR_MC=haier.name, CF_JDRQ="2018-01-05")
    store_record("XZCF", "scjgj", haier, expired, date(2018, 1, 5), "general")
    revoked = store_record("XZCF", "scjgj", haier, penalty_row(
        penalty, 900003, CF_WSH="CANARY-REVOKED", CF_XDR_SHXYM=haier.code,
        CF_XDR_MC=haier.name, CF_JDRQ=RECENT.isoformat()), RECENT, "general")
    revoke_record(revoked, reason="复议撤销", actor="test", on=TODAY)
    store_record("XZCF", "scjgj", haier, penalty_row(  # minor: not published under Order 36
        penalty, 900004, CF_WSH="CANARY-MINOR", CF_XDR_SHXYM=haier.code, CF_SXCD="轻微",
        CF_XDR_MC=haier.name, CF_JDRQ=RECENT.isoformat()), RECENT, "minor")
    store_record("XZCF", "scjgj", person, penalty_row(
        penalty, 900005, CF_WSH="CANARY-PERSON-PENALTY", CF_XDR_LB="自然人",
        CF_XDR_MC=person.name, CF_XDR_ZJHM=person.code, CF_XDR_SHXYM="",
        CF_JDRQ=RECENT.isoformat()), RECENT, "general")
    store_record("SXBZXR", "zy", person, {  # public for persons in the catalog, never on this site
        "SX_BZXR_MC": person.name, "SX_BZXR_LB": "自然人", "SX_AH": "CANARY-COURT-CASE",
        "SX_FBRQ": RECENT.isoformat(), "SX_ZXFY": "青岛市中级人民法院"}, RECENT)
    store_record("ZDGZ", "scjgj", other, {  # a government-only item
        "ZD_MDMC": "重点关注对象名单", "ZD_ZTMC": other.name, "ZD_TYSHXYDM": other.code,
        "ZD_WSH": "CANARY-WATCH-LIST", "ZD_LRRQ": RECENT.isoformat()}, RECENT)
    city.canaries += ["CANARY-EXPIRED", "CANARY-REVOKED", "CANARY-MINOR",
                      "CANARY-PERSON-PENALTY", "CANARY-PERSON-NAME", person.code,
                      "CANARY-COURT-CASE", "CANARY-WATCH-LIST"]

    # List entries: one recognised in the console and listed today; the others never public.
    city.recognised = recognise("SCJG_YZWF", other, "scjgj", "青市监严违〔2026〕77号",
                                "隐瞒真实情况取得登记", TODAY - timedelta(days=60),
                                TODAY - timedelta(days=45))
    exited = recognise("SCJG_YZWF", haier, "scjgj", "CANARY-EXITED-NUMBER",
                       "CANARY-EXITED-REASON", TODAY - timedelta(days=420),
                       TODAY - timedelta(days=400))
    exit_entry(exited, kind=ExitKind.REPAIR, on=TODAY - timedelta(days=5), actor="test",
               reason="信用修复")
    lapsed = recognise("SCJG_YZWF", haier, "scjgj", "CANARY-LAPSED-NUMBER",
                       "CANARY-LAPSED-REASON", date(2022, 1, 4), date(2022, 2, 7))
    assert lapsed.valid_until < TODAY  # past its last day; the daily expiry has not run
    recognise("SCJG_YZWF", haier, "scjgj", "CANARY-NOTICE-NUMBER", "CANARY-NOTICE-REASON",
              TODAY - timedelta(days=2))  # prior notice only
    recognise("TQNMG", person, "rsj", "CANARY-PERSON-LIST-NUMBER", "CANARY-PERSON-LIST-REASON",
              TODAY - timedelta(days=60), TODAY - timedelta(days=45))
    recognise("ZDGZ", haier, "scjgj", "CANARY-ZDGZ-NUMBER", "CANARY-ZDGZ-REASON",
              TODAY - timedelta(days=60), TODAY - timedelta(days=45))  # a non-public list
    listing = store_record("SCJG_YZWF", "scjgj", other, {  # reported, then revoked
        "YZ_ZTMC": other.name, "YZ_TYSHXYDM": other.code, "YZ_FDDBR": "张明",
        "YZ_LRSY": "CANARY-REVOKED-LISTING-REASON", "YZ_LRYJ": "第九条",
        "YZ_WSH": "CANARY-REVOKED-LISTING", "YZ_LRRQ": RECENT.isoformat(),
        "YZ_LRJG": "青岛市市场监督管理局"}, RECENT)
    revoke_record(listing, reason="复议撤销", actor="test", on=TODAY)
    city.canaries += [f"CANARY-{name}" for name in (
        "NOTICE-NUMBER", "NOTICE-REASON", "EXITED-NUMBER", "EXITED-REASON", "LAPSED-NUMBER",
        "LAPSED-REASON", "PERSON-LIST-NUMBER", "PERSON-LIST-REASON", "ZDGZ-NUMBER",
        "ZDGZ-REASON", "REVOKED-LISTING", "REVOKED-LISTING-REASON")]
    return city
