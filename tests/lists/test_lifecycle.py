"""List entries: from records and from the console, through notice, listing and every exit."""

from datetime import date, timedelta

import pytest

from xinyong.catalog.models import Department, ListType
from xinyong.core.calendar import add_working_days, is_workday
from xinyong.journal.models import Entry
from xinyong.journal.services import verify
from xinyong.lists.models import ExitKind, ListEntry, Status
from xinyong.lists.services import (
    EntryError,
    confirm_listing,
    effective_entries,
    exit_entry,
    expire_due,
    give_notice,
    history,
    sync_all,
    withdraw_notice,
)
from xinyong.records.services import revoke_record

from ..penalties import penalty_row
from ..recording import store_record
from .conftest import serious_market_record, tax_a_record

pytestmark = pytest.mark.django_db
TODAY = date.today()


def only_entry(subject, code="SCJG_YZWF") -> ListEntry:
    return ListEntry.objects.get(subject=subject, list_type__code=code)


def test_a_reported_record_becomes_a_listed_entry_with_its_decision(firm):
    listed = TODAY - timedelta(days=40)
    serious_market_record(firm, listed)
    entry = only_entry(firm)
    assert (entry.status, entry.source, entry.listed_on) == (Status.LISTED, "collection", listed)
    assert entry.document_number == "青市监严违〔2023〕1号"
    assert entry.reason == "提交虚假材料取得登记"
    assert entry.recognised_by == "青岛市市场监督管理局"
    assert entry.department.code == "scjgj"
    assert entry.valid_until >= listed + timedelta(days=3 * 365)  # 36 months by default
    assert list(effective_entries()) == [entry]
    steps = history(entry)
    assert [(s.from_status, s.to_status) for s in steps] == [("", Status.LISTED)]
    assert steps[0].journal_seq is not None
    assert verify().ok


def test_expiry_falling_on_a_holiday_moves_to_the_next_working_day(firm):
    # Listed 2023-10-01: 36 months end on 2026-10-01, National Day — the period runs on to
    # the first working day after the holiday (民法典 Art. 203).
    last_day = add_working_days(date(2026, 10, 1), 0)
    assert last_day > date(2026, 10, 7) and is_workday(last_day)
    entry = give_notice(list_type=ListType.objects.get(code="SCJG_YZWF"), subject=firm,
                        department=Department.objects.get(code="scjgj"),
                        document_number="青市监告〔2023〕9号", reason="r", basis="b",
                        notice_on=date(2023, 9, 1), actor="officer")
    confirm_listing(entry, listed_on=date(2023, 10, 1), actor="officer")
    assert entry.valid_until == last_day
    assert effective_entries(date(2026, 10, 5)).filter(pk=entry.pk).exists()
    assert expire_due(date(2026, 10, 5)) == 0
    assert expire_due(last_day) == 0  # still listed on its last day
    assert expire_due(last_day + timedelta(days=3)) == 1  # a late run keeps the right date
    entry.refresh_from_db()
    assert (entry.status, entry.exit_kind) == (Status.EXITED, ExitKind.EXPIRY)
    assert entry.exited_on == last_day + timedelta(days=1)
    assert history(entry)[-1].kind == ExitKind.EXPIRY
    # The same listing reported through collection today arrives already expired.
    serious_market_record(firm, date(2023, 10, 1))
    reported = ListEntry.objects.get(source="collection")
    assert (reported.valid_until, reported.exited_on) == (last_day, last_day + timedelta(days=1))


def test_a_check_never_sees_an_entry_past_its_last_day_even_before_the_job(firm):
    entry = give_notice(list_type=ListType.objects.get(code="SCJG_YZWF"), subject=firm,
                        department=Department.objects.get(code="scjgj"),
                        document_number="d", reason="r", basis="b",
                        notice_on=date(2023, 1, 2), actor="officer")
    confirm_listing(entry, listed_on=date(2023, 1, 16), actor="officer")
    assert entry.status == Status.LISTED and entry.valid_until < TODAY
    assert not effective_entries().exists()
    assert effective_entries(date(2024, 1, 1)).get() == entry


def test_revoking_the_underlying_decision_exits_the_entry(firm):
    record = serious_market_record(firm, TODAY - timedelta(days=10))
    revoke_record(record, reason="行政复议决定撤销列入决定", actor="officer", on=TODAY)
    entry = only_entry(firm)
    assert (entry.status, entry.exit_kind, entry.exited_on) == \
        (Status.EXITED, ExitKind.REVOCATION, TODAY)
    assert entry.exit_reason == "行政复议决定撤销列入决定"
    assert [s.to_status for s in history(entry)] == [Status.LISTED, Status.EXITED]
    assert not effective_entries().exists()


