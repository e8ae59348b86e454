"""`xinyong demo department-system`: the finance bureau's procurement system (政府采购系统)
as a department's business system uses the platform — over HTTP, with its bearer token.

A tender closes; the system reads its bidders, checks them all in one request
(POST /api/v1/checks, matter `procurement`), shows each bidder's list entries and the
measures that apply with their legal basis, decides per measure — applied for a
prohibition or restriction, not applicable otherwise, with the reason — reports that back
(POST /api/v1/checks/{id}/feedback) and reads the stored feedback back. The bidders are
organisations of the demo city's database: some on lists, some clean, one given by name only
(a name proposes candidates, never a pick). HTTP goes through the standard library only.
"""

import json
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils import timezone
from rich.console import Console
from rich.table import Table

from xinyong.catalog.models import Department
from xinyong.lists.models import ListEntry
from xinyong.lists.services import effective_entries
from xinyong.measures.models import Check
from xinyong.subjects.models import Base

from .joint import relevant_list_types, sample_subjects

DEPARTMENT = "czj"
MATTER = "procurement"
SYSTEM = "市财政局政府采购系统"
HANDLER = "王磊"
APPLIED = {"prohibit": "取消其投标资格，不得参加本项目政府采购活动",
           "restrict": "依法限制其参加本项目"}
NOT_APPLICABLE = {"lower_rating": "本项目采用最低评标价法，评审不进行交易信用评价加减分",
                  "strict_review": "本项目不涉及行政审批",
                  "key_supervision": "本次为采购活动，不涉及日常监管"}
NOT_APPLICABLE_OTHERWISE = "本次政府采购活动不涉及该措施"


class DepartmentSystemError(Exception):
    """What the business system cannot do, said in one line (no traceback)."""


@dataclass(frozen=True)
class Bidder:
    name: str
    code: str  # empty: the tender names the bidder only
    why: str  # why the demo chose it: on a list, clean, by name only

    def query(self) -> dict:
        return {"code": self.code, "name": self.name} if self.code else {"name": self.name}


# ---- the tender -------------------------------------------------------------------------------


def pick_bidders(rng: random.Random, *, listed: int = 2, clean: int = 3) -> list[Bidder]:
    """Organisations of the city bidding in one tender: `listed` on lists that matter in
    procurement, `clean` on no list, and one more clean one given by name only."""
    department = Department.objects.filter(code=DEPARTMENT).first()
    if department is None:
        raise DepartmentSystemError(f"the catalog has no department {DEPARTMENT}: run "
                                    "`xinyong demo build` first")
    entries = list(effective_entries().filter(
        list_type_id__in=relevant_list_types(department.pk, MATTER))
        .exclude(subject__base=Base.PERSON).select_related("subject", "list_type")
        .order_by("id")[:2_000])
    by_subject = {e.subject_id: e for e in entries}
    bidders = [Bidder(e.subject.name, e.subject.code, f"on {e.list_type.code}")
               for e in rng.sample(sorted(by_subject.values(), key=lambda e: e.pk),
                                   min(listed, len(by_subject)))]
    on_lists = set(ListEntry.objects.values_list("subject_id", flat=True))
    others = sample_subjects(rng, clean + 1, person=False, exclude=on_lists,
                             subject_type="企业")
    if not others and not bidders:
        raise DepartmentSystemError("the database holds no organisations: run "
                                    "`xinyong demo build` first")
    bidders += [Bidder(p.name, p.code, "clean") for p in others[:clean]]
    if len(others) > clean:
        bidders.append(Bidder(others[clean].name, "", "named only"))
    rng.shuffle(bidders)
    return bidders


# ---- HTTP ------------------------------------------------------------------------------------


class Api:
    """The platform's API as the business system calls it: JSON, a bearer token."""

    def __init__(self, url: str, token: str, timeout: float = 30):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise DepartmentSystemError(f"--url must be http(s)://host:port, not {url!r}")
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def __call__(self, method: str, path: str, body=None, expect: int = 200):
        request = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                     "Accept-Language": "en", "Content-Type": "application/json",
                     "User-Agent": "xinyong-demo-department-system"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except urllib.error.URLError as error:
            raise DepartmentSystemError(self.unreachable(error.reason)) from None
        except (TimeoutError, ConnectionError) as error:
            raise DepartmentSystemError(self.unreachable(error)) from None
        answer = self.decode(method, path, status, raw)
        if status != expect:
            raise DepartmentSystemError(self.refused(method, path, status, answer))
        return answer

    def unreachable(self, reason) -> str:
        if isinstance(reason, ConnectionRefusedError):
            reason = "connection refused"
        return (f"cannot reach the platform at {self.url} ({reason}): is it running? Start it "
                "with `xinyong serve` (or `make demo`), or name it with --url")

    def decode(self, method: str, path: str, status: int, raw: bytes):
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            text = " ".join(raw.decode(errors="replace").split())[:160]
            raise DepartmentSystemError(
                f"{method} {self.url}{path} answered {status} with something other than JSON "
                f"({text!r}): is --url the platform?") from None

    def refused(self, method: str, path: str, status: int, answer) -> str:
        detail = answer.get("detail") if isinstance(answer, dict) else answer
        if isinstance(detail, list):  # validation errors
            detail = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}"
                               for d in detail)
        if status == 401:
            return ("the platform refused the token (401 Unauthorized): it is unknown or "
                    "revoked; use the token `xinyong demo logins` prints for this database, "
                    "or pass --token")
        if status == 403:
            return f"the token may not do this (403): {detail}"
        return f"{method} {path} failed with {status}: {detail}"


