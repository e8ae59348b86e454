"""联合奖惩 in the demo city: list entries at every stage of their lifecycle and a history of
checks with feedback, all made through the real services (`lists.services`,
`measures.services`).

Collection has already fed the lists (entries follow the list items' records by themselves).
`enliven` adds what only the console and the departments' business systems produce:

- console recognitions (事前告知 → 列入 → 移出) of real subjects of the city: prior notices
  still inside their statement period, listings confirmed after it, a notice withdrawn after
  hearing the subject, an entry exited by credit repair (信用修复) and a reported entry
  corrected after an objection (异议);
- a history of checks (核查) over the last 60 days by the departments that apply measures in
  their business matters (procurement, licensing, bidding, market registration, inspection,
  public resource trading, …), mixing listed and clean subjects, with feedback on most
  measures — mostly applied, some not applied with the reason, some not applicable — and a
  few checks left without feedback past their deadline (overdue).

Everything derives from the seed and the reference day.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from xinyong.access.services import create_client
from xinyong.catalog.models import Department, ListType
from xinyong.lists.models import ListEntry, Source
from xinyong.lists.services import (
    confirm_listing,
    effective_entries,
    exit_entry,
    give_notice,
    statement_ends,
    withdraw_notice,
)
from xinyong.measures.models import Channel, Check, CheckMeasure, FeedbackStatus
from xinyong.measures.rules import rules
from xinyong.measures.services import FeedbackIn, Query, give_feedback, overdue, run_check
from xinyong.subjects.models import Base, Subject
from xinyong.subjects.models import Status as SubjectStatus

from .submissions import working

CHECKS = 300
HISTORY_DAYS = 60
LISTED_SHARE = 0.2       # of the subjects a check names: someone on a list that matters here
NAME_ONLY_SHARE = 0.02   # of the bidders: named only (the check proposes candidates)
OVERDUE_SHARE = 0.05     # of the checks past their feedback deadline: no feedback yet
RECENT_ANSWERED = 0.5    # of the checks still inside the deadline: feedback already given
CLEAN_ORGANISATIONS = 600
CLEAN_PERSONS = 100
SCOPES = ["checks:write", "checks:read", "feedback:write"]
CONSOLE_USERS = {"zjj": "checker", "scjgj": "officer"}  # the demo logins of those departments
CONSOLE_SHARE = 0.15     # of those departments' checks: run in the console, not the API


# ---- console recognitions -----------------------------------------------------------------


@dataclass(frozen=True)
class Recognition:
    stage: str  # pending | listed | withdrawn | repaired
    list_type: str
    department: str
    document: str  # with {year} and {n}
    reason: str
    basis: str
    notice_ago: int  # working days before the reference day


SERIOUS_MARKET = ("提交虚假材料、采取其他欺诈手段隐瞒重要事实，取得市场主体登记，情节严重",
                  "《市场监督管理严重违法失信名单管理办法》第九条第（一）项")
WAGES = ("克扣、无故拖欠农民工工资，数额达到认定拒不支付劳动报酬罪数额标准",
         "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条第（一）项")
SAFETY = ("发生较大生产安全事故，对事故发生负有责任",
          "《安全生产严重失信主体名单管理办法》第五条第（一）项")
WATCH = ("一年内三次被投诉、经责令限期整改逾期未改正",
         "《山东省社会信用条例》第二十八条；《青岛市优化营商环境条例》第三十五条")

RECOGNITIONS = [
    Recognition("pending", "SCJG_YZWF", "scjgj", "青市监严违告〔{year}〕{n}号", *SERIOUS_MARKET,
                notice_ago=1),
    Recognition("pending", "TQNMG", "rsj", "青人社欠薪告〔{year}〕{n}号", *WAGES, notice_ago=0),
    Recognition("listed", "SCJG_YZWF", "scjgj", "青市监严违〔{year}〕{n}号", *SERIOUS_MARKET,
                notice_ago=50),
    Recognition("listed", "AQSC_YZSX", "yjj", "青应急失信〔{year}〕{n}号", *SAFETY,
                notice_ago=28),
    Recognition("listed", "TQNMG", "rsj", "青人社欠薪〔{year}〕{n}号", *WAGES, notice_ago=14),
    Recognition("withdrawn", "SCJG_YZWF", "scjgj", "青市监严违告〔{year}〕{n}号",
                *SERIOUS_MARKET, notice_ago=20),
    Recognition("repaired", "ZDGZ", "zjj", "青建信重〔{year}〕{n}号", *WATCH, notice_ago=150),
]
NOT_LISTED = ("当事人在陈述申辩期内提交了证据，证明登记材料系他人冒用其名义提交，列入事由不成立，"
              "决定不予列入")
REPAIRED = ("已纠正失信行为、完成整改并作出信用承诺，经认定单位审核同意提前移出（信用修复）")
OBJECTION = ("异议核查：企业通过登记的住所能够取得联系，列入经营异常名录的事由不成立，"
             "予以更正并移出")


def actor_of(department: str) -> str:
    return CONSOLE_USERS.get(department, f"demo:{department}")


def working_days_before(today: date, days: int) -> date:
    """The working day `days` working days before `today` (0: today or the last working day
    before it)."""
    day = today
    while not working(day):
        day -= timedelta(days=1)
    for _ in range(days):
        day -= timedelta(days=1)
        while not working(day):
            day -= timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not working(day):
        day += timedelta(days=1)
    return day


def unlisted_enterprises(rng: random.Random, count: int) -> list[Subject]:
    """Active companies of the city that are on no list at all."""
    listed = ListEntry.objects.values("subject_id")
    ids = list(Subject.objects.filter(base=Base.ENTERPRISE, subject_type="企业",
                                      status=SubjectStatus.ACTIVE, division__startswith="3702")
               .exclude(pk__in=listed).order_by("id").values_list("id", flat=True)[:5_000])
    chosen = rng.sample(ids, min(count, len(ids)))
    found = Subject.objects.in_bulk(chosen)
    return [found[i] for i in chosen]


def recognise(rng: random.Random, today: date) -> dict[str, int]:
    """The console's recognition decisions at each stage; returns the count per stage."""
    stages: dict[str, int] = {}
    subjects = iter(unlisted_enterprises(rng, len(RECOGNITIONS)))
    departments = {d.code: d for d in Department.objects.filter(
        code__in={r.department for r in RECOGNITIONS})}
    types = {t.code: t for t in ListType.objects.filter(
        code__in={r.list_type for r in RECOGNITIONS}, active=True)}
    for plan in RECOGNITIONS:
        subject = next(subjects, None)
        if subject is None or plan.list_type not in types:
            continue
        notice_on = working_days_before(today, plan.notice_ago)
        actor = actor_of(plan.department)
        entry = give_notice(
            list_type=types[plan.list_type], subject=subject,
            department=departments[plan.department],
            document_number=plan.document.format(year=notice_on.year,
                                                 n=rng.randint(3, 90)),
            reason=plan.reason, basis=plan.basis, notice_on=notice_on, actor=actor)
        ends = statement_ends(entry) or notice_on
        if plan.stage == "withdrawn":
            withdraw_notice(entry, on=min(today, next_working_day(ends)), actor=actor,
                            reason=NOT_LISTED)
        elif plan.stage in ("listed", "repaired"):
            listed_on = next_working_day(max(ends, notice_on + timedelta(days=6)))
            entry = confirm_listing(entry, listed_on=min(listed_on, today), actor=actor)
            if plan.stage == "repaired":
                exit_entry(entry, kind="repair", actor=actor, reason=REPAIRED,
                           on=working_days_before(today, 15))
        stages[plan.stage] = stages.get(plan.stage, 0) + 1
    if correct_after_objection(rng, today):
        stages["objection"] = 1
    return stages


