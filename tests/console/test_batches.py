"""A batch page: counts, the rows that need work, progress while running, downloads."""

import io

import pytest
from python_calamine import CalamineWorkbook

from xinyong.collection import progress
from xinyong.collection.models import Batch

pytestmark = pytest.mark.django_db


def test_batch_page_accounts_for_every_row(english, officer, batch):
    english.force_login(officer)
    page = english.get(f"/console/batches/{batch.pk}/").content.decode()
    assert (batch.total_rows, batch.accepted, batch.rejected, batch.waiting) == (3, 1, 1, 1)
    assert "2026/13/01" in page  # the rejected row's reason quotes the value found
    assert "需人工确认" in page  # the waiting row's reason, in Chinese
    assert "rejected.xlsx" in page and "rejected.csv" in page
    assert 'http-equiv="refresh"' not in page  # done: nothing to follow


def test_batch_list_filters_by_status(english, officer, batch):
    english.force_login(officer)
    assert f"/console/batches/{batch.pk}/" in english.get("/console/batches/").content.decode()
    page = english.get("/console/batches/", {"status": "failed"}).content.decode()
    assert f"/console/batches/{batch.pk}/" not in page and "No batches match" in page


def test_a_running_batch_shows_its_progress_and_refreshes(english, officer, batch):
    Batch.objects.filter(pk=batch.pk).update(status="running")
    progress.write(batch.pk, done=20_000, total=50_000, phase="rows")
    english.force_login(officer)
    page = english.get(f"/console/batches/{batch.pk}/").content.decode()
    assert 'http-equiv="refresh" content="3"' in page
    assert '<progress max="50000" value="20000"' in page
    progress.clear(batch.pk)


def test_rejected_rows_download_as_xlsx_and_csv(client, officer, batch):
    client.force_login(officer)
    response = client.get(f"/console/batches/{batch.pk}/rejected.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("XZCF").to_python()
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误说明"
    assert len(rows) == 2 and int(rows[1][0]) == 3 and "2026/13/01" in rows[1][-1]
    response = client.get(f"/console/batches/{batch.pk}/rejected.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("原行号,") and lines[0].endswith(",错误说明")
    assert len(lines) == 2 and lines[1].startswith("3,") and "2026/13/01" in lines[1]
