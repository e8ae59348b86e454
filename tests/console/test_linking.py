"""The linking queue pages of the credit centre."""

import pytest

from xinyong.collection.models import Batch, BatchRow, LinkDecision
from xinyong.subjects.models import Subject

from .conftest import BAD

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(batch):
    return BatchRow.objects.get(batch=batch, status="waiting")


def test_the_queue_lists_waiting_rows(english, centre, row):
    english.force_login(centre)
    page = english.get("/console/linking/").content.decode()
    assert f"/console/linking/{row.pk}/" in page and BAD in page and "青岛校验有限公司" in page


def test_candidates_are_shown_and_none_is_chosen(english, centre, row, company):
    english.force_login(centre)
    page = english.get(f"/console/linking/{row.pk}/", {"q": "海睿"}).content.decode()
    assert company.name in page and company.code in page
    assert f'value="{company.pk}"' in page and "checked" not in page
    assert "Confirm the code as written" in page  # BAD differs only in its check character
    response = english.post(f"/console/linking/{row.pk}/?q=海睿",
                            {"action": "link", "link-reason": "核实为同一企业"})
    assert response.status_code == 200 and BatchRow.objects.get(pk=row.pk).status == "waiting"


def test_link_to_the_chosen_subject(english, centre, row, company, batch):
    english.force_login(centre)
    response = english.post(f"/console/linking/{row.pk}/", {
        "action": "link", "link-subject": company.pk, "link-reason": "核实为同一企业"})
    assert response.status_code == 302 and response["Location"] == "/console/linking/"
    assert BatchRow.objects.get(pk=row.pk).status == "linked"
    assert LinkDecision.objects.get().subject == company
    batch.refresh_from_db()
    assert (batch.accepted, batch.rejected, batch.waiting) == (2, 1, 0)
    assert "1 waiting row was linked" in english.get("/console/linking/").content.decode()
    page = english.get(f"/console/linking/{row.pk}/").content.decode()
    assert "no longer waiting" in page


def test_confirm_needs_a_reason_then_creates_the_subject(english, centre, row):
    english.force_login(centre)
    url = f"/console/linking/{row.pk}/"
    refused = english.post(url, {"action": "confirm", "confirm-reason": ""})
    assert refused.status_code == 200 and not Subject.objects.filter(code=BAD).exists()
    response = english.post(url, {"action": "confirm", "confirm-reason": "已与登记机关核实"})
    assert response.status_code == 302
    assert Subject.objects.get(code=BAD).name == "青岛校验有限公司"


def test_dismiss(english, centre, row, batch):
    english.force_login(centre)
    english.post(f"/console/linking/{row.pk}/", {"action": "dismiss",
                                                  "dismiss-reason": "查无此单位"})
    batch = Batch.objects.get(pk=batch.pk)
    assert (batch.accepted, batch.rejected, batch.waiting) == (1, 2, 0)
    page = english.get(f"/console/batches/{batch.pk}/").content.decode()
    assert "Dismissed by the credit centre: 查无此单位" in page


def test_junk_input_never_breaks_the_page(english, centre, row):
    english.force_login(centre)
    url = f"/console/linking/{row.pk}/"
    for subject in ("99999999999999999999999999", "²", "abc", ""):
        response = english.post(url, {"action": "link", "link-subject": subject,
                                      "link-reason": "x"})
        assert response.status_code == 200, subject
    assert english.post(url, {"action": "unknown"}).status_code == 200
    assert english.get("/console/linking/99999999999999999999999999/").status_code == 404
    assert english.get("/console/records/99999999999999999999999999/").status_code == 404
    assert BatchRow.objects.get(pk=row.pk).status == "waiting"