def test_a_reported_removal_exits_the_entry_with_the_departments_reason(firm):
    listed = TODAY - timedelta(days=400)
    serious_market_record(firm, listed)
    serious_market_record(firm, listed, YZ_YCRQ=TODAY.isoformat(), YZ_YCYY="已纠正并作出信用承诺",
                          YZ_YCJG="青岛市市场监督管理局")
    entry = only_entry(firm)
    assert (entry.status, entry.exit_kind) == (Status.EXITED, ExitKind.EARLY_REMOVAL)
    assert entry.exit_reason == "已纠正并作出信用承诺"
    assert ListEntry.objects.count() == 1  # the same entry, updated


def test_console_recognition_waits_for_the_statement_period(firm):
    market = Department.objects.get(code="scjgj")
    list_type = ListType.objects.get(code="SCJG_YZWF")
    notice_on = date(2026, 11, 2)
    entry = give_notice(list_type=list_type, subject=firm, department=market,
                        document_number="青市监告〔2026〕7号", reason="拒不履行", basis="第九条",
                        notice_on=notice_on, actor="officer")
    assert entry.status == Status.NOTICE
    assert not effective_entries(date(2026, 11, 20)).exists()
    ends = add_working_days(notice_on, 5)
    with pytest.raises(EntryError, match="state its case until"):
        confirm_listing(entry, listed_on=ends, actor="officer")
    confirm_listing(entry, listed_on=ends + timedelta(days=1), actor="officer")
    assert entry.status == Status.LISTED and entry.valid_until > ends
    assert list(effective_entries(ends + timedelta(days=1))) == [entry]
    assert [s.kind for s in history(entry)] == ["notice", "listed"]


def test_a_repaired_entry_exits_and_keeps_its_history(firm):
    market = Department.objects.get(code="scjgj")
    entry = give_notice(list_type=ListType.objects.get(code="SCJG_YZWF"), subject=firm,
                        department=market, document_number="青市监告〔2025〕3号",
                        reason="虚假登记", basis="第九条", notice_on=date(2025, 3, 3),
                        actor="officer")
    confirm_listing(entry, listed_on=date(2025, 3, 20), actor="officer")
    with pytest.raises(EntryError, match="early removal is possible from 2026-03-20"):
        exit_entry(entry, kind=ExitKind.EARLY_REMOVAL, on=date(2026, 1, 5), actor="officer",
                   reason="申请提前移出")
    with pytest.raises(EntryError, match="reason"):
        exit_entry(entry, kind=ExitKind.REPAIR, on=TODAY, actor="admin", reason=" ")
    exit_entry(entry, kind=ExitKind.REPAIR, on=TODAY, actor="admin",
               reason="信用修复：已履行义务并提交信用承诺书")
    entry.refresh_from_db()
    assert (entry.status, entry.exit_kind) == (Status.EXITED, ExitKind.REPAIR)
    steps = history(entry)
    assert [(s.kind, s.actor) for s in steps] == [("notice", "officer"), ("listed", "officer"),
                                                  ("repair", "admin")]
    assert all(s.journal_seq for s in steps)
    assert Entry.objects.filter(object_type="list_entry", object_id=str(entry.pk)).count() == 3
    with pytest.raises(EntryError, match="not listed"):
        exit_entry(entry, kind=ExitKind.OBJECTION, on=TODAY, actor="admin", reason="x")


def test_a_notice_can_end_without_listing(firm):
    entry = give_notice(list_type=ListType.objects.get(code="SCJG_YZWF"), subject=firm,
                        department=Department.objects.get(code="scjgj"),
                        document_number="告〔2026〕1号", reason="r", basis="b",
                        notice_on=TODAY, actor="officer")
    withdraw_notice(entry, on=TODAY, actor="officer", reason="陈述申辩理由成立")
    assert (entry.status, entry.exit_kind) == (Status.EXITED, ExitKind.NOT_LISTED)


def test_recognition_checks_the_list_type(firm, person):
    tax = Department.objects.get(code="sw")
    with pytest.raises(EntryError, match="recognised by"):
        give_notice(list_type=ListType.objects.get(code="SCJG_YZWF"), subject=firm,
                    department=tax, document_number="d", reason="r", basis="b",
                    notice_on=TODAY, actor="x")
    with pytest.raises(EntryError, match="kind person"):
        give_notice(list_type=ListType.objects.get(code="JYYC"), subject=person,
                    department=Department.objects.get(code="scjgj"), document_number="d",
                    reason="r", basis="b", notice_on=TODAY, actor="x")


