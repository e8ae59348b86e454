"""The demo city's departments submit their data: files as departments really send them,
fed through collection (归集) like any other batch.

After the subjects, `write_submissions` writes for every stream of the plan (one department's
submissions of one catalog item) the files of the last three years into
var/demo/submissions/<department>/<ITEM>-<n>.<csv|xlsx|json> — mostly UTF-8 CSV, some GB18030
CSV, XLSX and JSON, headed by Chinese field names, field codes or aliases — with a few
deliberately imperfect rows per stream, and `ingest_submissions` submits each file through
`collection.services.ingest`. A 双公示 stream ends with a file of the last weeks' decisions,
mostly within the 7-working-day deadline; the 市场监管 penalties end with a resubmission that
corrects earlier records (new versions) and the rows rejected before.

Everything derives from the seed and the reference day: the same seed on the same day gives
the same files byte for byte. Rows are written as they are made, a file at a time; what is
held in memory is bounded by the subject sample (`SubjectPool`) and one stream's business
keys, not by the number of records.
"""

import csv
import hashlib
import itertools
import json
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from faker import Faker

from xinyong.catalog.models import Department, InformationItem
from xinyong.collection.services import ingest, item_spec
from xinyong.core.calendar import CalendarNotCovered, is_workday
from xinyong.core.identifiers import USCC_PLACEHOLDER, make_uscc
from xinyong.subjects.bulk import BulkSubject

from . import vocabulary as words
from .generator import DISTRICTS, ORG_FORMS, STREETS, TRADES, USCC_CHARS, City, Size, _base31

ACTOR = "demo"
CHANNEL = "demo"
SMALL_SUBJECTS = 25_000      # subjects of the `small` city, which the plan's volumes are for
MIN_ROWS = 8                 # rows of a stream at any size
FILE_ROWS = 20_000           # rows per file at most (larger streams get more files)
ORG_SAMPLE = 60_000          # organisations kept for departments to write about
PERSON_SAMPLE = 20_000       # persons kept likewise
HISTORY_YEARS = 3
RECENT_SHARE = 0.03          # of a 双公示 stream's rows: the last weeks' file
EXTRA_DEFECTS = 0.002        # share of further imperfect rows after the deliberate ones
SPREAD_ITEMS = ("XZXK", "XZCF")  # the 双公示 items: a recent file, the 7-working-day rule


# ---- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """One department's submissions of one item: `rows` at the `small` size."""

    item: str
    department: str
    rows: int
    fmt: str = "csv"          # csv (UTF-8) | csv-bom | gb18030 | xlsx | json
    files: int = 1            # at least this many files
    headers: str = "name"     # name (Chinese field names) | code | alias
    annual: bool = False      # one publication date per file (yearly lists)
    resubmit: bool = False    # ends with a file correcting earlier rows


PLAN = [
    # 行政许可 (双公示): the approval bureaus of the city and the districts, sector departments.
    Stream("XZXK", "spj", 420, files=4),
    Stream("XZXK", "wjw", 90, fmt="xlsx"),
    Stream("XZXK", "jtj", 60),
    Stream("XZXK", "zjj", 70, fmt="csv-bom"),
    Stream("XZXK", "sthjj", 40),
    Stream("XZXK", "whlyj", 30, fmt="gb18030"),
    Stream("XZXK", "gaj", 30),
    Stream("XZXK", "ycj", 60, fmt="json", headers="code"),
    Stream("XZXK", "scjgj", 40),
    Stream("XZXK", "jyj", 20, fmt="csv-bom"),
    Stream("XZXK", "xfzd", 30),
    Stream("XZXK", "huangdao", 120, fmt="xlsx", files=3),
    Stream("XZXK", "chengyang", 80),
    Stream("XZXK", "jimo", 60, fmt="gb18030"),
    Stream("XZXK", "jiaozhou", 50, headers="code"),
    Stream("XZXK", "pingdu", 40, fmt="xlsx"),
    # 行政处罚 (双公示)
    Stream("XZCF", "scjgj", 220, files=3, resubmit=True),
    Stream("XZCF", "sw", 90, fmt="xlsx"),
    Stream("XZCF", "sthjj", 70),
    Stream("XZCF", "zjj", 50, fmt="csv-bom"),
    Stream("XZCF", "cgj", 60, fmt="gb18030", headers="alias"),
    Stream("XZCF", "jtj", 60),
    Stream("XZCF", "wjw", 40, fmt="xlsx"),
    Stream("XZCF", "yjj", 40),
    Stream("XZCF", "xfzd", 40),
    Stream("XZCF", "rsj", 20),
    Stream("XZCF", "whlyj", 20, fmt="gb18030"),
    Stream("XZCF", "swglj", 10),
    Stream("XZCF", "huangdao", 70, fmt="xlsx"),
    Stream("XZCF", "shibei", 50, headers="alias"),
    Stream("XZCF", "licang", 30, fmt="gb18030"),
    Stream("XZCF", "laoshan", 20, fmt="json", headers="code"),
    Stream("XZCF", "jimo", 30, fmt="gb18030"),
    Stream("XZCF", "pingdu", 30, fmt="xlsx"),
    # lists: the courts, market supervision, tax, procurement, tendering, sector lists
    Stream("SXBZXR", "zy", 250, fmt="json", headers="code", files=2),
    Stream("JYYC", "scjgj", 120),
    Stream("JYYC", "huangdao", 60, fmt="xlsx"),
    Stream("JYYC", "shinan", 40),
    Stream("JYYC", "chengyang", 40, fmt="gb18030"),
    Stream("SCJG_YZWF", "scjgj", 25),
    Stream("SSWF", "sw", 20, fmt="xlsx"),
    Stream("ZFCG_SX", "czj", 12),
    Stream("ZFCG_SX", "huangdao", 6, fmt="xlsx"),
    Stream("ZTB_WF", "zjj", 12, fmt="csv-bom"),
    Stream("ZTB_WF", "jtj", 6),
    Stream("ZTB_WF", "ggzyjy", 10, fmt="json"),
    Stream("YZSXMD", "rsj", 15),
    Stream("YZSXMD", "yjj", 10),
    Stream("YZSXMD", "jimo", 5, fmt="gb18030"),
    Stream("ZDGZ", "scjgj", 15),
    Stream("ZDGZ", "yjj", 12),
    Stream("ZDGZ", "sthjj", 10),
    Stream("ZDGZ", "zjj", 8, fmt="csv-bom"),
    Stream("NSXY_A", "sw", 150, fmt="xlsx", files=3, annual=True),
    Stream("HG_AEO", "hg", 15, fmt="json", headers="code"),
    Stream("QYDJ", "spj", 250),
]

EXTENSIONS = {"csv": ".csv", "csv-bom": ".csv", "gb18030": ".csv", "xlsx": ".xlsx",
              "json": ".json"}
ENCODINGS = {"csv": "utf-8", "csv-bom": "utf-8-sig", "gb18030": "gb18030"}
DATE_STYLES = {"csv": "%Y/%m/%d", "csv-bom": "%Y-%m-%d", "gb18030": "cn", "xlsx": "excel",
               "json": "%Y-%m-%d"}


def stream_rows(stream: Stream, size: Size) -> int:
    """The stream's rows at `size`: its `small` volume scaled by the city's subjects."""
    subjects = size.enterprises + size.non_enterprises + size.persons
    return max(MIN_ROWS, round(stream.rows * subjects / SMALL_SUBJECTS))


# ---- the subjects departments write about -----------------------------------------------


