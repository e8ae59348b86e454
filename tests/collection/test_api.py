"""POST /api/v1/batches and GET /api/v1/batches/{id} over real HTTP (live_server)."""

import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from django.db import OperationalError

from xinyong.access.services import create_client
from xinyong.catalog.loader import parse_catalog
from xinyong.catalog.services import load_catalog
from xinyong.collection import api as batches_api
from xinyong.collection import progress, tasks
from xinyong.collection.models import Batch
from xinyong.collection.templates import example_row
from xinyong.core.identifiers import make_uscc
from xinyong.records.models import Record

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(scope="module")
def xzcf() -> dict:
    return {i["code"]: i for i in parse_catalog(ROOT / "catalog" / "qingdao").catalog.items}[
        "XZCF"]


def penalty(spec: dict, number: int, *, names: bool = False, **changes) -> dict:
    """A valid XZCF row (only its filled fields), keyed by field code or by Chinese name."""
    row = example_row(spec, today=date(2026, 11, 2))
    row.update(CF_WSH=f"青市监罚〔2026〕{number}号", CF_XDR_MC=f"青岛接口{number}有限公司",
               CF_XDR_SHXYM=make_uscc("9", "1", "370202", f"{number:08d}"))
    row.update(changes)
    label = {f["code"]: f["name"] for f in spec["fields"]}
    return {label[code] if names else code: value for code, value in row.items() if value}


