"""The demo city's lists and checks: console recognitions at every stage of an entry's
lifecycle, a history of checks with feedback, and the procurement system playing against a
live server with the demo token."""

import json
import random
import re
import socket
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from xinyong.demo.department_system import pick_bidders
from xinyong.demo.generator import Size
from xinyong.demo.joint import HISTORY_DAYS
from xinyong.demo.services import BuildResult, build_city, create_demo_logins
from xinyong.journal.services import verify
from xinyong.lists.models import ExitKind, ListEntry, Source, Status
from xinyong.lists.services import effective_entries, history, statement_ends
from xinyong.measures.models import Channel, Check, CheckHit, CheckMeasure, FeedbackStatus
from xinyong.measures.services import overdue, statistics

TINY = Size(enterprises=300, non_enterprises=60, persons=1_500)
SEED = 8
TODAY = timezone.localdate()

pytestmark = pytest.mark.django_db


@dataclass
class Built:
    result: BuildResult
    demo: dict
    var: Path


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small city for the module (committed), with its demo logins and API client;
    emptied again afterwards."""
    var = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        with override_settings(VAR_DIR=var):
            result = build_city(TINY, seed=SEED, today=TODAY)
            demo = create_demo_logins()
        yield Built(result, demo, var)
        call_command("flush", interactive=False, verbosity=0)


def test_console_recognitions_at_every_stage(built):
    console = ListEntry.objects.filter(source=Source.CONSOLE).select_related("list_type")
    pending = console.filter(status=Status.NOTICE)
    assert pending.count() >= 2
    for entry in pending:  # still inside the statement period: not yet listable
        assert entry.notice_on <= TODAY <= statement_ends(entry)
    listed = console.filter(status=Status.LISTED)
    assert listed.count() >= 3
    assert set(effective_entries(TODAY).filter(source=Source.CONSOLE)) == set(listed)
    assert all(e.listed_on > statement_ends(e) for e in listed)
    withdrawn = console.get(exit_kind=ExitKind.NOT_LISTED)
    assert withdrawn.status == Status.EXITED and withdrawn.listed_on is None
    repaired = console.get(exit_kind=ExitKind.REPAIR)
    assert [t.kind for t in history(repaired)] == ["notice", "listed", "repair"]
    # The objection corrects an entry the market regulator reported through collection.
    objected = ListEntry.objects.get(exit_kind=ExitKind.OBJECTION)
    assert objected.source == Source.COLLECTION and objected.exited_on < TODAY
    assert ListEntry.objects.filter(source=Source.COLLECTION, status=Status.LISTED).exists()
    line = next(line for line in built.result.lines() if line.startswith("lists: "))
    assert f"lists: {effective_entries(TODAY).count()} entries listed (" in line
    assert "1 by objection" in line
    assert verify().ok


def test_a_history_of_checks_with_feedback(built):
    checks = Check.objects.all()
    assert 250 <= checks.count() <= 300  # (the history: the live test runs last)
    assert checks.values("department").distinct().count() >= 5
    assert {c.checked_on for c in checks} <= {TODAY - timedelta(days=n)
                                              for n in range(1, HISTORY_DAYS + 1)}
    assert checks.filter(channel=Channel.API, client__isnull=False).exists()
    assert checks.filter(channel=Channel.CONSOLE, username="checker").exists()
    # Listed subjects were among those checked, and found.
    assert CheckHit.objects.filter(check_run__in=checks, entry__isnull=False).exists()
    assert checks.filter(hit_count=0).exists()
    measures = CheckMeasure.objects.filter(check_run__in=checks)
    counts = {s: measures.filter(status=s).count() for s in FeedbackStatus.values}
    assert counts["applied"] > counts["not_applied"] + counts["not_applicable"] > 0
    assert counts["not_applied"] and counts["not_applicable"]
    assert all(m.reason for m in measures.filter(status=FeedbackStatus.NOT_APPLIED))
    answered = measures.exclude(status=FeedbackStatus.PENDING)
    assert answered.count() > 0.7 * measures.count()
    for m in answered.select_related("check_run")[:200]:
        assert m.check_run.checked_on <= m.acted_on <= TODAY and m.handler
    late = overdue(checks, TODAY)
    assert 3 <= late.count() < 0.1 * checks.count()
    assert all(c.feedback_due < TODAY and c.feedback_pending for c in late)
    stats = statistics(checks)
    assert stats["totals"]["checks"] == checks.count() and stats["list_types"]
    line = next(line for line in built.result.lines() if line.startswith("checks: "))
    assert "checks overdue" in line and "not applied" in line


def test_the_demo_api_client_is_stored_with_its_token(built):
    path = built.var / "demo-logins.json"
    assert path.stat().st_mode & 0o777 == 0o600
    stored = json.loads(path.read_text())
    assert {login["username"] for login in stored["logins"]} == {"admin", "officer", "checker",
                                                                "auditor"}
    [client] = stored["api_clients"]
    assert (client["name"], client["department"]) == ("财政局政府采购系统 (demo)", "czj")
    assert set(client["scopes"]) == {"checks:write", "checks:read", "feedback:write"}
    assert len(client["token"]) > 30
    out = StringIO()
    with override_settings(VAR_DIR=built.var):
        call_command("demo", "logins", stdout=out)
    assert "officer" in out.getvalue() and f"token: {client['token']}" in out.getvalue()


def test_the_same_seed_picks_the_same_bidders(built):
    first = pick_bidders(random.Random(1))
    assert first == pick_bidders(random.Random(1))
    assert len(first) == 6 and sum(1 for b in first if not b.code) == 1
    assert any(b.why.startswith("on ") for b in first)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Last in the module: a live_server test is transactional and empties the database after.
def test_department_system_against_a_live_server(built, live_server):
    out = StringIO()
    with override_settings(VAR_DIR=built.var):
        call_command("demo", "department-system", "--url", live_server.url, "--seed", "3",
                     stdout=out)
    text = out.getvalue()
    check_id = int(re.search(r"POST /api/v1/checks → 201, check (\d+)", text).group(1))
    check = Check.objects.select_related("client").get(pk=check_id)
    assert check.client.name == "财政局政府采购系统 (demo)" and check.channel == Channel.API
    assert (check.matter, check.checked_on) == ("procurement", TODAY)
    assert check.purpose.startswith(f"青财采〔{TODAY.year}〕")
    assert check.subjects_count == 6
    assert [r["status"] for r in check.results].count("candidates") == 1
    assert check.measures_count > 0 and check.feedback_pending == 0
    for m in check.measures.select_related("measure"):
        expected = "applied" if m.measure.type in ("prohibit", "restrict") else "not_applicable"
        assert (m.status, m.handler, m.acted_on) == (expected, "王磊", TODAY)
        assert m.reported_by == f"api_client:{check.client_id}"
        assert m.outcome if expected == "applied" else m.reason
    assert f"/console/checks/{check_id}/" in text
    assert "feedback stored on the platform" in text

    with override_settings(VAR_DIR=built.var), \
            pytest.raises(CommandError, match="refused the token"):
        call_command("demo", "department-system", "--url", live_server.url,
                     "--token", "not-a-token-at-all", stdout=StringIO())
    with pytest.raises(CommandError, match="cannot reach the platform"):
        call_command("demo", "department-system", "--url", f"http://127.0.0.1:{free_port()}",
                     "--token", "x" * 40, stdout=StringIO())
