from datetime import timedelta

import pytest

from xinyong.catalog.models import InformationItem
from xinyong.core.identifiers import make_uscc
from xinyong.journal.models import Entry
from xinyong.portal.disclosure import data_as_of, public_record, public_records, subject_kind
from xinyong.records.models import Record
from xinyong.records.services import revoke_record
from xinyong.subjects.services import NewSubject, register_subject

from ..recording import store_record
from .conftest import TODAY

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


def test_only_public_fields_and_masks(city):
    record = public_records(subject=city.haier).get(fields__CF_WSH=city.penalty_number)
    shown = public_record(record)
    codes = {code for code, _, _ in shown.fields}
    assert "CF_WSH" in codes and "CF_FRDB" in codes
    assert not codes & {"CF_FR_ZJHM", "CF_FR_ZJLX", "CF_CFCX"}
    assert shown.department == "青岛市市场监督管理局" and shown.section == "administrative"


def test_data_as_of_is_the_latest_change_to_credit_data(city):
    latest = Entry.objects.filter(object_type="record").latest("seq")
    assert data_as_of() == latest.at
