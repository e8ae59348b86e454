"""Background processing: small batches in the request, large ones in the worker; stranded
batches queued again; the real worker (`xinyong batches worker`) and `xinyong serve`."""

import csv
import io
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django_tasks import default_task_backend

from xinyong.catalog.loader import parse_catalog
from xinyong.catalog.services import load_catalog
from xinyong.collection import tasks
from xinyong.collection.models import Batch
from xinyong.collection.services import submit
from xinyong.collection.templates import example_row
from xinyong.core.identifiers import make_uscc
from xinyong.records.models import Record

ROOT = Path(__file__).resolve().parents[2]
XINYONG = [sys.executable, "-m", "xinyong"]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(scope="module")
def xzcf_spec() -> dict:
    return {i["code"]: i for i in parse_catalog(ROOT / "catalog" / "qingdao").catalog.items}[
        "XZCF"]


def penalty_row(spec: dict, number: int, **changes) -> dict:
    row = example_row(spec, today=date(2026, 11, 2))
    row.update(CF_WSH=f"青市监罚〔2026〕{number}号", CF_XDR_MC=f"青岛测试{number}有限公司",
               CF_XDR_SHXYM=make_uscc("9", "1", "370202", f"{number:08d}"))
    row.update(changes)
    return row


def write_csv(path: Path, spec: dict, rows: list[dict]) -> Path:
    names = {f["code"]: f["name"] for f in spec["fields"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([names[code] for code in rows[0]])
    writer.writerows(row.values() for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def catalog(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    load_catalog(ROOT / "catalog" / "qingdao", actor="test")


@pytest.fixture
def make_batch(catalog, tmp_path, xzcf_spec):
    def make(*numbers: int) -> Batch:
        path = write_csv(tmp_path / f"p{numbers[0]}.csv", xzcf_spec,
                         [penalty_row(xzcf_spec, n) for n in numbers])
        return submit(path, item_code="XZCF", department_code="scjgj", actor="test")

    return make


def test_small_batch_is_processed_in_the_request(make_batch, settings):
    settings.TASKS = DUMMY
    batch = tasks.dispatch(make_batch(1, 2))
    assert batch.status == "done" and batch.accepted == 2 and batch.accounted
    assert default_task_backend.results == []


def test_large_batch_is_queued_for_the_worker(make_batch, settings):
    settings.TASKS, settings.BATCH_INLINE_MAX_BYTES = DUMMY, 100
    batch = tasks.dispatch(make_batch(1, 2))
    assert batch.status == "received" and not Record.objects.exists()
    [queued] = default_task_backend.results
    assert queued.task.module_path == "xinyong.collection.tasks.process_batch"
    assert queued.args == [batch.pk]


def test_queued_batch_is_processed_by_the_immediate_backend(make_batch, settings):
    settings.TASKS, settings.BATCH_INLINE_MAX_BYTES = IMMEDIATE, 0
    batch = tasks.dispatch(make_batch(1, 2, 3))
    assert batch.status == "done" and batch.accepted == 3
    assert Record.objects.filter(batch_id=batch.pk).count() == 3


def test_unexpected_error_fails_the_batch_and_dispatch_retries_it(make_batch, settings,
                                                                  monkeypatch):
    settings.TASKS = IMMEDIATE
    batch = make_batch(1)

    def broken(batch, **kwargs):
        Batch.objects.filter(pk=batch.pk).update(status="running")
        raise RuntimeError("disk full\nsecond line")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.services, "process", broken)
        failed = tasks.dispatch(batch)
    assert failed.status == "failed" and failed.finished_at is not None
    assert "RuntimeError: disk full" in failed.error and "second line" not in failed.error
    assert tasks.dispatch(failed).status == "done"


def test_a_done_batch_is_not_processed_again(make_batch, settings):
    settings.TASKS = IMMEDIATE
    batch = tasks.dispatch(make_batch(1))
    finished = batch.finished_at
    assert tasks.run(batch.pk) == "done"
    batch.refresh_from_db()
    assert batch.finished_at == finished


def test_processing_lock_is_exclusive_and_leaves_no_file(catalog, settings):
    lock = settings.VAR_DIR / "batches" / "7.lock"
    with tasks.processing_lock(7) as held:
        assert held and lock.exists()
        with tasks.processing_lock(7, wait=False) as second:
            assert second is False
    assert not lock.exists()
    with tasks.processing_lock(7, wait=False) as again:
        assert again is True


def test_resume_queues_only_stranded_batches(make_batch, settings):
    stranded, busy, queued, done = (make_batch(n) for n in (1, 2, 3, 4))
    received = make_batch(5)  # taken in, never queued (its process stopped first)
    Batch.objects.filter(pk__in=[stranded.pk, busy.pk]).update(status="running")
    Batch.objects.filter(pk=done.pk).update(status="done")
    tasks.process_batch.enqueue(queued.pk)  # the database backend: a task row, not run
    with tasks.processing_lock(busy.pk):
        assert [b.pk for b in tasks.resume()] == [stranded.pk, received.pk]
        assert tasks.resume() == []  # now they are queued
    assert [b.pk for b in tasks.resume()] == [busy.pk]  # its process has let go of it


# ---- the real worker, in subprocesses ------------------------------------------------------

@pytest.fixture
def worker_env(transactional_db, tmp_path, settings):
    """Environment for `xinyong` subprocesses: a file SQLite database migrated here, or the
    PostgreSQL test database, with the catalog loaded and var/ in tmp_path."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    else:
        url = os.environ["XINYONG_DATABASE_URL"].rsplit("/", 1)[0] + "/" + database["NAME"]
    env = dict(os.environ, XINYONG_DATABASE_URL=url, XINYONG_VAR_DIR=str(tmp_path / "v"),
               XINYONG_BATCH_INLINE_MAX_BYTES="0")
    if url.startswith("sqlite"):
        xinyong(env, "migrate", "-v0")
    xinyong(env, "catalog", "load")
    return env


def xinyong(env: dict, *args: str) -> str:
    done = subprocess.run([*XINYONG, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def shell(env: dict, code: str) -> str:
    return xinyong(env, "shell", "--no-imports", "-c", code).strip()


SUBMIT = ("from xinyong.collection import services, tasks; "
          "b = services.submit({path!r}, item_code='XZCF', department_code='scjgj', "
          "actor='t'); {then}; print(b.pk)")
QUEUE = "tasks.dispatch(b)"  # XINYONG_BATCH_INLINE_MAX_BYTES=0: queued for the worker
STRAND = "b.status = 'running'; b.save()"  # as a worker killed before its task was recorded
SUMMARY = ("from xinyong.collection.models import Batch; from xinyong.records.models import "
           "Record; print(Record.objects.count(), sorted(Batch.objects.values_list('pk', "
           "'status', 'accepted')))")


def batch_status(env: dict, batch_id: int) -> str | None:
    """The batch's status read straight from the worker's database (no Django start-up)."""
    url = env["XINYONG_DATABASE_URL"]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            row = connection.execute("select status from collection_batch where id = ?",
                                     (batch_id,)).fetchone()
        return row and row[0]
    return Batch.objects.filter(pk=batch_id).values_list("status", flat=True).first()


def test_worker_runs_queued_and_stranded_batches(worker_env, tmp_path, xzcf_spec):
    first, second = (write_csv(tmp_path / f"{n}.csv", xzcf_spec,
                               [penalty_row(xzcf_spec, n), penalty_row(xzcf_spec, n + 10)])
                     for n in (1, 2))
    queued = int(shell(worker_env, SUBMIT.format(path=str(first), then=QUEUE)))
    stranded = int(shell(worker_env, SUBMIT.format(path=str(second), then=STRAND)))
    assert shell(worker_env, SUMMARY) == f"0 [({queued}, 'received', 0), " \
                                         f"({stranded}, 'running', 0)]"
    out = xinyong(worker_env, "batches", "worker", "--batch")
    assert f"batch {stranded} (XZCF, running) queued again" in out
    assert f"batch {queued} " not in out
    assert shell(worker_env, SUMMARY) == f"4 [({queued}, 'done', 2), ({stranded}, 'done', 2)]"


def test_batch_of_a_killed_worker_is_resumed(worker_env, tmp_path, xzcf_spec):
    rows = 20_000
    path = write_csv(tmp_path / "big.csv", xzcf_spec,
                     [penalty_row(xzcf_spec, n) for n in range(1, rows + 1)])
    batch_id = int(shell(worker_env, SUBMIT.format(path=str(path), then=QUEUE)))
    worker = subprocess.Popen([*XINYONG, "batches", "worker"], env=worker_env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (status := batch_status(worker_env, batch_id)) != "running":
        assert status == "received", f"batch {status} before the worker could be killed"
        assert worker.poll() is None and time.monotonic() < deadline, "worker ended too soon"
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert shell(worker_env, SUMMARY) == f"0 [({batch_id}, 'running', 0)]"
    out = xinyong(worker_env, "batches", "worker", "--batch")
    assert f"batch {batch_id} (XZCF, running) queued again" in out
    assert shell(worker_env, SUMMARY) == f"{rows} [({batch_id}, 'done', {rows})]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)


def test_serve_runs_a_worker_and_stops_it(worker_env):
    port = free_port()
    serve = subprocess.Popen([*XINYONG, "serve", "--port", str(port), "--workers", "1"],
                             env=worker_env, cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    try:
        started = None
        while started is None:
            line = serve.stdout.readline()
            assert line, "serve printed no worker pid"
            started = re.search(r"background worker started \(pid (\d+)\)", line)
        worker = Path(f"/proc/{started.group(1)}")
        wait_for_port(port, serve)
        assert worker.exists()
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0
    finally:
        serve.kill()
        serve.wait()
    assert not worker.exists()