def correct_after_objection(rng: random.Random, today: date) -> bool:
    """异议更正 of an entry the market regulator reported through collection."""
    on = working_days_before(today, 8)
    candidates = list(effective_entries(on).filter(
        list_type__code="JYYC", source=Source.COLLECTION, listed_on__lt=on)
        .order_by("id").values_list("id", flat=True)[:500])
    if not candidates:
        return False
    entry = ListEntry.objects.select_related("list_type", "subject", "department").get(
        pk=rng.choice(candidates))
    exit_entry(entry, kind="objection", on=on, actor=actor_of(entry.department.code),
               reason=OBJECTION)
    return True


# ---- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """One department's business in one matter: how often it checks, and how many subjects
    a check names."""

    department: str
    matter: str
    weight: int
    subjects: tuple[int, int]
    purpose: str  # with {year} and {n}
    persons: float = 0.0  # share of persons among the subjects (legal representatives)
    named: bool = False  # bidders: names are sent along with the codes


DESKS = [
    Desk("czj", "procurement", 22, (3, 7), "青财采〔{year}〕{n}号 公开招标", named=True),
    Desk("czj", "fiscal_funds", 4, (1, 3), "青财资〔{year}〕{n}号 专项资金申报"),
    Desk("zjj", "licensing", 12, (1, 1), "建筑业企业资质许可 JZ{year}{n:05d}"),
    Desk("zjj", "bidding", 12, (3, 8), "青建招〔{year}〕{n}号 施工招标", named=True),
    Desk("scjgj", "market_registration", 12, (1, 2), "变更登记 {year}DJ{n:06d}", persons=0.5),
    Desk("scjgj", "inspection", 5, (10, 25), "{year}年第{n}批“双随机、一公开”抽查"),
    Desk("ggzyjy", "public_resource_trading", 16, (3, 8), "青公资交〔{year}〕{n}号 交易项目",
         named=True),
    Desk("spj", "licensing", 10, (1, 1), "审批受理 QDSP{year}{n:06d}"),
    Desk("spj", "market_registration", 4, (1, 2), "设立登记 SP{year}{n:06d}", persons=0.5),
    Desk("sw", "tax_services", 3, (1, 2), "纳税服务 {year}NS{n:05d}"),
]

HANDLERS = ["王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "孙浩", "周婷", "吴刚", "郑洁",
            "冯涛"]
OUTCOMES = {
    "prohibit": "已依法拒绝其参加本次活动",
    "restrict": "已依法予以限制",
    "strict_review": "列为重点审查对象，已实地核查申请材料",
    "key_supervision": "纳入重点监管，提高抽查比例和频次",
    "lower_rating": "已下调其交易信用评价等级",
    "green_channel": "已通过绿色通道优先办理",
    "fault_tolerant": "已容缺受理，材料限期补正",
    "deposit_relief": "已免收投标保证金",
    "fewer_inspections": "已降低抽查比例",
    "priority": "同等条件下已优先安排",
    "facilitation": "已给予便利化服务",
}
NOT_APPLIED = [
    "核查时该主体已履行相关义务，移出程序正在办理，经集体研究暂缓实施",
    "项目合同已于核查前签订，依法不溯及既往",
    "该主体为应急抢险项目的唯一供应商，经本级政府批准暂不实施",
    "名单信息与主体登记信息不一致，已向认定单位提出核实",
]
NOT_APPLICABLE = [
    "本次办理事项不涉及该措施",
    "该主体已在资格审查前撤回申请，未进入后续环节",
    "该措施已在本项目的其他环节实施",
]
INCENTIVE_NOT_APPLICABLE = ["申请人未申请适用该激励措施", "本次事项无可适用的便利情形"]
# (applied, not applied, not applicable) per kind of measure
ODDS = {"punishment": (85, 8, 7), "management": (82, 5, 13), "incentive": (75, 0, 25)}
PUNISHMENTS = ("prohibit", "restrict")


@dataclass
class Party:
    subject_id: int
    code: str
    name: str
    person: bool


@dataclass
class Pools:
    """Whom checks name: subjects listed on a list type (with the day the listing began) and
    clean organisations and persons."""

    listed: dict[int, list[tuple[Party, date]]]  # list type id -> parties
    organisations: list[Party]
    persons: list[Party]


def sample_subjects(rng: random.Random, count: int, *, person: bool, exclude: set[int],
                    subject_type: str = "") -> list[Party]:
    """`count` active persons or enterprises of the city (of `subject_type`, if given) drawn
    uniformly by id, without reading the whole table."""
    subjects = Subject.objects.filter(status=SubjectStatus.ACTIVE)
    subjects = subjects.filter(base=Base.PERSON) if person else \
        subjects.filter(base=Base.ENTERPRISE, division__startswith="3702")
    if subject_type:
        subjects = subjects.filter(subject_type=subject_type)
    bounds = Subject.objects.order_by("id").values_list("id", flat=True)
    low, high = bounds.first(), bounds.last()
    found: dict[int, Party] = {}
    for _round in range(20):
        if len(found) >= count or low is None:
            break
        probe = sorted({rng.randint(low, high) for _ in range(4 * count)} - exclude - set(found))
        for start in range(0, len(probe), 500):
            for pk, code, name in subjects.filter(pk__in=probe[start:start + 500]).order_by(
                    "id").values_list("id", "code", "name"):
                found[pk] = Party(pk, code, name, person)
    return list(found.values())[:count]


def pools(rng: random.Random, today: date) -> Pools:
    listed: dict[int, list[tuple[Party, date]]] = {}
    for pk, code, name, base, list_type, listed_on in effective_entries(today).order_by(
            "id").values_list("subject_id", "subject__code", "subject__name", "subject__base",
                              "list_type_id", "listed_on"):
        listed.setdefault(list_type, []).append(
            (Party(pk, code, name, base == Base.PERSON), listed_on))
    on_lists = set(ListEntry.objects.values_list("subject_id", flat=True))
    return Pools(listed,
                 sample_subjects(rng, CLEAN_ORGANISATIONS, person=False, exclude=on_lists),
                 sample_subjects(rng, CLEAN_PERSONS, person=True, exclude=on_lists))


def relevant_list_types(department_id: int, matter: str) -> set[int]:
    """The list types whose entries trigger a measure of this department in this matter."""
    return {list_type for rule in rules().measures if rule.applies(department_id, matter)
            for list_type in rule.list_type_ids}


def check_times(rng: random.Random, today: date, count: int) -> list[datetime]:
    """`count` moments in office hours on working days of the last HISTORY_DAYS days (never
    the reference day itself), oldest first."""
    days = [today - timedelta(days=n) for n in range(1, HISTORY_DAYS + 1)]
    days = [d for d in days if working(d)] or days
    zone = timezone.get_current_timezone()
    moments = []
    for _ in range(count):
        minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        moments.append(timezone.make_aware(datetime.combine(
            rng.choice(days), time(minute // 60, minute % 60, rng.randrange(60))), zone))
    return sorted(moments)


def parties_for(rng: random.Random, desk: Desk, pools: Pools, relevant: set[int],
                day: date) -> list[Party]:
    wanted = rng.randint(*desk.subjects)
    chosen: dict[int, Party] = {}
    listed = [party for list_type in sorted(relevant) for party, listed_on
              in pools.listed.get(list_type, []) if listed_on <= day]
    for _attempt in range(wanted * 3):
        if len(chosen) >= wanted:
            break
        person = rng.random() < desk.persons
        if listed and rng.random() < LISTED_SHARE:
            candidates = [p for p in listed if p.person == person] or listed
        else:
            candidates = pools.persons if person else pools.organisations
        if candidates:
            party = rng.choice(candidates)
            chosen.setdefault(party.subject_id, party)
    return list(chosen.values())


def queries_for(rng: random.Random, desk: Desk, parties: list[Party]) -> list[Query]:
    queries = []
    for party in parties:
        if desk.named and not party.person and rng.random() < NAME_ONLY_SHARE:
            queries.append(Query(name=party.name))
        else:
            queries.append(Query(code=party.code, name=party.name if desk.named else ""))
    return queries


def history_clients(departments: dict[str, Department]) -> dict[str, object]:
    """One business system per checking department, checking through the API (their tokens
    are not kept: the history is made here, not over HTTP)."""
    return {code: create_client(name=f"{department.short_name or department.name}业务系统 (demo)",
                                department_code=code, scopes=SCOPES, actor="system:demo")[0]
            for code, department in departments.items()}


def run_history(rng: random.Random, today: date, pools: Pools, count: int) -> list[Check]:
    departments = {d.code: d for d in Department.objects.filter(
        code__in={desk.department for desk in DESKS})}
    desks = [desk for desk in DESKS if desk.department in departments]
    clients = history_clients(departments)
    relevant = {(desk.department, desk.matter): relevant_list_types(
        departments[desk.department].pk, desk.matter) for desk in desks}
    numbers = {(desk.department, desk.matter): rng.randint(20, 200) for desk in desks}
    checks = []
    for moment in check_times(rng, today, count):
        desk = rng.choices(desks, weights=[d.weight for d in desks])[0]
        day = timezone.localdate(moment)
        key = (desk.department, desk.matter)
        parties = parties_for(rng, desk, pools, relevant[key], day)
        if not parties:
            continue
        numbers[key] += rng.randint(1, 3)
        console = desk.department in CONSOLE_USERS and rng.random() < CONSOLE_SHARE
        checks.append(run_check(
            department=departments[desk.department], matter=desk.matter,
            purpose=desk.purpose.format(year=day.year, n=numbers[key]),
            queries=queries_for(rng, desk, parties), now=moment,
            client=None if console else clients[desk.department],
            username=CONSOLE_USERS[desk.department] if console else "",
            channel=Channel.CONSOLE if console else Channel.API))
    return checks


def feedback_of(rng: random.Random, row: CheckMeasure, acted_on: date) -> FeedbackIn:
    kind = row.measure.type
    family = "incentive" if row.measure.category == "incentive" else \
        "punishment" if kind in PUNISHMENTS else "management"
    status = rng.choices((FeedbackStatus.APPLIED, FeedbackStatus.NOT_APPLIED,
                          FeedbackStatus.NOT_APPLICABLE), weights=ODDS[family])[0]
    handler = rng.choice(HANDLERS)
    if status == FeedbackStatus.APPLIED:
        return FeedbackIn(row.pk, status, handler, acted_on,
                          outcome=OUTCOMES.get(kind, "已按规定实施"))
    reasons = NOT_APPLIED if status == FeedbackStatus.NOT_APPLIED else \
        INCENTIVE_NOT_APPLICABLE if family == "incentive" else NOT_APPLICABLE
    return FeedbackIn(row.pk, status, handler, acted_on, reason=rng.choice(reasons))


def answer(rng: random.Random, today: date, checks: list[Check]) -> None:
    """Feedback on most checks' measures: all of those past their deadline but a few (left
    overdue), about half of those still inside it."""
    with_measures = [c for c in checks if c.measures_count]
    past = [c for c in with_measures if c.feedback_due and c.feedback_due < today]
    late = set(rng.sample(past, min(len(past), max(3, round(OVERDUE_SHARE * len(past))))))
    for check in with_measures:
        if check in late or (check not in past and rng.random() >= RECENT_ANSWERED):
            continue
        last = min(today, check.feedback_due or today)
        acted_on = min(last, check.checked_on + timedelta(days=rng.choice((0, 0, 1, 2, 3, 5))))
        reported = min(today, acted_on + timedelta(days=rng.choice((0, 0, 1, 2))))
        rows = list(check.measures.select_related("measure").order_by("id"))
        reporter = f"api_client:{check.client_id}" if check.client_id else check.username
        moment = timezone.make_aware(datetime.combine(reported, time(16, rng.randrange(60))))
        give_feedback(check, [feedback_of(rng, row, acted_on) for row in rows],
                      reported_by=reporter, now=min(moment, timezone.now()))


# ---- the whole -------------------------------------------------------------------------------


@dataclass
class JointReport:
    listed: dict[str, int] = field(default_factory=dict)  # list type -> effective entries
    stages: dict[str, int] = field(default_factory=dict)
    checks: int = 0
    departments: int = 0
    subjects: int = 0
    hits: int = 0
    measures: dict[str, int] = field(default_factory=dict)  # feedback status -> count
    overdue: int = 0

    def lines(self) -> list[str]:
        total = sum(self.listed.values())
        by_type = ", ".join(f"{code} {n}" for code, n in self.listed.items())
        stages = self.stages
        lines = [f"lists: {total} entries listed ({by_type}); console recognitions: "
                 f"{stages.get('pending', 0)} prior notices in their statement period, "
                 f"{stages.get('listed', 0) + stages.get('repaired', 0)} listings confirmed, "
                 f"{stages.get('withdrawn', 0)} notice withdrawn, "
                 f"{stages.get('repaired', 0)} exit by credit repair, "
                 f"{stages.get('objection', 0)} by objection"]
        m = self.measures
        lines.append(
            f"checks: {self.checks} by {self.departments} departments over the last "
            f"{HISTORY_DAYS} days, {self.subjects} subjects checked, {self.hits} with list "
            f"entries or measures; {sum(m.values())} measures: "
            f"{m.get(FeedbackStatus.APPLIED, 0)} applied, "
            f"{m.get(FeedbackStatus.NOT_APPLIED, 0)} not applied, "
            f"{m.get(FeedbackStatus.NOT_APPLICABLE, 0)} not applicable, "
            f"{m.get(FeedbackStatus.PENDING, 0)} awaiting feedback; "
            f"{self.overdue} checks overdue")
        return lines


def enliven(*, seed: int, today: date, checks: int = CHECKS) -> JointReport:
    """Console recognitions and a history of checks with feedback (see the module doc)."""
    rng = random.Random(f"{seed}:joint")
    with transaction.atomic():  # one transaction: much faster on SQLite
        stages = recognise(rng, today)
        made = run_history(rng, today, pools(rng, today), checks)
        answer(rng, today, made)
    return summarise(stages, made, today)


def summarise(stages: dict[str, int], made: list[Check], today: date) -> JointReport:
    ids = [c.pk for c in made]
    stored = Check.objects.filter(pk__in=ids)
    listed = dict(effective_entries(today).values_list("list_type__code").annotate(
        n=Count("id")).order_by("-n", "list_type__code"))
    return JointReport(
        listed=listed, stages=stages, checks=len(made),
        departments=len({c.department_id for c in made}),
        subjects=sum(c.subjects_count for c in made),
        hits=sum(c.hit_count for c in made),
        measures=dict(CheckMeasure.objects.filter(check_run__in=ids).values_list("status")
                      .annotate(n=Count("id")).order_by()),
        overdue=overdue(stored, today).count())