class SubjectPool:
    """A reproducible sample of the city's active organisations and of its living persons
    of working age, taken while the city streams past (reservoir sampling): what departments
    write about, in memory that does not grow with the city."""

    def __init__(self, seed: int, *, today: date, orgs: int = ORG_SAMPLE,
                 persons: int = PERSON_SAMPLE):
        self.rng = random.Random(f"{seed}:pool")
        self.limits = {"org": orgs, "person": persons}
        self.seen = {"org": 0, "person": 0}
        self.kept: dict[str, list[BulkSubject]] = {"org": [], "person": []}
        self.born = (str(today.year - 75), str(today.year - 25))  # working age
        self.groups: dict[str, list[BulkSubject]] = {}
        self.local: dict[tuple[str, str], list[BulkSubject]] = {}
        self.grouped = False

    def offer(self, subjects) -> None:
        for subject in subjects:
            if subject.status != "active":
                continue
            if subject.base == "person":
                if not self.born[0] <= subject.code[6:10] <= self.born[1]:
                    continue
                self._keep("person", subject)
            else:
                self._keep("org", subject)

    def _keep(self, group: str, subject: BulkSubject) -> None:
        kept, limit = self.kept[group], self.limits[group]
        self.seen[group] += 1
        if len(kept) < limit:
            kept.append(subject)
        else:
            slot = self.rng.randrange(self.seen[group])
            if slot < limit:
                kept[slot] = subject
        self.grouped = False

    def _group(self) -> None:
        """Index the sample by subject type, and by type and division."""
        self.groups, self.local, self.grouped = {}, {}, True
        for subject in itertools.chain(self.kept["org"], self.kept["person"]):
            self.groups.setdefault(subject.subject_type, []).append(subject)
            division = subject.division if subject.base != "person" else subject.code[:6]
            self.local.setdefault((subject.subject_type, division), []).append(subject)

    def of_type(self, subject_type: str) -> list[BulkSubject]:
        if not self.grouped:
            self._group()
        return self.groups.get(subject_type, [])

    def pick(self, rng: random.Random, types, *, division: str = "",
             before: date | None = None) -> BulkSubject:
        """A subject of one of `types` (weighted by how many there are), preferring one of
        `division` and one established before `before`."""
        candidates = [t for t in types if self.of_type(t)]
        if not candidates:
            raise LookupError(f"the demo city has no subjects of type {types}")
        weights = [len(self.groups[t]) for t in candidates]
        subject_type = rng.choices(candidates, weights=weights)[0]
        group = self.local.get((subject_type, division)) if division else None
        group = group if group and rng.random() < 0.8 else self.groups[subject_type]
        for _ in range(4):
            subject = rng.choice(group)
            if before is None or not subject.organisation or subject.organisation[1] is None \
                    or subject.organisation[1] < before:
                break
        return subject


# ---- authorities ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """A deciding authority (处罚机关, 许可机关, 认定单位) with its document-number prefix."""

    name: str
    prefix: str
    division: str
    uscc: str
    kinds: tuple = ()


def authority_uscc(name: str, division: str, category: str = "1") -> str:
    """A stable synthetic USCC for a government body (authority 1, body "MB…", a range the
    synthetic city's subjects never use)."""
    body = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 31 ** 6
    return make_uscc("1", category, division, "MB" + _base31(body, 6))


def department_uscc(department: Department) -> str:
    category = "2" if department.kind == "institution" else "1"
    return department.uscc or authority_uscc(department.name, department.division, category)


def _authority(name: str, prefix: str, division: str, kinds=()) -> Authority:
    return Authority(name, prefix, division, authority_uscc(name, division), tuple(kinds))


def district_authority(department: Department, suffix: str, short: str, kinds=()) -> Authority:
    abbr, place = words.DISTRICT_WORDS[department.division]
    return _authority(place + suffix, f"青{abbr}{short}", department.division, kinds)


def penalty_authorities(department: Department) -> list[Authority]:
    if department.kind == "district":
        return [district_authority(department, suffix, short, kinds)
                for suffix, short, kinds in words.DISTRICT_PENALTY_AUTHORITIES]
    return [_authority(name, prefix, "370200", kinds)
            for name, prefix, kinds in words.PENALTY_AUTHORITIES[department.code]]


def licence_authorities(department: Department) -> list[Authority]:
    if department.kind == "district":
        return [district_authority(department, *words.DISTRICT_LICENCE_AUTHORITY)]
    return [_authority(name, prefix, "370200", kinds)
            for name, prefix, kinds in words.LICENCE_AUTHORITIES[department.code]]


def authorities_for(item: str, department: Department) -> list[Authority]:
    if item == "XZCF":
        return penalty_authorities(department)
    if item == "XZXK":
        return licence_authorities(department)
    if item == "JYYC":
        if department.kind == "district":
            return [district_authority(department, "市场监督管理局", "市监")]
        return [_authority("青岛市市场监督管理局", "青市监", "370200")]
    return []


# ---- a desk: one stream being written ------------------------------------------------------


