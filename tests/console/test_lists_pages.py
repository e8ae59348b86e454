"""List pages: recognition with prior notice, confirmation, exits, who may do what."""

from datetime import date, timedelta

import pytest

from xinyong.catalog.models import Department, ListType
from xinyong.lists.models import ListEntry, Status
from xinyong.lists.services import statement_ends

from ..lists.conftest import serious_market_record
from ..recording import register_org

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def firm(penalty):
    return register_org("MA00LP01", "青岛名单页面测试有限公司", legal_representative="周五")


def notice(client, firm, **changes):
    data = {"list_type": ListType.objects.get(code="SCJG_YZWF").pk, "subject": firm.code,
            "document_number": "青市监告〔2026〕9号", "reason": "提交虚假材料取得登记",
            "basis": "《市场监督管理严重违法失信名单管理办法》第九条",
            "notice_on": (TODAY - timedelta(days=30)).isoformat(), **changes}
    return client.post("/console/lists/new/", data)


def test_recognition_confirmation_and_exit(english, officer, firm):
    english.force_login(officer)
    form = english.get("/console/lists/new/").content.decode()
    assert "市场监督管理严重违法失信名单" in form and "重点关注名单" in form  # own and shared
    assert "重大税收违法失信主体" not in form  # the tax bureau's
    response = notice(english, firm)
    assert response.status_code == 302
    entry = ListEntry.objects.get(subject=firm)
    assert response["Location"] == f"/console/lists/{entry.pk}/"
    assert (entry.status, entry.source, entry.department.code) == ("notice", "console", "scjgj")
    ends = statement_ends(entry)
    page = english.get(response["Location"]).content.decode()
    assert ends.isoformat() in page and "青市监告〔2026〕9号" in page
    assert 'value="confirm"' in page and 'value="withdraw"' in page

    url = response["Location"]
    early = english.post(url, {"action": "confirm", "confirm-listed_on": ends.isoformat()})
    assert early.status_code == 200 and "may state its case until" in early.content.decode()
    assert ListEntry.objects.get(pk=entry.pk).status == Status.NOTICE
    listed_on = ends + timedelta(days=1)
    assert english.post(url, {"action": "confirm", "confirm-listed_on": listed_on.isoformat(),
                              "confirm-valid_until": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == Status.LISTED and entry.listed_on == listed_on and entry.valid_until

    page = english.get(url).content.decode()
    assert 'value="exit"' in page and 'value="confirm"' not in page
    # The catalog gives this list early removal but no fulfilment rule.
    assert 'value="early_removal"' in page and 'value="revocation"' in page
    assert 'value="fulfilment"' not in page
    refused = english.post(url, {"action": "exit", "exit-kind": "revocation",
                                 "exit-on": TODAY.isoformat(), "exit-reason": " "})
    assert refused.status_code == 200 and ListEntry.objects.get(pk=entry.pk).status == "listed"
    done = english.post(url, {"action": "exit", "exit-kind": "revocation",
                              "exit-on": TODAY.isoformat(), "exit-reason": "复议撤销列入决定"},
                        follow=True)
    page = done.content.decode()
    assert "The entry exited the list" in page
    entry.refresh_from_db()
    assert (entry.status, entry.exit_kind) == ("exited", "revocation")
    for shown in ("officer_a", "复议撤销列入决定", "underlying decision revoked", "prior notice",
                  "listed → exited"):
        assert shown in page, shown
    assert 'value="exit"' not in page  # nothing left to decide
    stale = english.post(url, {"action": "exit", "exit-kind": "repair",
                               "exit-on": TODAY.isoformat(), "exit-reason": "again"},
                         follow=True)
    assert "no longer open" in stale.content.decode()
    assert ListEntry.objects.get(pk=entry.pk).exit_kind == "revocation"


def test_recognition_errors_are_form_errors(english, officer, firm, person):
    english.force_login(officer)
    unknown = notice(english, firm, subject="91370200MA3C4D5E6F")
    assert unknown.status_code == 200 and "No subject with this identifier" in \
        unknown.content.decode()
    wrong_kind = notice(english, firm, subject=person.code,
                        list_type=ListType.objects.get(code="JYYC").pk)
    assert wrong_kind.status_code == 200 and "does not list subjects of kind person" in \
        wrong_kind.content.decode()
    assert not ListEntry.objects.exists()


def test_a_notice_can_be_withdrawn(english, officer, firm):
    english.force_login(officer)
    url = notice(english, firm)["Location"]
    response = english.post(url, {"action": "withdraw", "withdraw-on": TODAY.isoformat(),
                                  "withdraw-reason": "陈述申辩理由成立"})
    assert response.status_code == 302
    entry = ListEntry.objects.get(subject=firm)
    assert (entry.status, entry.exit_kind) == ("exited", "not_listed")


def test_the_list_filters_by_status_and_subject(english, officer, firm):
    english.force_login(officer)
    url = notice(english, firm)["Location"]
    other = register_org("MA00LP02", "青岛另一家名单有限公司")
    serious_market_record(other, TODAY - timedelta(days=10))
    page = english.get("/console/lists/").content.decode()
    assert url in page and "青岛另一家名单有限公司" in page
    page = english.get("/console/lists/", {"status": "notice"}).content.decode()
    assert url in page and "青岛另一家名单有限公司" not in page
    page = english.get("/console/lists/", {"q": other.code}).content.decode()
    assert url not in page and "青岛另一家名单有限公司" in page
    page = english.get("/console/lists/", {"q": "名单页面"}).content.decode()
    assert url in page and "青岛另一家名单有限公司" not in page


def test_another_department_gets_404_and_auditors_only_read(english, officer, other_officer,
                                                            auditor, firm):
    english.force_login(officer)
    url = notice(english, firm)["Location"]
    english.force_login(other_officer)
    assert english.get(url).status_code == 404
    assert english.post(url, {"action": "withdraw", "withdraw-on": TODAY.isoformat(),
                              "withdraw-reason": "x"}).status_code == 404
    assert url not in english.get("/console/lists/").content.decode()
    english.force_login(auditor)
    page = english.get(url).content.decode()
    assert "青市监告〔2026〕9号" in page and 'value="withdraw"' not in page
    assert english.get("/console/lists/new/").status_code == 403
    assert english.post(url, {"action": "withdraw", "withdraw-on": TODAY.isoformat(),
                              "withdraw-reason": "x"}).status_code == 403
    assert ListEntry.objects.get(subject=firm).status == "notice"


def test_the_credit_centre_recognises_for_a_department_and_repairs(english, centre, firm):
    english.force_login(centre)
    form = english.get("/console/lists/new/").content.decode()
    assert 'name="department"' in form
    missing = notice(english, firm)
    assert missing.status_code == 200 and not ListEntry.objects.exists()
    scjgj, sw = (Department.objects.get(code=code) for code in ("scjgj", "sw"))
    wrong = notice(english, firm, department=sw.pk)
    assert "is recognised by" in wrong.content.decode() and not ListEntry.objects.exists()
    assert notice(english, firm, department=scjgj.pk).status_code == 302
    serious_market_record(firm, TODAY - timedelta(days=10), document="青市监严违〔2026〕2号")
    reported = ListEntry.objects.get(subject=firm, source="collection")
    url = f"/console/lists/{reported.pk}/"
    page = english.get(url).content.decode()
    assert 'value="repair"' in page and 'value="objection"' in page
    assert 'value="fulfilment"' not in page
    assert english.post(url, {"action": "exit", "exit-kind": "fulfilment",
                              "exit-on": TODAY.isoformat(),
                              "exit-reason": "x"}).status_code == 200  # not a choice
    assert english.post(url, {"action": "exit", "exit-kind": "repair",
                              "exit-on": TODAY.isoformat(),
                              "exit-reason": "信用修复"}).status_code == 302
    reported.refresh_from_db()
    assert (reported.status, reported.exit_kind) == ("exited", "repair")


def test_a_reported_entry_offers_its_department_only_the_exits_that_stand(english, officer,
                                                                        firm):
    serious_market_record(firm, TODAY - timedelta(days=10))
    entry = ListEntry.objects.get(subject=firm)
    english.force_login(officer)
    page = english.get(f"/console/lists/{entry.pk}/").content.decode()
    assert "follows its record" in page and f"/console/records/{entry.record_id}/" in page
    assert 'value="repair"' in page and 'value="fulfilment"' not in page
