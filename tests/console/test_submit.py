"""Submitting a file from the console, and the templates to fill in."""

import io

import pytest
from python_calamine import CalamineWorkbook

from xinyong.collection.models import Batch

from ..penalties import penalty_csv, penalty_row
from .conftest import BAD

pytestmark = pytest.mark.django_db


def upload(client, path, **data):
    with open(path, "rb") as handle:
        return client.post("/console/submit/", {"item": data.pop("item"), "file": handle,
                                                **data})


def xzcf_id(penalty):
    from xinyong.catalog.models import InformationItem

    return InformationItem.objects.get(code="XZCF").pk


def test_an_officer_uploads_and_lands_on_the_batch(english, officer, penalty, tmp_path):
    english.force_login(officer)
    page = english.get("/console/submit/").content.decode()
    assert 'name="department"' not in page  # the officer's own department, always
    assert "/console/items/XZCF/template.xlsx" in page
    path = penalty_csv(tmp_path / "今日处罚.csv", penalty, [
        penalty_row(penalty, 1), penalty_row(penalty, 2, CF_XDR_SHXYM=BAD)])
    response = upload(english, path, item=xzcf_id(penalty))
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/batches/{batch.pk}/"
    assert (batch.department.code, batch.channel, batch.actor) == ("scjgj", "console",
                                                                   "officer_a")
    assert batch.file_name == "今日处罚.csv" and batch.status == "done"
    assert (batch.total_rows, batch.accepted, batch.waiting) == (2, 1, 1)
    again = upload(english, path, item=xzcf_id(penalty))
    assert again["Location"] == f"/console/batches/{batch.pk}/"
    page = english.get(again["Location"]).content.decode()
    assert "submitted before" in page and Batch.objects.count() == 1


def test_a_file_of_another_kind_is_a_form_error(english, officer, penalty, tmp_path):
    english.force_login(officer)
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4")
    response = upload(english, path, item=xzcf_id(penalty))
    assert response.status_code == 200 and "Submit a CSV, XLSX or JSON file" in \
        response.content.decode()
    assert not Batch.objects.exists()


def test_an_unreadable_file_fails_its_batch_with_the_reason(english, officer, penalty,
                                                             tmp_path):
    english.force_login(officer)
    path = tmp_path / "empty.csv"
    path.write_text("行政相对人名称\n", encoding="utf-8")
    response = upload(english, path, item=xzcf_id(penalty))
    batch = Batch.objects.get()
    assert batch.status == "failed"
    page = english.get(response["Location"]).content.decode()
    assert "could not be read" in page and batch.error in page


def test_the_credit_centre_chooses_a_providing_department(english, centre, penalty, tmp_path):
    from xinyong.catalog.models import Department

    english.force_login(centre)
    path = penalty_csv(tmp_path / "p.csv", penalty, [penalty_row(penalty, 1)])
    refused = upload(english, path, item=xzcf_id(penalty),
                     department=Department.objects.get(code="zy").pk)  # courts: no penalties
    assert refused.status_code == 200 and "does not provide" in refused.content.decode()
    accepted = upload(english, path, item=xzcf_id(penalty),
                      department=Department.objects.get(code="fgw").pk)
    assert accepted.status_code == 302
    assert Batch.objects.get().department.code == "fgw"


def test_templates_download(client, officer, penalty):
    client.force_login(officer)
    response = client.get("/console/items/XZCF/template.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    sheet = workbook.get_sheet_by_name("XZCF").to_python()
    assert sheet[0][0] == penalty["fields"][0]["name"]
    csv_text = client.get("/console/items/XZCF/template.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].split(",")[0] == penalty["fields"][0]["name"]
    assert client.get("/console/items/NOPE/template.csv").status_code == 404


def test_a_large_upload_is_read_from_djangos_temporary_file(english, officer, penalty,
                                                            tmp_path, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload goes to a temporary file
    english.force_login(officer)
    path = penalty_csv(tmp_path / "big.csv", penalty, [penalty_row(penalty, 1)])
    upload(english, path, item=xzcf_id(penalty))
    batch = Batch.objects.get()
    assert (batch.status, batch.accepted, batch.file_name) == ("done", 1, "big.csv")
    assert batch.stored_path.endswith(".csv")