def test_a_red_entry_is_withdrawn_by_a_new_serious_record(firm, penalty):
    tax_a_record(firm, TODAY - timedelta(days=100))
    red = only_entry(firm, "NSXY_A")
    assert red.status == Status.LISTED
    general = penalty_row(penalty, 700001, CF_XDR_MC=firm.name, CF_XDR_SHXYM=firm.code,
                          CF_SXCD="一般", CF_JDRQ=(TODAY - timedelta(days=5)).isoformat())
    store_record("XZCF", "scjgj", firm, general, TODAY - timedelta(days=5), "general")
    red.refresh_from_db()
    assert red.status == Status.LISTED  # a general penalty does not withdraw it
    serious = penalty_row(penalty, 700002, CF_XDR_MC=firm.name, CF_XDR_SHXYM=firm.code,
                          CF_SXCD="严重", CF_JDRQ=TODAY.isoformat())
    store_record("XZCF", "scjgj", firm, serious, TODAY, "serious")
    red.refresh_from_db()
    assert (red.status, red.exit_kind, red.exited_on) == \
        (Status.EXITED, ExitKind.WITHDRAWAL, TODAY)
    assert "受到严重失信行政处罚" in red.exit_reason and "1798" in red.exit_reason


def test_shared_items_feed_the_list_their_rule_names(catalog, firm):
    store_record("YZSXMD", "yjj", firm, {
        "MD_MDMC": "安全生产严重失信主体名单", "MD_ZTMC": firm.name, "MD_ZTLB": "法人及非法人组织",
        "MD_TYSHXYDM": firm.code, "MD_FDDBR": "赵一", "MD_LRSY": "重大事故",
        "MD_RDYJ": "第十一号令", "MD_WSH": "青应急失信〔2026〕2号", "MD_LRRQ": TODAY.isoformat(),
        "MD_RDDW": "青岛市应急管理局",
        "MD_RDDWDM": "11370200MB0000000X"}, TODAY)
    assert list(ListEntry.objects.values_list("list_type__code", flat=True)) == ["AQSC_YZSX"]


def test_sync_all_is_idempotent(firm):
    serious_market_record(firm, TODAY - timedelta(days=3))
    assert not sync_all(actor="test")
    ListEntry.objects.all().delete()
    assert len(sync_all(actor="test").created) == 1


def test_a_decided_exit_stands_when_the_record_is_reported_again(firm):
    listed = TODAY - timedelta(days=40)
    serious_market_record(firm, listed)
    exit_entry(only_entry(firm), kind=ExitKind.OBJECTION, on=TODAY, actor="admin",
               reason="异议核实：列入主体错误")
    serious_market_record(firm, listed, YZ_LRSY="补充列入事由")  # a new version of the record
    entry = only_entry(firm)
    assert (entry.status, entry.exit_kind, entry.reason) == \
        (Status.EXITED, ExitKind.OBJECTION, "补充列入事由")


def test_a_correction_to_another_list_moves_the_entry(catalog, firm):
    fields = {"MD_MDMC": "安全生产严重失信主体名单", "MD_ZTMC": firm.name,
              "MD_ZTLB": "法人及非法人组织",
              "MD_TYSHXYDM": firm.code, "MD_FDDBR": "赵一", "MD_LRSY": "事由", "MD_RDYJ": "依据",
              "MD_WSH": "青失信〔2026〕5号", "MD_LRRQ": TODAY.isoformat(), "MD_RDDW": "认定单位",
              "MD_RDDWDM": "11370200MB0000000X"}
    store_record("YZSXMD", "yjj", firm, fields, TODAY)
    store_record("YZSXMD", "yjj", firm, {**fields, "MD_MDMC": "拖欠农民工工资失信联合惩戒对象名单"},
                 TODAY)
    states = dict(ListEntry.objects.values_list("list_type__code", "status"))
    assert states == {"AQSC_YZSX": Status.EXITED, "TQNMG": Status.LISTED}


def test_no_second_notice_and_no_future_decisions(firm):
    kwargs = {"list_type": ListType.objects.get(code="SCJG_YZWF"), "subject": firm,
              "department": Department.objects.get(code="scjgj"), "document_number": "d",
              "reason": "r", "basis": "b", "actor": "officer"}
    with pytest.raises(EntryError, match="future"):
        give_notice(notice_on=TODAY + timedelta(days=1), **kwargs)
    entry = give_notice(notice_on=TODAY, **kwargs)
    with pytest.raises(EntryError, match="already"):
        give_notice(notice_on=TODAY, **kwargs)
    with pytest.raises(EntryError, match="future"):
        withdraw_notice(entry, on=TODAY + timedelta(days=2), actor="officer", reason="r")


def test_a_list_type_removed_from_the_catalog_has_no_effect(firm):
    serious_market_record(firm, TODAY - timedelta(days=3))
    ListType.objects.filter(code="SCJG_YZWF").update(active=False)
    assert not effective_entries().exists()