@pytest.fixture
def catalog(transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    load_catalog(ROOT / "catalog" / "qingdao", actor="test")


def token(department: str, *scopes: str) -> str:
    return create_client(name=f"{department} system", department_code=department,
                         scopes=scopes, actor="test")[1]


@pytest.fixture
def scjgj(catalog) -> str:
    return token("scjgj", "batches:write", "batches:read")


class Api:
    def __init__(self, base: str):
        self.base = base

    def __call__(self, method: str, path: str, bearer: str | None, body=None):
        """(status, headers, JSON body) of one request."""
        request = urllib.request.Request(
            self.base + path, method=method,
            data=None if body is None else json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Accept-Language": "en",
                     **({"Authorization": f"Bearer {bearer}"} if bearer else {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.loads(error.read())

    def post(self, bearer, body):
        return self("POST", "/api/v1/batches", bearer, body)

    def get(self, bearer, path):
        return self("GET", path, bearer)


@pytest.fixture
def api(live_server) -> Api:
    return Api(live_server.url)


def test_submitted_rows_each_get_their_result(api, scjgj, xzcf):
    rows = [penalty(xzcf, 1, names=True),
            penalty(xzcf, 2, names=True, CF_JDRQ="2026/13/01"),                 # rejected
            penalty(xzcf, 3, names=True, CF_XDR_SHXYM=make_uscc(                 # waiting
                "9", "1", "370202", "00000003")[:-1] + "0")]
    status, headers, batch = api.post(scjgj, {"item": "XZCF", "client_batch_id": "2026-11-A",
                                              "rows": rows})
    assert status == 202, batch
    assert headers["Location"] == f"/api/v1/batches/{batch['id']}"
    assert (batch["status"], batch["item"], batch["department"], batch["repeated"]) == \
        ("done", "XZCF", "scjgj", False)
    counts = batch["counts"]
    assert (counts["rows"], counts["accepted"], counts["new_records"], counts["rejected"],
            counts["waiting"]) == (3, 1, 1, 1, 1)
    record = Record.objects.get(batch_id=batch["id"])
    accepted, rejected, waiting = batch["rows"]["items"]
    assert accepted == {"row": 1, "status": "accepted", "record_id": record.pk, "errors": [],
                        "warnings": []}
    assert (rejected["row"], rejected["status"]) == (2, "rejected")
    assert rejected["errors"][0]["field"] == "CF_JDRQ"
    assert "2026/13/01" in rejected["errors"][0]["message"]
    assert (waiting["row"], waiting["status"], waiting["errors"][0]["code"]) == \
        (3, "waiting", "link")
    assert Batch.objects.get(pk=batch["id"]).channel == "api"


def test_rows_are_paginated_and_filtered_by_status(api, scjgj, xzcf):
    rows = [penalty(xzcf, n, CF_JDRQ="bad" if n % 2 else "2026-11-02") for n in range(1, 8)]
    _, headers, _ = api.post(scjgj, {"item": "XZCF", "client_batch_id": "page", "rows": rows})
    status, _, batch = api.get(scjgj, headers["Location"] + "?status=rejected&offset=1&limit=2")
    assert status == 200
    page = batch["rows"]
    assert (page["status"], page["total"], page["offset"], page["limit"]) == \
        ("rejected", 4, 1, 2)
    assert [(r["row"], r["status"]) for r in page["items"]] == [(3, "rejected"),
                                                                (5, "rejected")]
    _, _, batch = api.get(scjgj, headers["Location"] + "?status=accepted")
    assert [r["row"] for r in batch["rows"]["items"]] == [2, 4, 6]
    assert all(r["record_id"] for r in batch["rows"]["items"])
    status, _, error = api.get(scjgj, headers["Location"] + "?limit=5000")
    assert status == 422


def test_the_same_client_batch_id_returns_the_batch_on_file(api, scjgj, xzcf):
    body = {"item": "XZCF", "client_batch_id": "B-7", "rows": [penalty(xzcf, 1)]}
    _, _, first = api.post(scjgj, body)
    body["rows"] = [penalty(xzcf, 2), penalty(xzcf, 3)]
    status, headers, again = api.post(scjgj, body)
    assert status == 200 and again["repeated"] is True
    assert again["id"] == first["id"] and headers["Location"] == f"/api/v1/batches/{first['id']}"
    assert again["counts"] == first["counts"]
    assert "rows of this request were not read" in again["message"]
    assert Record.objects.count() == 1 and Batch.objects.count() == 1


def test_the_same_rows_under_a_new_id_make_a_new_batch(api, scjgj, xzcf):
    rows = [penalty(xzcf, 1)]
    _, _, first = api.post(scjgj, {"item": "XZCF", "client_batch_id": "x1", "rows": rows})
    status, _, second = api.post(scjgj, {"item": "XZCF", "client_batch_id": "x2",
                                         "rows": rows})
    assert status == 202 and second["id"] != first["id"]
    assert second["counts"]["unchanged_records"] == 1 and Record.objects.count() == 1
    record = Record.objects.get().pk
    assert [(r["row"], r["status"], r["record_id"]) for r in second["rows"]["items"]] == \
        [(1, "accepted", record)]
    assert second["rows"]["unlisted_accepted"] == 0


def test_rows_stay_listed_after_a_later_batch_changes_their_record(api, scjgj, xzcf):
    _, _, first = api.post(scjgj, {"item": "XZCF", "client_batch_id": "v1",
                                   "rows": [penalty(xzcf, 1), penalty(xzcf, 2)]})
    changed = penalty(xzcf, 2, CF_NR_FK="0.9")
    _, _, second = api.post(scjgj, {"item": "XZCF", "client_batch_id": "v2",
                                    "rows": [changed]})
    assert second["counts"]["updated_records"] == 1
    _, _, again = api.get(scjgj, f"/api/v1/batches/{first['id']}")
    assert [(r["row"], r["status"]) for r in again["rows"]["items"]] == \
        [(1, "accepted"), (2, "accepted")]
    assert again["rows"]["total"] == 2 and again["rows"]["unlisted_accepted"] == 0


def test_a_large_batch_is_queued_and_shows_its_progress(api, scjgj, xzcf, settings):
    settings.TASKS, settings.BATCH_INLINE_MAX_BYTES = DUMMY, 0
    status, headers, batch = api.post(scjgj, {"item": "XZCF", "client_batch_id": "big",
                                              "rows": [penalty(xzcf, 1)]})
    assert status == 202 and batch["status"] == "received" and batch["progress"] is None
    Batch.objects.filter(pk=batch["id"]).update(status="running")
    progress.write(batch["id"], done=50_000, total=120_000, phase="rows")
    _, _, running = api.get(scjgj, headers["Location"])
    assert running["status"] == "running"
    assert running["progress"] == {"done": 50_000, "total": 120_000, "phase": "rows"}


@pytest.mark.parametrize("bearer", [None, "not-a-token-at-all"])
def test_without_a_valid_token_is_401(api, catalog, bearer):
    assert api.post(bearer, {"item": "XZCF", "client_batch_id": "a", "rows": [{}]})[0] == 401
    assert api.get(bearer, "/api/v1/batches/1")[0] == 401


def test_a_missing_scope_is_403(api, scjgj, xzcf):
    reader, writer = token("scjgj", "batches:read"), token("scjgj", "batches:write")
    status, _, error = api.post(reader, {"item": "XZCF", "client_batch_id": "a",
                                         "rows": [penalty(xzcf, 1)]})
    assert status == 403 and "batches:write" in error["detail"]
    _, headers, _ = api.post(scjgj, {"item": "XZCF", "client_batch_id": "a",
                                     "rows": [penalty(xzcf, 1)]})
    status, _, error = api.get(writer, headers["Location"])
    assert status == 403 and "batches:read" in error["detail"]


def test_another_departments_batch_is_404(api, scjgj, xzcf):
    _, headers, batch = api.post(scjgj, {"item": "XZCF", "client_batch_id": "mine",
                                         "rows": [penalty(xzcf, 1)]})
    other = token("swj", "batches:read")
    status, _, error = api.get(other, headers["Location"])
    assert status == 404 and error == {"detail": f"no batch {batch['id']} for your department"}
    assert api.get(other, "/api/v1/batches/999999")[0] == 404


@pytest.mark.parametrize(("item", "message"), [
    ("NOPE", "unknown information item 'NOPE'"),
    ("HG_AEO", "department scjgj does not provide item HG_AEO"),
])
def test_an_item_the_department_cannot_submit_is_400(api, scjgj, xzcf, item, message):
    status, _, error = api.post(scjgj, {"item": item, "client_batch_id": "c",
                                        "rows": [penalty(xzcf, 1)]})
    assert status == 400 and message in error["detail"]
    assert not Batch.objects.exists()


def test_empty_or_too_many_rows_are_refused(api, scjgj, xzcf, monkeypatch):
    status, _, error = api.post(scjgj, {"item": "XZCF", "client_batch_id": "e", "rows": []})
    assert status == 400 and error == {"detail": "rows is empty: send at least one row"}
    monkeypatch.setattr(batches_api, "MAX_ROWS", 2)
    status, _, error = api.post(scjgj, {"item": "XZCF", "client_batch_id": "e",
                                        "rows": [penalty(xzcf, n) for n in (1, 2, 3)]})
    assert status == 413 and "at most 2 are accepted" in error["detail"]
    assert not Batch.objects.exists()


def test_a_request_body_over_the_limit_is_413(api, scjgj, xzcf, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2**20
    status, _, error = api.post(scjgj, {"item": "XZCF", "client_batch_id": "huge",
                                        "rows": [penalty(xzcf, n) for n in range(1, 2000)]})
    assert status == 413 and "larger than 1 MiB" in error["detail"]


def test_a_busy_database_is_503_with_retry_after(api, scjgj, xzcf, monkeypatch):
    def locked(batch):
        raise OperationalError("database is locked")

    monkeypatch.setattr(tasks, "dispatch", locked)
    status, headers, error = api.post(scjgj, {"item": "XZCF", "client_batch_id": "busy",
                                              "rows": [penalty(xzcf, 1)]})
    assert status == 503 and headers["Retry-After"] == "60"
    assert error == {"detail": "the database is busy or unavailable; retry in a minute"}


@pytest.mark.parametrize("body", [
    {"item": "XZCF", "rows": [{"CF_WSH": "1"}]},                                 # no client id
    {"item": "XZCF", "client_batch_id": "has space", "rows": [{"CF_WSH": "1"}]},
    {"item": "XZCF", "client_batch_id": "n", "rows": [{"CF_WSH": {"nested": 1}}]},
])
def test_malformed_bodies_are_422(api, scjgj, body):
    status, _, error = api.post(scjgj, body)
    assert status == 422 and error["detail"][0]["loc"][:2] == ["body", "payload"]


def test_openapi_documents_the_batch_endpoints(api, catalog):
    status, _, document = api.get(None, "/api/openapi.json")
    assert status == 200
    assert {"/api/v1/batches", "/api/v1/batches/{batch_id}"} <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"BatchIn", "BatchOut", "RowResult", "Counts"} <= set(schemas)
