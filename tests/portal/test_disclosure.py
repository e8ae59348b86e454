from datetime import timedelta

import pytest
from django.core.cache import cache

from xinyong.catalog.models import InformationItem, ListType
from xinyong.core.identifiers import make_uscc
from xinyong.journal.models import Entry
from xinyong.lists.models import ListEntry, Status
from xinyong.lists.services import confirm_listing, effective_entries
from xinyong.portal.disclosure import (
    data_as_of,
    list_entries,
    profile_entries,
    public_entry,
    public_lists,
    public_record,
    public_records,
    subject_kind,
)
from xinyong.records.models import Record
from xinyong.records.services import revoke_record
from xinyong.subjects.services import NewSubject, register_subject

from ..recording import register_org, store_record
from .conftest import TODAY, recognise

pytestmark = pytest.mark.django_db


def wsh(records) -> set[str]:
    return {r.fields.get("CF_WSH") for r in records}


def test_the_window_ends_after_its_last_day(city):
    record = Record.objects.get(fields__CF_WSH=city.penalty_number)
    end = record.publicity_end
    assert city.penalty_number in wsh(public_records(end))
    assert city.penalty_number not in wsh(public_records(end + timedelta(days=1)))
    assert city.penalty_number not in wsh(public_records(record.publicity_start - timedelta(1)))


def test_a_revoked_record_leaves_on_the_day(city):
    record = Record.objects.get(fields__CF_WSH=city.penalty_number)
    revoke_record(record, reason="复议撤销", actor="test", on=TODAY)
    assert city.penalty_number not in wsh(public_records(TODAY))


def test_items_public_for_some_kinds_only(city, penalty):
    shop = register_subject(NewSubject(code=make_uscc("9", "2", "370203", "MA11AAAA"),
                                       name="市北区张记小吃店"), actor="test")
    assert subject_kind(shop) == "individual_business"
    store_record("SXBZXR", "zy", shop, {"SX_BZXR_MC": shop.name, "SX_BZXR_LB": "法人及非法人组织",
                                  "SX_AH": "(2026)鲁02执1号", "SX_FBRQ": TODAY.isoformat()},
           TODAY)
    sxbzxr = InformationItem.objects.get(code="SXBZXR")
    assert "individual_business" not in sxbzxr.public_for
    assert not public_records(item=sxbzxr).exists()
    assert not public_records(subject=shop).exists()
    # the court's list has the shop's entry, but the public does not see it either
    assert effective_entries().filter(subject=shop).exists()
    assert not list_entries(ListType.objects.get(code="SXBZXR")).filter(subject=shop).exists()
    assert profile_entries(shop) == []


def shown_numbers(entries) -> set[str]:
    return {public_entry(e).document_number for e in entries}


def test_only_listed_entries_of_organisations_on_public_lists(city):
    everything = ListEntry.objects.all()
    public = {e.pk for t in public_lists() for e in list_entries(t)}
    assert public == {e.pk for e in effective_entries()
                      if e.list_type.public and e.subject_id != city.person.pk}
    assert city.recognised.pk in public
    hidden = everything.exclude(pk__in=public)
    # every kind of entry the public never sees is there in the database
    assert {Status.NOTICE, Status.EXITED} <= set(hidden.values_list("status", flat=True))
    assert hidden.filter(subject=city.person).count() == 2  # the court's and a console one
    assert hidden.filter(list_type__code="ZDGZ").count() == 2
    assert hidden.filter(status=Status.LISTED, valid_until__lt=TODAY).exists()  # lapsed
    shown = shown_numbers(e for t in public_lists() for e in list_entries(t))
    shown |= shown_numbers(profile_entries(city.haier) + profile_entries(city.other))
    assert not [n for n in shown if n.startswith("CANARY")]
    assert profile_entries(city.person) == []


def test_entries_leave_on_the_day_after_their_last(city):
    tqnmg = ListType.objects.get(code="TQNMG")
    entry = list_entries(tqnmg).get()
    assert entry in list_entries(tqnmg, entry.valid_until)
    assert entry not in list_entries(tqnmg, entry.valid_until + timedelta(days=1))
    assert entry not in list_entries(tqnmg, entry.listed_on - timedelta(days=1))


def test_entry_details_from_non_public_fields_are_left_out(city):
    market = ListType.objects.get(code="SCJG_YZWF")
    item = market.item
    item.fields = [{**f, "disclosure": "government"} if f["code"] == "YZ_WSH" else f
                   for f in item.fields]
    item.save()
    shown = public_entry(list_entries(market).get())
    assert shown.document_number == "" and shown.reason == "隐瞒真实情况取得登记"
    item.disclosure = "government"  # the whole item: its lists show nobody
    item.save()
    assert not list_entries(ListType.objects.get(code="SCJG_YZWF")).exists()


def test_a_notice_becomes_public_only_when_listed(city):
    firm = register_org("MA00DT01", "青岛告知测试有限公司")
    entry = recognise("SCJG_YZWF", firm, "scjgj", "青市监告〔2026〕5号", "虚假登记",
                      TODAY - timedelta(days=30))
    market = ListType.objects.get(code="SCJG_YZWF")
    assert entry not in list_entries(market)
    confirm_listing(entry, listed_on=TODAY, actor="test")
    assert entry in list_entries(market)
    assert "SCJG_YZWF" in {e.list_type.code for e in profile_entries(firm)}


def test_only_public_fields_and_masks(city):
    record = public_records(subject=city.haier).get(fields__CF_WSH=city.penalty_number)
    shown = public_record(record)
    codes = {code for code, _, _ in shown.fields}
    assert "CF_WSH" in codes and "CF_FRDB" in codes
    assert not codes & {"CF_FR_ZJHM", "CF_FR_ZJLX", "CF_CFCX"}
    assert shown.department == "青岛市市场监督管理局" and shown.section == "administrative"


def test_data_as_of_is_the_latest_change_to_credit_data(city):
    latest = Entry.objects.filter(object_type__in=("record", "list_entry")).latest("seq")
    assert data_as_of() == latest.at
    cache.clear()
    firm = register_org("MA00DT02", "青岛时点测试有限公司")
    entry = recognise("SCJG_YZWF", firm, "scjgj", "青市监告〔2026〕6号", "虚假登记",
                      TODAY - timedelta(days=30))  # a console decision is credit data too
    assert data_as_of() == Entry.objects.filter(object_type="list_entry",
                                                object_id=str(entry.pk)).latest("seq").at
