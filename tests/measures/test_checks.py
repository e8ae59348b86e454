"""Checks: what a department learns about a subject, and what it must report back."""

from datetime import timedelta

import pytest

from xinyong.catalog.models import Department
from xinyong.measures.models import Check, CheckMeasure, FeedbackStatus
from xinyong.measures.services import (
    CheckError,
    FeedbackIn,
    Query,
    give_feedback,
    overdue,
    run_check,
    statistics,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def check(code_or_queries, matter="procurement", department="czj", **kwargs) -> Check:
    queries = code_or_queries if isinstance(code_or_queries, list) \
        else [Query(code=code_or_queries)]
    return run_check(department=Department.objects.get(code=department), matter=matter,
                     purpose="青财采〔2026〕88号 招标", queries=queries, username="tester",
                     channel="console", **kwargs)


def test_a_listed_subject_gets_the_departments_measures_for_the_matter(town):
    result = check(town.listed.code).results[0]
    assert result["status"] == "found"
    assert [e["list_type"] for e in result["entries"]] == ["SCJG_YZWF"]
    assert result["entries"][0]["document_number"] == "青市监严违〔2023〕1号"
    codes = {m["code"] for m in result["measures"]}
    assert "PROCUREMENT_BAN" in codes  # czj applies it in procurement
    assert "LAND_TRANSFER_RESTRICTION" not in codes  # another department's
    assert all(m["legal_basis"] and m["id"] for m in result["measures"])
    ban = next(m for m in result["measures"] if m["code"] == "PROCUREMENT_BAN")
    assert ban["triggered_by"] == ["SCJG_YZWF"]


def test_the_same_subject_in_another_matter_or_department(town):
    licensing = check(town.listed.code, matter="licensing", department="zjj").results[0]
    assert {m["code"] for m in licensing["measures"]} == {"STRICT_REVIEW",
                                                          "QUALIFICATION_RESTRICTION"}


def test_a_red_list_subject_gets_incentives(town):
    result = check(town.red.code, matter="bidding", department="zjj").results[0]
    assert [e["kind"] for e in result["entries"]] == ["red"]
    assert {m["code"] for m in result["measures"]} == {"BID_BOND_RELIEF"}


def test_clean_unknown_and_invalid_subjects(town):
    stored = check([Query(code=town.clean.code), Query(code="91370200MA3C4D5E6F"),
                    Query(code="12345")])
    clean, unknown, invalid = stored.results
    assert (clean["status"], clean["entries"], clean["measures"]) == ("found", [], [])
    assert unknown["status"] in ("not_found", "invalid")
    assert invalid["status"] == "invalid"
    assert stored.measures_count == 0 and stored.feedback_due is None


def test_a_person_is_checked_by_identity_number(town):
    result = check(town.debtor.code).results[0]
    assert result["subject"]["kind"] == "person"
    assert [e["list_type"] for e in result["entries"]] == ["SXBZXR"]
    assert "PROCUREMENT_BAN" in {m["code"] for m in result["measures"]}


def test_a_name_gives_candidates_never_a_pick(town):
    result = check([Query(name="青岛失信测试贸易有限公司")]).results[0]
    assert result["status"] == "candidates"
    assert result["candidates"][0]["code"] == town.listed.code
    assert result["candidates"][0]["explanation"] == "the name matches exactly"
    assert "identifier" in result["message"]
    assert "measures" not in result


def test_a_name_that_disagrees_with_the_code_is_flagged(town):
    result = check([Query(code=town.clean.code, name="别的公司")]).results[0]
    assert "neither the registered nor a former name" in result["warning"]


def test_bad_requests_say_what_to_fix(town):
    with pytest.raises(CheckError, match="unknown business matter"):
        check(town.listed.code, matter="shopping")
    with pytest.raises(CheckError, match="at most 1,000"):
        check([Query(code=town.clean.code)] * 1001)
    with pytest.raises(CheckError, match="purpose"):
        run_check(department=Department.objects.get(code="czj"), matter="procurement",
                  purpose=" ", queries=[Query(code=town.clean.code)])


def test_feedback_closes_the_loop(town):
    stored = check(town.listed.code)
    assert stored.feedback_pending == stored.measures_count > 0
    assert stored.feedback_due > TODAY
    rows = list(stored.measures.all())
    with pytest.raises(CheckError, match="needs the reason"):
        give_feedback(stored, [FeedbackIn(rows[0].pk, "not_applied", "王五", TODAY)],
                      reported_by="tester")
    with pytest.raises(CheckError, match="between the check"):
        give_feedback(stored, [FeedbackIn(rows[0].pk, "applied", "王五",
                                          TODAY - timedelta(days=3))], reported_by="tester")
    give_feedback(stored, [FeedbackIn(r.pk, "applied", "王五", TODAY, outcome="取消投标资格")
                           for r in rows], reported_by="tester")
    stored.refresh_from_db()
    assert stored.feedback_pending == 0
    assert set(CheckMeasure.objects.values_list("status", flat=True)) == {
        FeedbackStatus.APPLIED}


def test_checks_without_feedback_are_flagged_after_the_deadline(town):
    stored = check(town.listed.code)
    checks = Check.objects.all()
    assert not overdue(checks).exists()
    assert list(overdue(checks, stored.feedback_due + timedelta(days=1))) == [stored]


def test_statistics_per_department_measure_and_list_type(town):
    first = check(town.listed.code)
    check(town.clean.code)
    rows = list(first.measures.all())
    give_feedback(first, [FeedbackIn(rows[0].pk, "applied", "王五", TODAY)],
                  reported_by="tester")
    stats = statistics(Check.objects.all())
    assert stats["totals"]["checks"] == 2 and stats["totals"]["hits"] == 1
    assert stats["totals"]["applied"] == 1
    assert stats["departments"][0]["checks"] == 2
    assert stats["list_types"][0]["list_type__code"] == "SCJG_YZWF"
    assert sum(m["measures"] for m in stats["measures"]) == len(rows)


def test_the_checks_sql_agrees_with_the_lists_definition(town):
    from xinyong.lists.services import effective_entries
    from xinyong.measures.queries import effective_entries_of

    ids = [town.listed.pk, town.red.pk, town.clean.pk, town.debtor.pk]
    for day in (TODAY, TODAY - timedelta(days=25), TODAY + timedelta(days=3000)):
        assert sorted(e.id for e in effective_entries_of(ids, day)) == \
            sorted(effective_entries(day).values_list("id", flat=True))
