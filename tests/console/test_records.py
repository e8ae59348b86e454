"""The department's records: search, a record with its history, revocation."""

import pytest

from xinyong.records.models import Record

pytestmark = pytest.mark.django_db


def test_search_by_business_key_code_or_name(english, officer, batch):
    record = Record.objects.get(batch_id=batch.pk)
    english.force_login(officer)
    link = f"/console/records/{record.pk}/"
    for query in ("青市监罚〔2026〕1号", record.subject.code, "测试1有限"):
        assert link in english.get("/console/records/", {"q": query}).content.decode(), query
    page = english.get("/console/records/", {"q": "无此记录"}).content.decode()
    assert link not in page and "No records match" in page


def test_record_page_shows_values_and_history(english, officer, batch):
    record = Record.objects.get(batch_id=batch.pk)
    english.force_login(officer)
    page = english.get(f"/console/records/{record.pk}/").content.decode()
    assert "行政处罚决定书文号" in page and "青市监罚〔2026〕1号" in page
    assert f"/console/batches/{batch.pk}/" in page and "created" in page
    assert f"/console/records/{record.pk}/revoke/" in page


def test_an_officer_revokes_with_a_reason(english, officer, batch):
    record = Record.objects.get(batch_id=batch.pk)
    english.force_login(officer)
    url = f"/console/records/{record.pk}/revoke/"
    refused = english.post(url, {"reason": " ", "revoked_on": "2026-11-21"})
    assert refused.status_code == 200 and Record.objects.get(pk=record.pk).status == "active"
    response = english.post(url, {"reason": "行政复议撤销原处罚决定", "revoked_on": "2026-11-21"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "revoked" and record.revoked_reason == "行政复议撤销原处罚决定"
    page = english.get(response["Location"]).content.decode()
    assert "行政复议撤销原处罚决定" in page and "revoked" in page
    assert url not in page  # nothing left to revoke
    again = english.post(url, {"reason": "again", "revoked_on": "2026-11-21"}, follow=True)
    assert "already revoked" in again.content.decode()
    assert Record.objects.get(pk=record.pk).version == record.version


def test_a_revocation_date_is_not_in_the_future(english, officer, batch):
    record = Record.objects.get(batch_id=batch.pk)
    english.force_login(officer)
    response = english.post(f"/console/records/{record.pk}/revoke/",
                            {"reason": "撤销", "revoked_on": "2999-01-01"})
    assert "cannot be in the future" in response.content.decode()
    assert Record.objects.get(pk=record.pk).status == "active"