# ---- the business --------------------------------------------------------------------------


def decide(measure: dict, today) -> dict:
    """The procurement office's decision on one measure: prohibitions and restrictions are
    applied; anything else does not apply to a procurement, with the reason."""
    kind = measure.get("type", "")
    if kind in APPLIED:
        return {"measure_id": measure["id"], "status": "applied", "handler": HANDLER,
                "acted_on": today.isoformat(), "outcome": APPLIED[kind]}
    return {"measure_id": measure["id"], "status": "not_applicable", "handler": HANDLER,
            "acted_on": today.isoformat(),
            "reason": NOT_APPLICABLE.get(kind, NOT_APPLICABLE_OTHERWISE)}


def first_line(text: str, limit: int = 60) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def results_table(bidders: list[Bidder], check: dict) -> Table:
    table = Table(title=f"check {check['id']}: {check['purpose']} — {check['subjects_count']} "
                        f"bidders, {check['hit_count']} with entries or measures, "
                        f"{check['measures_count']} measures (feedback due "
                        f"{check['feedback_due'] or '—'})", show_lines=True,
                  title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("bidder")
    table.add_column("result")
    table.add_column("list entries · records")
    table.add_column("measures (legal basis)")
    for bidder, result in zip(bidders, check["results"], strict=True):
        status = result["status"]
        who = f"{bidder.name}\n{bidder.code or '(name only)'}"
        if status == "candidates":
            lines = [f"{c['name']} {c['code']} — {c['explanation']}"
                     for c in result["candidates"][:3]]
            table.add_row(str(result["position"]), who, "candidates",
                          "\n".join(lines) or "—", result["message"])
            continue
        if status != "found":
            table.add_row(str(result["position"]), who, status, "—", result.get("message", ""))
            continue
        lists = [f"{e['list_name']} ({e['kind']})\n  {e['document_number'] or '—'}, listed "
                 f"{e['listed_on']}" for e in result["entries"]]
        records = [f"record: {r['behaviour_name']} ({r['decision_date']})"
                   for r in result["records"]]
        measures = [f"{m['name']} [{m['code']}, {m['type']}] #{m['id']}\n  "
                    f"{first_line(m['legal_basis'])}" for m in result["measures"]]
        table.add_row(str(result["position"]), who, "found" + (
            f"\n⚠ {result['warning']}" if result.get("warning") else ""),
            "\n".join(lists + records) or "none", "\n".join(measures) or "none")
    return table


def feedback_table(rows: list[dict]) -> Table:
    table = Table(title="feedback stored on the platform", title_justify="left")
    for column in ("measure id", "subject", "measure", "status", "handler", "acted on",
                   "outcome / reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["subject"], f"{row['measure_name']} "
                      f"[{row['measure']}]", row["status"], row["handler"] or "—",
                      str(row["acted_on"] or "—"), row["outcome"] or row["reason"] or "—")
    return table


@dataclass
class Outcome:
    check_id: int
    measures: int
    applied: int
    not_applicable: int
    console_url: str


def run(*, url: str, token: str, out: Console, seed: int | None = None,
        tender: int | None = None) -> Outcome:
    """Play one tender's check and feedback against the platform at `url`."""
    api = Api(url, token)
    if seed is None:  # a different tender each run, reproducible for one database state
        seed = ListEntry.objects.count() * 7919 + Check.objects.filter(
            department__code=DEPARTMENT).count()
    rng = random.Random(f"department-system:{seed}")
    bidders = pick_bidders(rng)
    today = timezone.localdate()
    number = tender or rng.randint(300, 999)
    purpose = f"青财采〔{today.year}〕{number}号 公开招标"
    out.print(f"[bold]{SYSTEM}[/bold] → {api.url}  (department {DEPARTMENT}, matter "
              f"{MATTER})")
    out.print(f"tender {purpose}: {len(bidders)} bidders")
    for n, bidder in enumerate(bidders, start=1):
        out.print(f"  {n}. {bidder.name} {bidder.code or '(no identifier given)'}")
    check = api("POST", "/api/v1/checks", {"subjects": [b.query() for b in bidders],
                                           "matter": MATTER, "purpose": purpose}, expect=201)
    out.print(f"POST /api/v1/checks → 201, check {check['id']}")
    out.print(results_table(bidders, check))
    decisions = [decide(m, today) for result in check["results"]
                 for m in result.get("measures", [])]
    if decisions:
        api("POST", f"/api/v1/checks/{check['id']}/feedback", {"feedback": decisions})
        out.print(f"POST /api/v1/checks/{check['id']}/feedback → 200, {len(decisions)} "
                  "measures reported")
    else:
        out.print("no measures apply to these bidders: nothing to report back")
    stored = api("GET", f"/api/v1/checks/{check['id']}/feedback")
    out.print(f"GET /api/v1/checks/{check['id']}/feedback → 200")
    if stored:
        out.print(feedback_table(stored))
    console_url = f"{api.url}/console/checks/{check['id']}/"
    out.print(f"see the check in the console: {console_url}")
    applied = sum(1 for d in decisions if d["status"] == "applied")
    return Outcome(check["id"], len(decisions), applied, len(decisions) - applied, console_url)