class Desk:
    """The state of one stream while its files are written: its random source, document
    counters and the business keys already used."""

    def __init__(self, stream: Stream, spec: dict, department: Department, pool: SubjectPool,
                 fake: Faker, *, seed: int, today: date):
        self.stream, self.spec, self.department, self.pool = stream, spec, department, pool
        self.today = today
        self.rng = random.Random(f"{seed}:{stream.department}:{stream.item}")
        self.city = City(self.rng.randrange(2 ** 32))
        self.fake = fake
        fake.seed_instance(self.rng.randrange(2 ** 32))
        self.uscc = department_uscc(department)
        self.counters: dict[tuple, int] = {}
        self.keys: set[str] = set()
        self.kept: list[dict] = []        # penalties the resubmission will correct
        self.corrected: list[dict] = []   # rejected rows as they should have been
        self.writer = WRITERS[stream.item]
        self.deck: Iterator[BulkSubject] | None = None
        self.authorities = authorities_for(stream.item, department)

    def next_number(self, *key, day: date, step: int = 3) -> int:
        """The next number of a yearly series (a document or case number); a series first
        seen mid-year starts where the year's earlier decisions would have left it."""
        if key not in self.counters:
            self.counters[key] = self.rng.randint(0, day.timetuple().tm_yday * step // 4)
        self.counters[key] += self.rng.randint(1, step)
        return self.counters[key]

    def doc_no(self, prefix: str, day: date) -> str:
        return f"{prefix}〔{day.year}〕{self.next_number(prefix, day.year, day=day)}号"

    def party(self, types, day: date | None = None, division: str = "") -> BulkSubject:
        return self.pool.pick(self.rng, types, division=division, before=day)

    def distinct_party(self, subject_type: str) -> BulkSubject:
        """Subjects of `subject_type` in a shuffled order, each once (then again)."""
        if self.deck is None:
            group = self.pool.of_type(subject_type)
            self.deck = itertools.cycle(self.rng.sample(group, len(group)))
        return next(self.deck)

    def local_division(self) -> str:
        return self.department.division if self.department.kind == "district" else ""

    def outsider(self) -> BulkSubject:
        """An enterprise from another city (it becomes a new subject when linked)."""
        division = self.rng.choice(sorted(words.OTHER_CITIES))
        code = make_uscc("9", "1", division, "MA" + _base31(self.rng.randrange(31 ** 6), 6))
        name = (f"{words.OTHER_CITIES[division]}{self.city.brand()}"
                f"{self.rng.choice(TRADES)}{self.rng.choice(ORG_FORMS)}")
        return BulkSubject("enterprise", "企业", code, name, division,
                           organisation=(self.city.person_name(), None, None, "", "", ""))

    def amount(self, low: int, high: int) -> int:
        value = self.rng.randint(low, high)
        step = 100 if value < 10_000 else 1_000 if value < 100_000 else 10_000
        return max(low, value // step * step)

    def fill(self, template: str, **known) -> str:
        return template.format_map(Wording(self, known))

    def row(self, day: date) -> dict:
        """A valid row about `day` whose business key the stream has not used."""
        for _ in range(50):
            row = self.writer(self, day)
            key = business_key(self.spec, row)
            if key not in self.keys:
                self.keys.add(key)
                return row
        raise RuntimeError(f"{self.stream}: no unused business key after 50 tries")


def business_key(spec: dict, row: dict) -> str:
    return "\x1f".join(str(row.get(code) or "") for code in spec["business_key"])


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Wording(dict):
    """The fields of a text template, made on demand: values the writer knows, the case's
    own options, the shared options of `vocabulary`, then generated details."""

    def __init__(self, desk: Desk, known: dict):
        self.options = known.pop("options", None) or {}
        super().__init__(known)
        self.desk = desk

    def __missing__(self, key: str) -> str:
        rng = self.desk.rng
        choices = self.options.get(key) or words.SHARED_OPTIONS.get(key)
        if choices:
            value = rng.choice(choices)
        elif key in MADE:
            value = MADE[key](self.desk, rng, self.get("day") or self.desk.today)
        else:
            raise KeyError(f"no wording for {{{key}}}")
        self[key] = value
        return value


# Template fields made up per row: (desk, rng, the row's day) → text.
MADE: dict[str, Callable[[Desk, random.Random, date], str]] = {
    "when": lambda desk, rng, day: chinese_date(day - timedelta(days=rng.randint(15, 90))),
    "expired": lambda desk, rng, day: chinese_date(day - timedelta(days=rng.randint(30, 400))),
    "count": lambda desk, rng, day: str(rng.randint(2, 40)),
    "value": lambda desk, rng, day: str(desk.amount(300, 90_000)),
    "money": lambda desk, rng, day: str(desk.amount(200, 5_000)),
    "tax": lambda desk, rng, day: str(desk.amount(1_000_000, 20_000_000)),
    "period": lambda desk, rng, day: f"{day.year - 1}年1月至{day.year - 1}年12月",
    "share": lambda desk, rng, day: str(rng.randint(10, 60)),
    "reading": lambda desk, rng, day: str(rng.randint(80, 400)),
    "weight": lambda desk, rng, day: str(rng.randint(55, 90)),
    "area": lambda desk, rng, day: str(rng.randint(5, 80)),
    "land_area": lambda desk, rng, day: str(rng.randint(200, 6_000)),
    "floor_area": lambda desk, rng, day: str(rng.randint(3_000, 90_000)),
    "contract": lambda desk, rng, day: str(rng.randint(300, 20_000)),
    "invest": lambda desk, rng, day: str(rng.randint(200, 5_000)),
    "months": lambda desk, rng, day: str(rng.randint(12, 36)),
    "project": lambda desk, rng, day: (f"{desk.city.brand()}{rng.choice(words.PROJECT_PLACES)}"
                                       f"{rng.choice(words.PROJECT_KINDS)}项目"),
    "plate": lambda desk, rng, day: (f"鲁B{rng.choice(words.PLATE_LETTERS)}"
                                     f"{rng.randint(1000, 9999)}"
                                     f"{rng.choice('0123456789' + words.PLATE_LETTERS)}"),
    "device": lambda desk, rng, day: (f"{rng.choice(('3110', '4320', '2110', '5110'))}3702"
                                      f"{day.year - rng.randint(3, 12)}"
                                      f"{rng.randint(1, 99_999):05d}"),
}


# ---- row writers, one per item family --------------------------------------------------------


def wan(yuan: int) -> Decimal:
    """Yuan as 万元 (the unit of the catalog's amount fields)."""
    return (Decimal(yuan) / 10_000).normalize()


def xz_subject(prefix: str, party: BulkSubject, rng: random.Random) -> dict:
    """The 行政相对人 fields of the 双公示 standard (XZCF/XZXK share them)."""
    if party.base == "person":
        return {f"{prefix}_XDR_MC": party.name, f"{prefix}_XDR_LB": "自然人",
                f"{prefix}_XDR_ZJLX": "身份证", f"{prefix}_XDR_ZJHM": party.code}
    kind = "个体工商户" if party.subject_type == "个体工商户" else "法人及非法人组织"
    row = {f"{prefix}_XDR_MC": party.name, f"{prefix}_XDR_LB": kind,
           f"{prefix}_XDR_SHXYM": party.code, f"{prefix}_FRDB": party.organisation[0]}
    if kind != "个体工商户" and rng.random() < 0.1:
        row[f"{prefix}_XDR_ZZJG"] = party.code[8:17]
    return row


def penalty(desk: Desk, day: date) -> dict:
    """行政处罚 (XZCF): a case of the authority's sectors, with its amounts and content."""
    rng = desk.rng
    authority = rng.choice(desk.authorities)
    case = rng.choice([case for sector in authority.kinds
                       for case in words.PENALTY_CASES[sector]])
    elsewhere = "自然人" not in case.targets and rng.random() < 0.01
    party = desk.outsider() if elsewhere else desk.party(case.targets, day,
                                                         desk.local_division())
    fine = desk.amount(*case.fine) if "罚款" in case.kinds else 0
    gain = desk.amount(*case.seized) if "没收违法所得" in case.kinds else 0
    goods = desk.amount(*case.seized) if "没收非法财物" in case.kinds else 0
    severity = rng.choices(("轻微", "一般", "严重", ""), weights=(*case.severity, 4))[0]
    revokes = "吊销许可证件" in case.kinds
    row = xz_subject("CF", party, rng) | {
        "CF_WSH": desk.doc_no(authority.prefix, day), "CF_WFXW": case.behaviour,
        "CF_SY": desk.fill(case.facts, day=day, name=party.name, money=str(gain),
                           options=case.options),
        "CF_YJ": case.basis, "CF_CFLB": ";".join(case.kinds),
        "CF_NR": penalty_content(case, fine, gain, goods), "CF_JDRQ": day,
        "CF_YXQ": date(2099, 12, 31) if revokes else penalty_end(day, severity),
        "CF_CFJG": authority.name, "CF_CFJGDM": authority.uscc,
        "CF_SJLY": desk.department.name, "CF_SJLYDM": desk.uscc,
        "CF_SXCD": severity, "CF_CFCX": "普通程序"}
    if fine:
        row["CF_NR_FK"] = wan(fine)
    if gain or goods:
        row["CF_NR_WFFF"] = wan(gain + goods)
    if revokes:
        row["CF_NR_ZKDX"] = f"{case.licence}（编号：{desk.doc_no('鲁网文', day)}）"
    return row


def penalty_content(case: words.PenaltyCase, fine: int, gain: int, goods: int) -> str:
    parts = []
    for kind in case.kinds:
        match kind:
            case "罚款":
                parts.append(("并处" if parts else "") + f"罚款人民币{fine}元")
            case "没收违法所得":
                parts.append(f"没收违法所得人民币{gain}元")
            case "没收非法财物":
                parts.append(f"没收{'侵权商品' if '商标' in case.basis else '药品、医疗器械'}"
                             f"（价值人民币{goods}元）")
            case "吊销许可证件":
                parts.append(f"吊销{case.licence}")
            case "责令停产停业":
                parts.append("责令停止使用、营业")
            case "其他":
                parts.append("责令退还非法占用的土地，限期拆除在非法占用的土地上新建的建筑物和其他设施")
            case _:
                parts.append(kind if kind != "警告" else "给予警告")
    return "，".join(parts)


def penalty_end(day: date, severity: str) -> date:
    years = {"严重": 3, "轻微": 0}.get(severity, 1)
    return add_months(day, 3) if years == 0 else add_years(day, years)


def add_years(day: date, years: int) -> date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def licence(desk: Desk, day: date) -> dict:
    """行政许可 (XZXK): a licence of one of the authority's kinds."""
    rng = desk.rng
    authority = rng.choice(desk.authorities)
    kind = rng.choice(authority.kinds)
    spec = words.LICENCES[kind]
    elsewhere = "自然人" not in spec.targets and rng.random() < 0.005
    party = desk.outsider() if elsewhere else desk.party(spec.targets, day,
                                                         desk.local_division())
    sequence = desk.next_number(authority.name, kind, day=day)
    number = desk.fill(spec.number, div=authority.division, seq=sequence, y=day.year,
                       y2=f"{day.year % 100:02d}", seq3=sequence % 1000, uscc=party.code,
                       options=spec.options)
    document = desk.doc_no(f"{authority.prefix}{spec.short}", day)
    end = date(2099, 12, 31) if spec.years is None else \
        add_years(day, spec.years) - timedelta(days=1)
    return xz_subject("XK", party, rng) | {
        "XK_XKWS": spec.act, "XK_WSH": number if rng.random() < 0.1 else document,
        "XK_XKLB": spec.kind, "XK_XKZS": spec.certificate, "XK_XKBH": number,
        "XK_NR": desk.fill(spec.content, day=day, name=party.name, options=spec.options),
        "XK_JDRQ": day, "XK_YXQZ": day, "XK_YXQZI": end,
        "XK_XKJG": authority.name, "XK_XKJGDM": authority.uscc, "XK_ZT": "正常",
        "XK_LYDW": desk.department.name, "XK_LYDWDM": desk.uscc}


def court_list(desk: Desk, day: date) -> dict:
    """失信被执行人 (SXBZXR): reported by the intermediate court for every court of the city."""
    rng = desk.rng
    person = rng.random() < 0.4
    party = desk.party(("自然人",) if person else ("企业", "民办非企业单位"), day)
    division = party.code[:6] if party.base == "person" else party.division
    court, code = words.COURTS.get(division if rng.random() < 0.85 else "370200",
                                   words.COURTS["370200"])
    filed = day - timedelta(days=rng.randint(30, 240))
    judged = filed - timedelta(days=rng.randint(60, 400))
    if rng.random() < 0.15:
        number = desk.next_number("仲裁", judged.year, day=judged, step=8)
        basis = f"青仲裁字〔{judged.year}〕第{number}号"
        decided_by = "青岛仲裁委员会"
    else:
        number = desk.next_number(code, "民初", judged.year, day=judged, step=40)
        basis = f"（{judged.year}）{code}民初{number}号"
        decided_by = court
    creditor = rng.choice(words.BANKS).format(street=rng.choice(STREETS).removesuffix("路")) \
        if rng.random() < 0.4 else desk.fake.company()
    duty = rng.choice(words.DEBT_DUTIES).format(creditor=creditor,
                                                amount=desk.amount(5_000, 3_000_000))
    conduct = rng.choices(words.DISHONEST_CONDUCT, weights=words.DISHONEST_WEIGHTS)[0]
    case = desk.next_number(code, "执", filed.year, day=filed, step=30)
    row = {"SX_BZXR_MC": party.name, "SX_ZXFY": court, "SX_ZXYJWH": basis,
           "SX_ZXYJDW": decided_by, "SX_AH": f"（{filed.year}）{code}执{case}号",
           "SX_LARQ": filed, "SX_YW": f"被执行人{duty}",
           "SX_LXQK": "全部未履行" if rng.random() < 0.8 else "部分未履行",
           "SX_SXQX": conduct, "SX_FBRQ": day,
           "SX_SXQXZ": "" if conduct.startswith("有履行能力") else add_years(day, 2)}
    if party.base == "person":
        return row | {"SX_BZXR_LB": "自然人", "SX_ZJHM": party.code}
    return row | {"SX_BZXR_LB": "法人或者其他组织", "SX_SHXYM": party.code,
                  "SX_FDDBR": party.organisation[0]}


def removal(desk: Desk, day: date, share: float, after_days: int = 30) -> date | None:
    """The day an entry left its list, if it did (before the reference day)."""
    if desk.rng.random() >= share:
        return None
    left = day + timedelta(days=desk.rng.randint(after_days, after_days + 400))
    return left if left <= desk.today else None


def abnormal_list(desk: Desk, day: date) -> dict:
    """经营异常名录 (JYYC): enterprises listed by market supervision, some removed since."""
    rng = desk.rng
    authority = desk.authorities[0]
    party = desk.party(("企业",), day, desk.local_division())
    reasons = list(words.ABNORMAL_REASONS)
    reason = rng.choices(reasons, weights=[words.ABNORMAL_REASONS[r][0] for r in reasons])[0]
    row = {"JY_QYMC": party.name, "JY_TYSHXYDM": party.code,
           "JY_FDDBR": party.organisation[0], "JY_LRYY": reason, "JY_LRRQ": day,
           "JY_LRJG": authority.name, "JY_LRJGDM": authority.uscc}
    if rng.random() < 0.7:
        row["JY_LRWSH"] = desk.doc_no(f"{authority.prefix}经异列", day)
    left = removal(desk, day, 0.35)
    if left:
        row |= {"JY_YCRQ": left, "JY_YCYY": words.ABNORMAL_REASONS[reason][1],
                "JY_YCJG": authority.name}
    return row


def serious_market(desk: Desk, day: date) -> dict:
    """市场监督管理严重违法失信名单 (SCJG_YZWF)."""
    rng = desk.rng
    party = desk.party(("企业", "个体工商户"), day)
    reason, basis = rng.choice(words.SERIOUS_MARKET_CASES)
    row = {"YZ_ZTMC": party.name, "YZ_TYSHXYDM": party.code,
           "YZ_FDDBR": party.organisation[0], "YZ_LRSY": reason, "YZ_LRYJ": basis,
           "YZ_WSH": desk.doc_no("青市监严列", day), "YZ_LRRQ": day,
           "YZ_LRJG": "青岛市市场监督管理局"}
    left = removal(desk, day, 0.15, after_days=366)
    if left:
        row |= {"YZ_YCRQ": left, "YZ_YCJG": "青岛市市场监督管理局",
                "YZ_YCYY": "列入满一年，已履行相关义务并完成信用修复，申请提前移出"}
    return row


def serious_tax(desk: Desk, day: date) -> dict:
    """重大税收违法失信主体 (SSWF)."""
    rng = desk.rng
    party = desk.party(("企业", "个体工商户"), day)
    nature, _, facts = rng.choices(words.TAX_CASES,
                                   weights=[c[1] for c in words.TAX_CASES])[0]
    tax = desk.fill("{tax}")
    facts = desk.fill(facts, day=day, tax=tax, method=rng.choice(words.TAX_METHODS))
    articles = {"偷税": "第六十三条第一款", "逃避追缴欠税": "第六十五条",
                "骗取出口退税": "第六十六条第一款"}
    if nature in articles:
        times = rng.choice(("0.5", "1", "1.5", "2"))
        handling = (f"依照《中华人民共和国税收征收管理法》{articles[nature]}的规定，"
                    f"追缴税款{tax}元，并处{times}倍罚款。")
    else:
        handling = ("依照《中华人民共和国发票管理办法》第三十七条的规定，没收违法所得，并处罚款；"
                    "涉嫌犯罪的，已移送公安机关。")
    published = min(day + timedelta(days=rng.randint(3, 30)), desk.today)
    return {"SS_NSRMC": party.name, "SS_NSRSBH": party.code,
            "SS_ZCDZ": party.organisation[3], "SS_FDDBR": party.organisation[0],
            "SS_CWFZR": desk.fake.name(), "SS_AJXZ": nature, "SS_ZYWFSS": facts,
            "SS_CLCF": handling, "SS_QDRQ": day, "SS_GBRQ": published,
            "SS_SWJG": rng.choice(("国家税务总局青岛市税务局第一稽查局",
                                   "国家税务总局青岛市税务局第三稽查局"))}


def procurement(desk: Desk, day: date) -> dict:
    """政府采购严重违法失信行为 (ZFCG_SX)."""
    rng = desk.rng
    if desk.department.kind == "district":
        enforcer = desk.department.name.removesuffix("人民政府") + "财政局"
        enforcer = enforcer if enforcer.startswith(("青岛", "胶州", "平度", "莱西")) else \
            "青岛市" + enforcer
        prefix = f"青{words.DISTRICT_WORDS[desk.department.division][0]}财购罚"
    else:
        enforcer, prefix = "青岛市财政局", "青财购罚"
    party = desk.party(("企业",), day)
    conduct, clause = rng.choice(words.PROCUREMENT_CASES)
    years = rng.randint(1, 3)
    bid = desk.amount(100_000, 5_000_000)
    permille = rng.randint(5, 10)
    return {"ZC_QYMC": party.name, "ZC_TYSHXYDM": party.code,
            "ZC_QYDZ": party.organisation[3], "ZC_SXQX": f"在政府采购活动中{conduct}",
            "ZC_CFJG": (f"处以采购金额千分之{permille}的罚款计人民币{bid * permille // 1000}元，"
                        f"列入不良行为记录名单，{years}年内禁止参加政府采购活动"),
            "ZC_CFYJ": f"《中华人民共和国政府采购法》第七十七条第一款第{clause}项",
            "ZC_WSH": desk.doc_no(prefix, day), "ZC_CFRQ": day,
            "ZC_JZRQ": add_years(day, years), "ZC_ZFDW": enforcer}


def tender(desk: Desk, day: date) -> dict:
    """招标投标违法行为 (ZTB_WF): bidders, and evaluation experts (natural persons)."""
    rng = desk.rng
    code = desk.department.code
    if code not in words.TENDER_AUTHORITIES:  # the trading centre reports for the regulators
        code = rng.choice(("fgw", "zjj", "jtj", "swglj"))
    name, prefix = words.TENDER_AUTHORITIES[code]
    conduct, basis, decision, expert = rng.choice(words.TENDER_CASES)
    party = desk.party(("自然人",) if expert else ("企业",), day)
    years = rng.randint(1, 2)
    decision = decision.format(permille=rng.randint(5, 10), years=years,
                               amount=desk.amount(3_000, 300_000))
    row = {"ZB_DSRMC": party.name, "ZB_WFXW": conduct, "ZB_CLYJ": basis, "ZB_CLJD": decision,
           "ZB_WSH": desk.doc_no(prefix, day), "ZB_CLRQ": day, "ZB_CLJG": name,
           "ZB_GGJZRQ": add_months(day, 6) if expert else add_years(day, years)}
    if party.base == "person":
        return row | {"ZB_DSRLB": "自然人", "ZB_ZJHM": party.code}
    return row | {"ZB_DSRLB": "法人及非法人组织", "ZB_TYSHXYDM": party.code}


def serious_list(desk: Desk, day: date) -> dict:
    """严重失信主体名单 (YZSXMD): unpaid migrant-worker wages, work safety."""
    rng = desk.rng
    department = desk.department
    if department.kind == "district":
        list_of = rng.choice(("rsj", "yjj"))
        suffix = "人力资源和社会保障局" if list_of == "rsj" else "应急管理局"
        authority = district_authority(department, suffix, "")
    else:
        list_of = department.code
        authority = _authority(department.name, "", "370200")
    list_name, reason, basis, prefix, years = words.SERIOUS_LISTS[list_of]
    person = list_of == "rsj" and rng.random() < 0.15
    party = desk.party(("自然人",) if person else ("企业",), day)
    workers = rng.randint(1, 3) if list_of == "yjj" else rng.randint(5, 80)
    row = {"MD_MDMC": list_name, "MD_ZTMC": party.name,
           "MD_LRSY": desk.fill(reason, count=str(workers),
                                amount=str(workers * desk.amount(3_000, 40_000))),
           "MD_RDYJ": basis, "MD_WSH": desk.doc_no(prefix, day), "MD_LRRQ": day,
           "MD_YXQZ": add_years(day, years), "MD_RDDW": authority.name,
           "MD_RDDWDM": authority.uscc}
    left = removal(desk, day, 0.1, after_days=366)
    if left:
        row |= {"MD_YCRQ": left, "MD_YCYY": "已改正失信行为，经申请提前移出名单"}
    if party.base == "person":
        return row | {"MD_ZTLB": "自然人", "MD_ZJLX": "身份证", "MD_ZJHM": party.code}
    kind = "个体工商户" if party.subject_type == "个体工商户" else "法人及非法人组织"
    return row | {"MD_ZTLB": kind, "MD_TYSHXYDM": party.code,
                  "MD_FDDBR": party.organisation[0]}


def watch_list(desk: Desk, day: date) -> dict:
    """重点关注名单 (ZDGZ): shared with government only."""
    list_name, reason, prefix = words.WATCH_LISTS[desk.department.code]
    party = desk.party(("企业",), day)
    return {"ZD_MDMC": list_name, "ZD_ZTMC": party.name, "ZD_TYSHXYDM": party.code,
            "ZD_LRSY": reason, "ZD_RDYJ": "《山东省社会信用条例》第二十八条；"
                                          "《青岛市优化营商环境条例》第三十五条",
            "ZD_WSH": desk.doc_no(prefix, day), "ZD_LRRQ": day, "ZD_YXQZ": add_years(day, 1),
            "ZD_RDDW": desk.department.name, "ZD_RDDWDM": desk.uscc}


def tax_office(division: str) -> str:
    division = division if division in words.DISTRICT_WORDS else "370202"
    place = DISTRICTS[division][0]
    return f"国家税务总局{'' if place.endswith('市') else '青岛市'}{place}税务局"


def tax_grade(desk: Desk, day: date) -> dict:
    """纳税信用A级纳税人 (NSXY_A): published each spring for the year before."""
    party = desk.party(("企业",), day)
    division = party.division if party.division != "370200" else \
        desk.rng.choice(sorted(words.DISTRICT_WORDS))
    return {"NS_NSRMC": party.name, "NS_NSRSBH": party.code, "NS_PJND": day.year - 1,
            "NS_PJJG": "A", "NS_ZGSWJG": tax_office(division), "NS_FBRQ": day}


def customs_grade(desk: Desk, day: date) -> dict:
    """海关高级认证企业 (HG_AEO)."""
    party = desk.party(("企业",), day)
    digits = int(hashlib.sha256(party.code.encode()).hexdigest(), 16) % 10 ** 6
    customs_code = f"3702{digits:06d}"
    return {"HG_QYMC": party.name, "HG_TYSHXYDM": party.code, "HG_HGBM": customs_code,
            "HG_RZLX": "高级认证企业", "HG_RZRQ": day, "HG_ZSBH": f"AEOCN{customs_code}",
            "HG_ZGHG": desk.rng.choice(words.CUSTOMS_OFFICES)}


def registration(desk: Desk, day: date) -> dict:
    """企业登记基本信息 (QYDJ): the registration as the approval bureau holds it (one row
    per enterprise: the business key is its code)."""
    party = desk.distinct_party("企业")
    representative, established, capital, address, industry, registrar = party.organisation
    kind = "股份有限公司（非上市、自然人投资或控股）" if party.name.endswith("股份有限公司") \
        else "有限责任公司（自然人投资或控股）"
    industry_code, scope = words.INDUSTRY_SCOPES[industry]
    long_term = desk.rng.random() < 0.7
    return {"DJ_QYMC": party.name, "DJ_TYSHXYDM": party.code, "DJ_QYLX": kind,
            "DJ_FDDBR": representative, "DJ_ZCZB": capital, "DJ_BZ": "人民币",
            "DJ_CLRQ": established, "DJ_YYQXZ": established,
            "DJ_YYQXZI": date(2099, 12, 31) if long_term else add_years(established, 30),
            "DJ_ZS": address, "DJ_JYFW": scope, "DJ_DJJG": registrar,
            "DJ_HZRQ": max(day, established), "DJ_DJZT": "存续", "DJ_HYDM": industry_code,
            "DJ_HYMC": industry}


WRITERS: dict[str, Callable[[Desk, date], dict]] = {
    "XZXK": licence, "XZCF": penalty, "SXBZXR": court_list, "JYYC": abnormal_list,
    "SCJG_YZWF": serious_market, "SSWF": serious_tax, "ZFCG_SX": procurement,
    "ZTB_WF": tender, "YZSXMD": serious_list, "ZDGZ": watch_list, "NSXY_A": tax_grade,
    "HG_AEO": customs_grade, "QYDJ": registration,
}


# ---- when: files over the last three years ---------------------------------------------------


@dataclass(frozen=True)
class FilePlan:
    rows: int
    first: date
    last: date
    mode: str  # spread | recent | annual


def working(day: date) -> bool:
    try:
        return is_workday(day)
    except CalendarNotCovered:  # a year nobody has entered yet: weekdays will do for a demo
        return day.weekday() < 5


def file_plans(stream: Stream, rows: int, today: date) -> list[FilePlan]:
    """The stream's files, oldest first: the history split evenly over the last three years
    and, for 双公示 items, a file of the last weeks' decisions."""
    recent = max(2, round(rows * RECENT_SHARE)) if stream.item in SPREAD_ITEMS else 0
    history = rows - recent
    count = max(stream.files, -(-history // FILE_ROWS))
    start = add_years(today, -HISTORY_YEARS)
    end = today - timedelta(days=35) if recent else today
    step = (end - start) / count
    plans = []
    for index in range(count):
        first = start + step * index
        last = end if index == count - 1 else start + step * (index + 1) - timedelta(days=1)
        size = history // count + (index < history % count)
        plans.append(FilePlan(size, first, last, "annual" if stream.annual else "spread"))
    if recent:
        plans.append(FilePlan(recent, end, today, "recent"))
    return [plan for plan in plans if plan.rows]


def file_dates(rng: random.Random, plan: FilePlan) -> list[date]:
    if plan.mode == "annual":
        return [annual_date(plan.first, plan.last)] * plan.rows
    if plan.mode == "recent":
        return sorted(recent_date(rng, plan.last) for _ in range(plan.rows))
    span = (plan.last - plan.first).days
    return sorted(previous_working_day(plan.first + timedelta(days=rng.randint(0, span)),
                                       plan.first) for _ in range(plan.rows))


def previous_working_day(day: date, floor: date) -> date:
    """The working day on or before `day`, or the first one after it when none is left
    before `floor`."""
    start = day
    while not working(day) and day > floor:
        day -= timedelta(days=1)
    while not working(day):
        start += timedelta(days=1)
        day = start
    return day


def recent_date(rng: random.Random, today: date) -> date:
    """Mostly within the last 6 working days (reported on time), sometimes 10–20 working
    days back (late)."""
    back = rng.randint(0, 5) if rng.random() < 0.85 else rng.randint(10, 20)
    day = previous_working_day(today, today - timedelta(days=60))
    for _ in range(back):
        day = previous_working_day(day - timedelta(days=1), today - timedelta(days=60))
    return day


def annual_date(first: date, last: date) -> date:
    """The spring publication day (the first working day from 15 April) inside the window."""
    for year in range(first.year, last.year + 1):
        day = date(year, 4, 15)
        while not working(day):
            day += timedelta(days=1)
        if first <= day <= last:
            return day
    return previous_working_day(last, first)


# ---- imperfect rows ---------------------------------------------------------------------------

REJECTED_DEFECTS = ("missing", "bad_date", "no_code")
WAITING_DEFECTS = ("check_char", "placeholder")
DEFECTS = REJECTED_DEFECTS + WAITING_DEFECTS


def deliberate_defects(index: int, rows: int) -> list[str]:
    """The imperfect rows a stream's first file carries: every kind in a large stream, one
    rejected and one waiting row (kinds taking turns between streams) in a small one."""
    if rows >= 60:
        return list(DEFECTS)
    return [REJECTED_DEFECTS[index % 3], WAITING_DEFECTS[index % 2]]


def defective_row(desk: Desk, day: date, kind: str) -> tuple[dict, dict, str]:
    """(the row as it should be, the row as submitted, the defect it carries)."""
    if kind == "placeholder" and not placeholder_fields(desk.spec):
        kind = "check_char"
    for attempt in range(40):
        row = desk.row(day)
        mutated = mutate(desk, row, kind)
        if mutated is not None:
            return row, mutated, kind
        if attempt == 19:  # e.g. no 个体工商户 among this department's subjects
            kind = "check_char" if kind == "placeholder" else "missing"
    raise RuntimeError(f"{desk.stream}: cannot make a {kind!r} row")


def mutate(desk: Desk, row: dict, kind: str) -> dict | None:
    """The row with one realistic mistake of `kind`, or None when it cannot carry it."""
    spec, rng = desk.spec, desk.rng
    schemes = {f["code"]: f.get("scheme") for f in spec["fields"]}
    codes = [code for code in spec["subject_code_fields"] if row.get(code)]
    person = subject_is_person(spec, row)
    match kind:
        case "missing":
            protected = {*spec["business_key"], *codes, spec["subject_name_field"],
                         spec.get("subject_kind_field"), spec["decision_date_field"]}
            candidates = [f["code"] for f in spec["fields"] if f["required"] is True
                          and f["type"] in ("string", "text") and f["code"] not in protected
                          and row.get(f["code"])]
            return row | {rng.choice(candidates): ""} if candidates else None
        case "bad_date":
            field_code = spec["decision_date_field"]
            day = row[field_code] if isinstance(row[field_code], date) else desk.today
            bad = rng.choice((f"{day.year}/02/30", f"{day.year}-{day.month:02d}-32",
                              f"{day.year}/13/{day.day:02d}"))
            return row | {field_code: bad}
        case "no_code":
            if not codes:
                return None
            name_field = spec["subject_name_field"]
            short = row[name_field] if person else short_name(row[name_field])
            return row | {code: "" for code in codes} | {name_field: short}
        case "check_char":
            usccs = [c for c in codes if schemes[c] in ("uscc", "other")
                     and len(row[c]) == 18 and not person]
            if not usccs:
                return None
            value = row[usccs[0]]
            wrong = USCC_CHARS[(USCC_CHARS.index(value[17]) + rng.randint(1, 30)) % 31]
            return row | {code: "" for code in codes} | {usccs[0]: value[:17] + wrong}
        case "placeholder":
            fields = placeholder_fields(spec)
            kind_field = spec.get("subject_kind_field")
            if not fields or not kind_field or row.get(kind_field) != "个体工商户":
                return None
            code_field, number_field = fields
            number = registration_number(row[code_field][2:8], rng)
            return row | {code: "" for code in codes} | {
                code_field: USCC_PLACEHOLDER, number_field: number}
    raise ValueError(f"unknown defect {kind!r}")


def subject_is_person(spec: dict, row: dict) -> bool:
    kind_field = spec.get("subject_kind_field")
    mapped = (spec.get("subject_kind_map") or {}).get(row.get(kind_field)) if kind_field else None
    return mapped == "person" or mapped == ["person"]


def placeholder_fields(spec: dict) -> tuple[str, str] | None:
    """(the USCC field, the 工商注册号 field required when it holds the placeholder)."""
    for f in spec["fields"]:
        when = (f.get("condition") or {}).get("when") or {}
        if when.get("equals") == USCC_PLACEHOLDER:
            return when["field"], f["code"]
    return None


def registration_number(division: str, rng: random.Random) -> str:
    """A 15-digit 工商注册号 of an individual business (ISO 7064 MOD 11,10 check digit)."""
    first14 = f"{division}6{rng.randrange(10 ** 7):07d}"
    product = 10
    for digit in first14:
        total = (product + int(digit)) % 10 or 10
        product = total * 2 % 11
    return first14 + str((11 - product) % 10)


def short_name(name: str) -> str:
    """How a clerk abbreviates an organisation's name (青岛海睿物流有限公司 → 海睿物流,
    市北区叶记超市 → 叶记超市)."""
    for form in sorted(set(ORG_FORMS), key=len, reverse=True):
        name = name.removesuffix(form)
    for place in ["青岛市", "青岛", *(place for place, _ in DISTRICTS.values())]:
        name = name.removeprefix(place)
    return name


# ---- files ------------------------------------------------------------------------------------


def header(f: dict, style: str) -> str:
    if style == "code":
        return f["code"]
    if style == "alias" and f.get("aliases"):
        return f["aliases"][0]
    return f["name"]


class Sink:
    """A file being written, one row at a time, in the department's habits."""

    def __init__(self, path: Path, spec: dict, stream: Stream, today: date):
        self.path, self.today = path, today
        self.columns = [f["code"] for f in spec["fields"]]
        self.labels = [header(f, stream.headers) for f in spec["fields"]]
        self.fmt, self.date_style = stream.fmt, DATE_STYLES[stream.fmt]
        self.rows = 0

    def text(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            if self.date_style == "cn":
                return chinese_date(value)
            return value.strftime("%Y-%m-%d" if self.date_style == "excel" else self.date_style)
        if isinstance(value, Decimal):
            return format(value, "f")
        return str(value)

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()

    def write(self, row: dict) -> None:
        self.rows += 1
        self.put(row)


class CsvSink(Sink):
    def open(self):
        self.handle = open(self.path, "w", encoding=ENCODINGS[self.fmt], newline="")
        self.csv = csv.writer(self.handle)
        self.csv.writerow(self.labels)

    def put(self, row: dict) -> None:
        self.csv.writerow([self.text(row.get(code)) for code in self.columns])

    def close(self):
        self.handle.close()


class XlsxSink(Sink):
    def open(self):
        self.book = xlsxwriter.Workbook(str(self.path), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False})
        self.book.set_properties({"created": datetime.combine(self.today, time()),
                                  "author": "xinyong demo"})
        self.day_format = self.book.add_format({"num_format": "yyyy/mm/dd"})
        self.sheet = self.book.add_worksheet(self.path.stem.split("-")[0])
        for column, label in enumerate(self.labels):
            self.sheet.write_string(0, column, label)

    def put(self, row: dict) -> None:
        line = self.rows
        for column, code in enumerate(self.columns):
            value = row.get(code)
            if value is None or value == "":
                continue
            if isinstance(value, date):
                self.sheet.write_datetime(line, column, datetime.combine(value, time()),
                                          self.day_format)
            elif isinstance(value, Decimal | int):
                self.sheet.write_number(line, column, float(value))
            else:
                self.sheet.write_string(line, column, str(value))

    def close(self):
        self.book.close()


class JsonSink(Sink):
    """An array of objects, one a line, keyed by the header style; blank fields left out."""

    def open(self):
        self.handle = open(self.path, "w", encoding="utf-8")
        self.handle.write("[")

    def put(self, row: dict) -> None:
        record = {label: self.text(row.get(code)) for code, label
                  in zip(self.columns, self.labels, strict=True) if row.get(code) not in (None, "")}
        self.handle.write(("," if self.rows > 1 else "") + "\n"
                          + json.dumps(record, ensure_ascii=False))

    def close(self):
        self.handle.write("\n]\n")
        self.handle.close()


def open_sink(path: Path, spec: dict, stream: Stream, today: date) -> Sink:
    kind = {"xlsx": XlsxSink, "json": JsonSink}.get(stream.fmt, CsvSink)
    return kind(path, spec, stream, today)


# ---- writing the plan -------------------------------------------------------------------------


class Progress:
    """What the build reports while it runs: phases with a total, then steps."""

    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, phase: str, steps: int) -> None:
        pass


@dataclass
class SubmissionFile:
    path: Path
    item: str
    department: str
    fmt: str
    rows: int
    defects: dict = field(default_factory=dict)  # defect kind → rows
    resubmission: bool = False
    backfill: bool = False  # history from before the platform: timeliness not judged

    @property
    def expected_rejected(self) -> int:
        return sum(n for kind, n in self.defects.items() if kind in REJECTED_DEFECTS)

    @property
    def expected_waiting(self) -> int:
        return sum(n for kind, n in self.defects.items() if kind in WAITING_DEFECTS)


def submissions_dir() -> Path:
    from django.conf import settings

    return settings.VAR_DIR / "demo" / "submissions"


def write_submissions(size: Size, pool: SubjectPool, root: Path, *, seed: int, today: date,
                      progress: Progress | None = None) -> list[SubmissionFile]:
    """Write every stream's files under `root`; the list says what each holds."""
    progress = progress or Progress()
    items = {item.code: item_spec(item) for item in
             InformationItem.objects.filter(code__in={s.item for s in PLAN})}
    departments = {d.code: d for d in
                   Department.objects.filter(code__in={s.department for s in PLAN})}
    fake = Faker("zh_CN")
    volumes = [stream_rows(stream, size) for stream in PLAN]
    progress.start("files", sum(volumes))
    files = []
    for index, (stream, rows) in enumerate(zip(PLAN, volumes, strict=True)):
        desk = Desk(stream, items[stream.item], departments[stream.department], pool, fake,
                    seed=seed, today=today)
        if stream.item == "QYDJ":  # one row per enterprise, of those the pool holds
            rows = min(rows, len(pool.of_type("企业")) * 9 // 10)
        files.extend(write_stream(desk, index, rows, root, progress))
        progress.advance("files", volumes[index] - rows)
    return files


def write_stream(desk: Desk, index: int, rows: int, root: Path,
                 progress: Progress) -> list[SubmissionFile]:
    stream, files = desk.stream, []
    for number, plan in enumerate(file_plans(stream, rows, desk.today), start=1):
        path = root / stream.department / f"{stream.item}-{number}{EXTENSIONS[stream.fmt]}"
        planned = deliberate_defects(index, rows) if number == 1 else []
        positions = desk.rng.sample(range(plan.rows), min(len(planned), plan.rows))
        defects_at = dict(zip(positions, planned, strict=False))
        written = SubmissionFile(path, stream.item, stream.department, stream.fmt, plan.rows,
                                 backfill=plan.mode != "recent")
        with open_sink(path, desk.spec, stream, desk.today) as sink:
            for position, day in enumerate(file_dates(desk.rng, plan)):
                sink.write(next_row(desk, day, defects_at.get(position), written, number))
        files.append(written)
        progress.advance("files", plan.rows)
    if stream.resubmit and desk.kept:
        files.append(write_resubmission(desk, root, len(files) + 1))
    return files


def next_row(desk: Desk, day: date, defect: str | None, written: SubmissionFile,
             number: int) -> dict:
    if defect is None and desk.rng.random() < EXTRA_DEFECTS:
        defect = desk.rng.choice(DEFECTS)
    if defect is None:
        row = desk.row(day)
        if desk.stream.resubmit and number == 1 and len(desk.kept) < 5 \
                and row.get("CF_CFLB") == "罚款":
            desk.kept.append(row)
        return row
    original, row, defect = defective_row(desk, day, defect)
    written.defects[defect] = written.defects.get(defect, 0) + 1
    if desk.stream.resubmit and defect in REJECTED_DEFECTS:
        desk.corrected.append(original)
    return row


def write_resubmission(desk: Desk, root: Path, number: int) -> SubmissionFile:
    """The department corrects earlier decisions (行政复议 changed the fines: new versions)
    and sends the rows rejected before, fixed."""
    stream = desk.stream
    path = root / stream.department / f"{stream.item}-{number}{EXTENSIONS[stream.fmt]}"
    rows = [reviewed_penalty(row) for row in desk.kept] + desk.corrected
    with open_sink(path, desk.spec, stream, desk.today) as sink:
        for row in rows:
            sink.write(row)
    return SubmissionFile(path, stream.item, stream.department, stream.fmt, len(rows),
                          resubmission=True)


def reviewed_penalty(row: dict) -> dict:
    old = int(row["CF_NR_FK"] * 10_000)
    new = max(100, old * 6 // 10 // 100 * 100)
    return row | {"CF_NR_FK": wan(new), "CF_NR": f"罚款人民币{new}元",
                  "BZ": f"经行政复议，罚款由人民币{old}元变更为人民币{new}元"}


def write_manifest(root: Path, files: list[SubmissionFile]) -> Path:
    """manifest.json: every file with its item, department, rows and deliberate defects."""
    path = root / "manifest.json"
    entries = [{"file": str(f.path.relative_to(root)), "item": f.item,
                "department": f.department, "format": f.fmt, "rows": f.rows,
                "defects": f.defects, "expected_rejected": f.expected_rejected,
                "expected_waiting": f.expected_waiting, "resubmission": f.resubmission}
               for f in files]
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


# ---- ingesting and reporting -------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one file: its batch's counts."""

    file: SubmissionFile
    batch: int
    status: str
    rows: int
    accepted: int
    rejected: int
    waiting: int
    created: int
    updated: int
    late: int
    error: str = ""


def ingest_submissions(files: list[SubmissionFile], *, today: date,
                       progress: Progress | None = None) -> list[Outcome]:
    """Submit every file through collection, as its department would."""
    progress = progress or Progress()
    progress.start("ingest", sum(f.rows for f in files))
    return [ingest_one(f, today, progress) for f in files]


def ingest_one(f: SubmissionFile, today: date, progress: Progress) -> Outcome:
    done = 0

    def advance(rows: int, _total) -> None:
        nonlocal done
        progress.advance("ingest", max(0, rows - done))
        done = max(done, rows)

    batch = ingest(f.path, item_code=f.item, department_code=f.department, actor=ACTOR,
                   channel=CHANNEL, today=today, backfill=f.backfill, progress=advance)
    progress.advance("ingest", max(0, f.rows - done))
    return Outcome(f, batch.pk, batch.status, batch.total_rows, batch.accepted,
                   batch.rejected, batch.waiting, batch.created_records,
                   batch.updated_records, batch.late, batch.error)


@dataclass
class SubmissionReport:
    root: Path
    outcomes: list[Outcome]

    COUNTS = ("rows", "accepted", "rejected", "waiting", "late")

    def by_item(self) -> dict[str, dict]:
        totals: dict[str, dict] = {}
        for outcome in self.outcomes:
            entry = totals.setdefault(outcome.file.item, dict.fromkeys(
                ("files", *self.COUNTS), 0))
            entry["files"] += 1
            for name in self.COUNTS:
                entry[name] += getattr(outcome, name)
        return totals

    def lines(self) -> list[str]:
        """The build summary: files by format, per-item counts, the resubmission."""
        names = dict(InformationItem.objects.values_list("code", "name"))
        formats = {}
        for outcome in self.outcomes:
            formats[outcome.file.fmt] = formats.get(outcome.file.fmt, 0) + 1
        labels = {"csv": "CSV UTF-8", "csv-bom": "CSV UTF-8 with BOM",
                  "gb18030": "CSV GB18030", "xlsx": "XLSX", "json": "JSON"}
        departments = len({o.file.department for o in self.outcomes})
        lines = [f"collection: {len(self.outcomes)} files from {departments} departments in "
                 f"{self.root} (" + ", ".join(f"{n} {labels[k]}" for k, n in formats.items())
                 + "), each ingested as a batch",
                 f"  {'item':<10} {'files':>5} {'rows':>8} {'accepted':>9} {'rejected':>9} "
                 f"{'waiting':>8} {'late':>8}"]
        grand = dict.fromkeys(("files", *self.COUNTS), 0)
        for item, entry in self.by_item().items():
            lines.append(self._line(item, entry, names.get(item, "")))
            for name, value in entry.items():
                grand[name] += value
        lines.append(self._line("total", grand, ""))
        lines.extend(self._resubmissions())
        lines.extend(f"  failed: {o.file.path.name} ({o.file.department}): {o.error}"
                     for o in self.outcomes if o.status != "done")
        return lines

    @staticmethod
    def _line(label: str, entry: dict, name: str) -> str:
        return (f"  {label:<10} {entry['files']:>5} {entry['rows']:>8} {entry['accepted']:>9} "
                f"{entry['rejected']:>9} {entry['waiting']:>8} {entry['late']:>8}  {name}")

    def _resubmissions(self) -> Iterator[str]:
        for outcome in self.outcomes:
            if outcome.file.resubmission:
                yield (f"resubmission: {outcome.file.department} {outcome.file.path.name} — "
                       f"{outcome.updated} records updated to a new version (行政复议), "
                       f"{outcome.created} rows rejected earlier accepted after correction")


def feed_collection(size: Size, pool: SubjectPool, *, seed: int, today: date,
                    progress: Progress | None = None) -> SubmissionReport:
    """Write the departments' files into var/demo/submissions/ (replacing an earlier build's)
    and ingest them."""
    progress = progress or Progress()
    root = submissions_dir()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    files = write_submissions(size, pool, root, seed=seed, today=today, progress=progress)
    write_manifest(root, files)
    return SubmissionReport(root, ingest_submissions(files, today=today, progress=progress))
