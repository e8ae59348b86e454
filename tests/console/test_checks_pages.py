"""Check pages: running a check from typed identifiers or a file, feedback on its measures,
the overdue flag, the statistics with their charts, and who may do what."""

import csv
import io
from datetime import date, timedelta

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from xinyong.catalog.models import Measure
from xinyong.measures.models import Check, CheckMeasure

from ..lists.conftest import serious_market_record
from ..recording import register_org

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def listed(penalty):
    """A company on the market regulator's serious list (scjgj applies measures to it in
    market registration)."""
    firm = register_org("MA00CP01", "青岛核查页面失信有限公司", legal_representative="吴六")
    serious_market_record(firm, TODAY - timedelta(days=30))
    return firm


@pytest.fixture
def clean(penalty):
    return register_org("MA00CP02", "青岛核查页面平常有限公司")


def run(client, follow=False, **data):
    return client.post("/console/checks/new/", {"matter": "market_registration",
                                                "purpose": "青市监登〔2026〕15号 变更登记",
                                                **data}, follow=follow)


def csv_upload(rows, encoding="utf-8-sig", name="subjects.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), "text/csv")


def xlsx_upload(rows):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("核查")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    workbook.close()
    return SimpleUploadedFile("subjects.xlsx", buffer.getvalue(),
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_a_checker_checks_typed_identifiers_and_gives_feedback(english, checker, listed,
                                                              clean):
    english.force_login(checker)
    assert "market_registration" in english.get("/console/checks/new/").content.decode()
    response = run(english, codes=f"{listed.code}\n\n{clean.code}, 青岛核查页面平常有限公司\n")
    assert response.status_code == 302
    check = Check.objects.get()
    assert response["Location"] == f"/console/checks/{check.pk}/"
    assert (check.department.code, check.channel, check.username) == ("scjgj", "console",
                                                                      "checker_a")
    assert check.subjects_count == 2 and check.measures_count > 0
    page = english.get(response["Location"]).content.decode()
    ban = Measure.objects.get(code="OFFICER_RESTRICTION")
    for shown in ("青岛核查页面失信有限公司", "市场监督管理严重违法失信名单",
                  "青市监严违〔2023〕1号", ban.name, ban.legal_basis.strip()[:20],
                  "No list entries and no records", "Report feedback", "Feedback due"):
        assert shown in page, shown
    assert "OVERDUE" not in page

    row = CheckMeasure.objects.filter(check_run=check, measure=ban).get()
    prefix = f"m{row.pk}"
    refused = english.post(response["Location"], {
        "measure": row.pk, f"{prefix}-status": "not_applied", f"{prefix}-handler": "郑七",
        f"{prefix}-acted_on": TODAY.isoformat()})
    assert refused.status_code == 200 and "needs the reason" in refused.content.decode()
    assert CheckMeasure.objects.get(pk=row.pk).status == "pending"
    done = english.post(response["Location"], {
        "measure": row.pk, f"{prefix}-status": "applied", f"{prefix}-handler": "郑七",
        f"{prefix}-acted_on": TODAY.isoformat(), f"{prefix}-outcome": "不予担任法定代表人"},
        follow=True)
    assert "The feedback was recorded" in done.content.decode()
    row.refresh_from_db()
    assert (row.status, row.handler, row.reported_by) == ("applied", "郑七", "checker_a")
    assert "Correct the feedback" in done.content.decode()


def test_a_check_from_a_csv_or_an_xlsx_file(english, checker, listed, clean):
    english.force_login(checker)
    rows = [["名称", "统一社会信用代码"], [listed.name, listed.code], ["", clean.code]]
    assert run(english, file=csv_upload(rows)).status_code == 302
    assert run(english, file=csv_upload(rows, "gb18030")).status_code == 302
    assert run(english, file=xlsx_upload(rows)).status_code == 302
    headless = xlsx_upload([[listed.code], [clean.code], ["91370212MA00CP0X9Y"]])
    assert run(english, file=headless).status_code == 302
    checks = list(Check.objects.order_by("id"))
    assert [c.subjects_count for c in checks] == [2, 2, 2, 3]
    assert all(c.results[0]["subject"]["code"] == listed.code for c in checks)
    assert all(c.results[0]["measures"] for c in checks)


def test_too_many_or_unclear_subjects_are_form_errors(english, checker, clean):
    english.force_login(checker)
    many = csv_upload([["统一社会信用代码"]] + [[clean.code]] * 1001)
    page = run(english, file=many).content.decode()
    assert "1,001 subjects given; a check takes at most 1,000" in page
    page = run(english, codes="\n".join([clean.code] * 1001)).content.decode()
    assert "at most 1,000" in page
    page = run(english, codes=clean.code, name="青岛核查").content.decode()
    assert "one of the three" in page
    page = run(english, file=SimpleUploadedFile("subjects.txt", b"x")).content.decode()
    assert "Upload a CSV or XLSX file" in page
    page = run(english, file=SimpleUploadedFile("subjects.xlsx", b"not a zip")).content.decode()
    assert 'role="alert"' in page
    page = run(english, file=csv_upload([["统一社会信用代码"], [""]])).content.decode()
    assert "The file lists no identifiers" in page
    page = run(english, codes=clean.code, purpose=" ").content.decode()
    assert "This field is required" in page
    assert not Check.objects.exists()


def test_a_name_gives_candidates_with_explanations(english, checker, listed):
    english.force_login(checker)
    response = run(english, name="青岛核查页面失信有限公司", follow=True)
    page = response.content.decode()
    assert listed.code in page and "the name matches exactly" in page
    assert "choose the right candidate" in page


def test_another_department_gets_404_and_readers_cannot_post(english, checker, listed,
                                                            other_officer, auditor, centre):
    english.force_login(checker)
    url = run(english, codes=listed.code)["Location"]
    row = CheckMeasure.objects.first()
    feedback = {"measure": row.pk, f"m{row.pk}-status": "applied",
                f"m{row.pk}-handler": "x", f"m{row.pk}-acted_on": TODAY.isoformat()}
    english.force_login(other_officer)
    assert english.get(url).status_code == 404
    assert english.post(url, feedback).status_code == 404
    assert url not in english.get("/console/checks/").content.decode()
    for reader in (auditor, centre):
        english.force_login(reader)
        page = english.get(url).content.decode()
        assert "青岛核查页面失信有限公司" in page and "Report feedback" not in page
        assert english.post(url, feedback).status_code == 403
        assert english.get("/console/checks/new/").status_code == 403
        assert english.post("/console/checks/new/", {}).status_code == 403
    assert CheckMeasure.objects.get(pk=row.pk).status == "pending"


def test_overdue_checks_are_flagged(english, checker, listed):
    english.force_login(checker)
    url = run(english, codes=listed.code)["Location"]
    assert "overdue=1" in english.get("/console/").content.decode()
    assert url not in english.get("/console/checks/", {"overdue": "1"}).content.decode()
    Check.objects.update(feedback_due=TODAY - timedelta(days=1))
    dashboard = english.get("/console/").content.decode()
    assert 'class="flag"' in dashboard
    page = english.get("/console/checks/", {"overdue": "1"}).content.decode()
    assert url in page and "OVERDUE" in page
    assert "OVERDUE" in english.get(url).content.decode()


def test_statistics_draw_charts_and_list_cases(english, checker, listed, clean, other_officer,
                                               centre):
    english.force_login(checker)
    url = run(english, codes=f"{listed.code}\n{clean.code}")["Location"]
    row = CheckMeasure.objects.filter(measure__code="OFFICER_RESTRICTION").get()
    english.post(url, {"measure": row.pk, f"m{row.pk}-status": "applied",
                       f"m{row.pk}-handler": "郑七", f"m{row.pk}-acted_on": TODAY.isoformat(),
                       f"m{row.pk}-outcome": "不予担任法定代表人"})
    page = english.get("/console/checks/stats/").content.decode()
    assert page.count("<svg") == 3 and 'role="img"' in page and "<title" in page
    assert "<script" not in page
    assert "青岛市市场监督管理局" in page  # the department's name, not its id
    assert row.measure.name in page and "不予担任法定代表人" in page  # the case
    assert "市场监督管理严重违法失信名单" in page
    english.force_login(other_officer)
    page = english.get("/console/checks/stats/").content.decode()
    assert "不予担任法定代表人" not in page and "<svg" not in page
    english.force_login(centre)
    page = english.get("/console/checks/stats/", {"department": "fgw"}).content.decode()
    assert "不予担任法定代表人" not in page
    later = (TODAY + timedelta(days=1)).isoformat()
    page = english.get("/console/checks/stats/", {"start": later, "end": ""}).content.decode()
    assert "不予担任法定代表人" not in page
    page = english.get("/console/checks/stats/").content.decode()
    assert "不予担任法定代表人" in page
    page = english.get("/console/checks/stats/", {"start": later,
                                                  "end": "2020-01-01"}).content.decode()
    assert "must start before it ends" in page and "不予担任法定代表人" not in page


def test_what_the_check_says_is_in_the_pages_language(client, checker, listed):
    client.force_login(checker)  # no language chosen: Chinese
    page = run(client, follow=True, name="青岛核查页面").content.decode()
    assert "名称不能确定主体" in page and "名称以所查内容开头" in page
    page = run(client, follow=True, codes="12345").content.decode()
    assert "代码无效" in page
