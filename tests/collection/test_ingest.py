"""End to end: a department file becomes a batch whose every row is accounted for."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from xinyong.collection.models import BatchRow
from xinyong.collection.services import IngestError, ingest
from xinyong.core.identifiers import make_uscc
from xinyong.journal.services import verify
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

from ..penalties import penalty_csv, penalty_row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 20)
ROWS = 30_000  # the kill test's file: big enough that its batch is still running after 1 s


def test_every_row_is_accounted_for(penalty, tmp_path, company):
    rows = [
        penalty_row(penalty, 1),                                   # new subject, accepted
        penalty_row(penalty, 2, CF_XDR_SHXYM=company.code),        # known subject
        penalty_row(penalty, 3, CF_JDRQ="2026/13/01"),             # rejected: bad date
        penalty_row(penalty, 4, CF_XDR_SHXYM=make_uscc("9", "1", "370202", "00000004")[:-1]
                    + "0"),                                        # check char: waits
        penalty_row(penalty, 1),                                   # duplicate of row 2
    ]
    batch = ingest(penalty_csv(tmp_path / "penalties.csv", penalty, rows), item_code="XZCF",
                   department_code="scjgj", actor="test", today=TODAY)
    assert batch.status == "done" and batch.accounted
    assert (batch.total_rows, batch.accepted, batch.rejected, batch.waiting) == (5, 2, 2, 1)
    assert Record.objects.filter(batch_id=batch.pk).count() == 2
    assert Subject.objects.filter(name="青岛测试1有限公司", base="enterprise").exists()
    rejected = {r.row_number: r for r in BatchRow.objects.filter(status="rejected")}
    assert set(rejected) == {4, 6}
    assert "2026/13/01" in rejected[4].errors[0]["message"]
    assert rejected[4].raw["处罚决定日期"] == "2026/13/01"  # the original cell, kept
    waiting = BatchRow.objects.get(status="waiting")
    assert waiting.row_number == 5 and "需人工确认" in waiting.errors[0]["message"]
    assert verify().ok


def test_same_file_again_neither_loses_nor_duplicates(penalty, tmp_path):
    path = penalty_csv(tmp_path / "p.csv", penalty, [penalty_row(penalty, n) for n in (1, 2)])
    first = ingest(path, item_code="XZCF", department_code="scjgj", actor="t", today=TODAY)
    again = ingest(path, item_code="XZCF", department_code="scjgj", actor="t", today=TODAY)
    assert again.pk == first.pk and Record.objects.count() == 2
    copy = penalty_csv(tmp_path / "copy.csv", penalty, [penalty_row(penalty, n) for n in (1, 2)],
                     encoding="gb18030")  # same rows, another file: records unchanged
    other = ingest(copy, item_code="XZCF", department_code="scjgj", actor="t", today=TODAY)
    assert other.pk != first.pk and other.unchanged_records == 2
    assert Record.objects.count() == 2 and other.encoding == "gb18030"


def test_backfill_records_are_neither_on_time_nor_late(penalty, tmp_path):
    """历史补录: decisions from 2025 loaded in 2026 get due dates but no timeliness verdict."""
    old = [penalty_row(penalty, n, CF_JDRQ="2025-03-03") for n in (1, 2)]
    regular = ingest(penalty_csv(tmp_path / "late.csv", penalty, old), item_code="XZCF",
                     department_code="scjgj", actor="t", today=TODAY)
    assert regular.late == 2 and not Record.objects.filter(on_time=None).exists()
    history = [penalty_row(penalty, n, CF_JDRQ="2025-03-03") for n in (3, 4)]
    backfill = ingest(penalty_csv(tmp_path / "history.csv", penalty, history), item_code="XZCF",
                      department_code="scjgj", actor="t", today=TODAY, backfill=True)
    records = Record.objects.filter(batch_id=backfill.pk)
    assert backfill.late == 0 and backfill.backfill
    assert [(r.on_time, r.due_date) for r in records] == [(None, date(2025, 3, 12))] * 2


def test_unreadable_file_fails_its_batch_with_the_reason(penalty, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("行政相对人名称,行政相对人类别\n", encoding="utf-8")
    batch = ingest(path, item_code="XZCF", department_code="scjgj", actor="t", today=TODAY)
    assert batch.status == "failed" and batch.error
    assert not Record.objects.exists()


def test_wrong_item_or_department_is_refused(penalty, tmp_path):
    path = penalty_csv(tmp_path / "p.csv", penalty, [penalty_row(penalty, 1)])
    with pytest.raises(IngestError, match="unknown information item"):
        ingest(path, item_code="NOPE", department_code="scjgj", actor="t")
    with pytest.raises(IngestError, match="does not provide"):
        ingest(path, item_code="HG_AEO", department_code="scjgj", actor="t")


def test_ingest_command_summary(penalty, tmp_path, capsys):
    path = penalty_csv(tmp_path / "p.csv", penalty, [penalty_row(penalty, 1),
                                                   penalty_row(penalty, 2, CF_NR_FK="")])
    call_command("ingest", str(path), "--item", "XZCF", "--department", "scjgj",
                 "--no-progress")
    out = capsys.readouterr().out
    assert "2 rows — 1 accepted" in out and "1 rejected" in out
    with pytest.raises(CommandError, match="unknown department"):
        call_command("ingest", str(path), "--item", "XZCF", "--department", "x")


@pytest.mark.django_db(transaction=True)
def test_killed_ingest_leaves_nothing_and_resumes(tmp_path, settings):
    """SIGKILL a real `xinyong ingest` mid-batch: no records, and the rerun completes."""
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        database = tmp_path / "kill.sqlite3"
        env_db = f"sqlite:///{database}"
    else:
        env_db = os.environ["XINYONG_DATABASE_URL"].rsplit("/", 1)[0] + "/" + \
            settings.DATABASES["default"]["NAME"]
    env = dict(os.environ, XINYONG_DATABASE_URL=env_db, XINYONG_VAR_DIR=str(tmp_path / "v"))
    xinyong = [sys.executable, "-m", "xinyong"]
    if env_db.startswith("sqlite"):
        subprocess.run([*xinyong, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*xinyong, "catalog", "load"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    from xinyong.catalog.loader import parse_catalog

    spec = {i["code"]: i for i in parse_catalog(ROOT / "catalog" / "qingdao").catalog.items}
    path = penalty_csv(tmp_path / "big.csv", spec["XZCF"],
                     [penalty_row(spec["XZCF"], n) for n in range(1, ROWS + 1)])
    command = [*xinyong, "ingest", str(path), "--item", "XZCF", "--department", "scjgj",
               "--json"]
    count = [*xinyong, "shell", "--no-imports", "-c",
             "from xinyong.records.models import Record; from xinyong.collection.models "
             "import Batch; print(Record.objects.count(), list(Batch.objects.values_list("
             "'status', flat=True)))"]
    child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    # The batch is marked running before its transaction starts; kill once it is.
    deadline = time.monotonic() + 60
    while "running" not in subprocess.run(count, env=env, cwd=ROOT, capture_output=True,
                                           text=True).stdout:
        assert child.poll() is None and time.monotonic() < deadline, "ingest ended too soon"
        time.sleep(0.2)
    time.sleep(1)
    child.send_signal(signal.SIGKILL)
    child.wait()
    after_kill = subprocess.run(count, env=env, cwd=ROOT, capture_output=True, text=True)
    assert after_kill.stdout.strip() == "0 ['running']", after_kill.stdout + after_kill.stderr
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert f'"accepted": {ROWS}' in done.stdout, done.stdout + done.stderr
    final = subprocess.run(count, env=env, cwd=ROOT, capture_output=True, text=True)
    assert final.stdout.strip() == f"{ROWS} ['done']", final.stdout


def test_batches_are_listed_read_only_in_the_admin(penalty, tmp_path, admin_client):
    path = penalty_csv(tmp_path / "p.csv", penalty, [penalty_row(penalty, 1),
                                                   penalty_row(penalty, 2, CF_NR_FK="")])
    batch = ingest(path, item_code="XZCF", department_code="scjgj", actor="t", today=TODAY)
    page = admin_client.get("/admin/collection/batch/").content.decode()
    assert "行政处罚信息" in page and "市场监督管理局" in page
    rows = admin_client.get("/admin/collection/batchrow/", {"q": batch.pk}).content.decode()
    assert "罚款金额" in rows  # the rejected row's reason
    assert admin_client.get(f"/admin/collection/batch/{batch.pk}/change/").status_code == 200
    assert admin_client.get("/admin/collection/batch/add/").status_code == 403
