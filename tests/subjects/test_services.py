from datetime import date

import pytest

from xinyong.core.identifiers import make_uscc
from xinyong.journal.models import Entry
from xinyong.journal.services import verify
from xinyong.subjects.models import Base, FormerName, LegacyIdentifier, Organisation
from xinyong.subjects.services import (
    NewSubject,
    SubjectError,
    find_by_code,
    register_subject,
    update_subject,
)

pytestmark = pytest.mark.django_db


def test_organisation_lands_in_the_enterprise_database(company):
    assert company.base == Base.ENTERPRISE and company.subject_type == "企业"
    assert company.division == "370212"
    assert Organisation.objects.get(subject=company).legal_representative == "王海"
    schemes = set(LegacyIdentifier.objects.filter(subject=company).values_list("scheme", "value"))
    assert ("org_code", company.code[8:17]) in schemes
    assert ("registration_number", "370212000123456") in schemes
    entry = Entry.objects.get(object_type="subject", object_id=company.code)
    assert entry.action == "create" and entry.new["legal_representative"] == "王海"


def test_kind_follows_authority_and_category(db):
    union = register_subject(NewSubject(code=make_uscc("5", "1", "370200", "50123456"),
                                        name="青岛市摄影家协会"), actor="t")
    shop = register_subject(NewSubject(code=make_uscc("9", "2", "370203", "MA11AAAA"),
                                       name="市北区张记小吃店"), actor="t")
    assert (union.base, union.subject_type) == (Base.NON_ENTERPRISE, "社会团体")
    assert (shop.base, shop.subject_type) == (Base.ENTERPRISE, "个体工商户")


def test_person_derives_gender_and_birth_date(person):
    assert person.base == Base.PERSON
    assert person.birth_date == date(1985, 3, 9)
    assert person.gender == "male"  # sequence 123 is odd
    assert not Organisation.objects.filter(subject=person).exists()


@pytest.mark.parametrize("code", ["91370200MA3C4D5E0X", "12345", "00000000000000000X", "",
                                  "370202850230123"])
def test_bad_primary_codes_are_refused(db, code):
    with pytest.raises(SubjectError):
        register_subject(NewSubject(code=code, name="x"), actor="t")


def test_duplicates_are_refused(company):
    with pytest.raises(SubjectError, match="already exists"):
        register_subject(NewSubject(code=company.code.lower(), name="x"), actor="t")


def test_renaming_keeps_the_former_name_and_journals_both(company):
    update_subject(company, actor="user:clerk", reason="名称变更登记", changed_on=date(2024, 7, 1),
                   name="青岛海睿科技集团有限公司", address="山东省青岛市崂山区新路2号")
    former = FormerName.objects.get(subject=company)
    assert former.name == "青岛海睿智能科技有限公司" and former.valid_to == date(2024, 6, 30)
    entry = Entry.objects.filter(action="update").get()
    assert entry.old["name"] == "青岛海睿智能科技有限公司"
    assert entry.new["name"] == "青岛海睿科技集团有限公司"
    assert entry.new["address"] == "山东省青岛市崂山区新路2号" and entry.reason == "名称变更登记"
    assert verify().ok


def test_unknown_fields_and_person_registration_data_are_refused(company, person):
    with pytest.raises(SubjectError, match="unknown"):
        update_subject(company, actor="t", reason="r", colour="red")
    with pytest.raises(SubjectError, match="no registration data"):
        update_subject(person, actor="t", reason="r", address="x")


def test_find_by_code_accepts_variants(company, person):
    assert find_by_code(company.code.lower()) == company
    assert find_by_code(" " + company.code[:9] + " " + company.code[9:]) == company
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in company.code)
    assert find_by_code(fullwidth) == company
    assert find_by_code(company.code[8:16] + "-" + company.code[16]) == company  # org code
    assert find_by_code("370212000123456") == company  # registration number
    legacy_15 = person.code[:6] + person.code[8:17]
    assert find_by_code(legacy_15) == person
    assert find_by_code("nonsense") is None and find_by_code("") is None


def test_a_15_digit_resident_id_is_upgraded_and_kept(db):
    subject = register_subject(NewSubject(code="370202850309123", name="赵钱"), actor="t")
    assert subject.code == "370202198503091230"[:17] + subject.code[17]
    assert len(subject.code) == 18 and subject.birth_date == date(1985, 3, 9)
    assert find_by_code("370202850309123") == subject
    assert LegacyIdentifier.objects.get(subject=subject).scheme == "resident_id_15"
