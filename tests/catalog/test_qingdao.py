"""The shipped Qingdao catalog: error-free and complete where the standards say so."""

import pytest

from xinyong.catalog.loader import parse_catalog
from xinyong.catalog.models import Department, InformationItem, ListType, Measure

from .conftest import QINGDAO_DIR

# domain.md §2.2: M = true, C = conditional, O = false.
PENALTY_FIELDS = {
    "CF_XDR_MC": True, "CF_XDR_LB": True, "CF_XDR_SHXYM": "conditional",
    "CF_XDR_GSZC": "conditional", "CF_XDR_ZZJG": False, "CF_XDR_SWDJ": False,
    "CF_XDR_SYDW": False, "CF_XDR_SHZZ": False, "CF_FRDB": "conditional", "CF_FR_ZJLX": False,
    "CF_FR_ZJHM": False, "CF_XDR_ZJLX": "conditional", "CF_XDR_ZJHM": "conditional",
    "CF_WSH": True, "CF_WFXW": True, "CF_SY": True, "CF_YJ": True, "CF_CFLB": True,
    "CF_NR": True, "CF_NR_FK": "conditional", "CF_NR_WFFF": "conditional",
    "CF_NR_ZKDX": "conditional", "CF_JDRQ": True, "CF_YXQ": True, "CF_GSJZQ": False,
    "CF_CFJG": True, "CF_CFJGDM": True, "CF_SJLY": True, "CF_SJLYDM": True, "BZ": False,
}
LICENCE_FIELDS = {
    "XK_XDR_MC": True, "XK_XDR_LB": True, "XK_XDR_SHXYM": "conditional",
    "XK_XDR_GSZC": "conditional", "XK_XDR_ZZJG": False, "XK_XDR_SWDJ": False,
    "XK_XDR_SYDW": False, "XK_XDR_SHZZ": False, "XK_FRDB": "conditional", "XK_FR_ZJLX": False,
    "XK_FR_ZJHM": False, "XK_XDR_ZJLX": "conditional", "XK_XDR_ZJHM": "conditional",
    "XK_XKWS": True, "XK_WSH": True, "XK_XKLB": True, "XK_XKZS": False, "XK_XKBH": False,
    "XK_NR": True, "XK_JDRQ": True, "XK_YXQZ": True, "XK_YXQZI": True, "XK_XKJG": True,
    "XK_XKJGDM": True, "XK_ZT": True, "XK_LYDW": True, "XK_LYDWDM": True, "BZ": False,
}
PENALTY_CATEGORIES = ["警告", "通报批评", "罚款", "没收违法所得", "没收非法财物",
                      "暂扣许可证件", "降低资质等级", "吊销许可证件", "限制开展生产经营活动",
                      "责令停产停业", "责令关闭", "限制从业", "行政拘留"]
DISTRICTS = {"370202": "市南区", "370203": "市北区", "370211": "黄岛区", "370212": "崂山区",
             "370213": "李沧区", "370214": "城阳区", "370215": "即墨区", "370281": "胶州市",
             "370283": "平度市", "370285": "莱西市"}


def test_shipped_catalog_has_no_errors():
    result = parse_catalog(QINGDAO_DIR)
    assert [str(e) for e in result.errors] == []
    assert result.catalog.header["city"] == "青岛市"
    assert result.catalog.header["division"] == "370200"


@pytest.mark.django_db
def test_loads_everything(qingdao_catalog):
    assert qingdao_catalog.created and qingdao_catalog.version.number == 1
    assert Department.objects.count() >= 50
    assert InformationItem.objects.count() >= 10
    assert ListType.objects.filter(kind="red").count() >= 2
    assert 15 <= Measure.objects.count() <= 25


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "expected"), [("XZCF", PENALTY_FIELDS),
                                                ("XZXK", LICENCE_FIELDS)])
def test_double_publicity_items_have_every_standard_field(qingdao_catalog, code, expected):
    item = InformationItem.objects.get(code=code)
    required = {f["code"]: f["required"] for f in item.fields}
    assert {k: required.get(k) for k in expected} == expected


@pytest.mark.django_db
def test_penalty_item_rules(qingdao_catalog):
    item = InformationItem.objects.get(code="XZCF")
    assert set(PENALTY_CATEGORIES) <= set(item.field("CF_CFLB")["values"])
    assert "暂扣或者吊销许可证、暂扣或者吊销执照" in item.field("CF_CFLB")["legacy_values"]
    assert item.field("CF_NR_FK")["condition"] == {
        "when": {"field": "CF_CFLB", "contains": "罚款"}}
    assert item.field("CF_XDR_LB")["values"] == ["法人及非法人组织", "自然人", "个体工商户"]
    assert item.field("CF_SXCD")["values"] == ["轻微", "一般", "严重"]
    assert item.severity_map == {"轻微": "minor", "一般": "general", "严重": "serious"}
    assert item.business_key == ["CF_WSH", "CF_CFJGDM"]


@pytest.mark.django_db
def test_licence_categories_and_long_term(qingdao_catalog):
    item = InformationItem.objects.get(code="XZXK")
    assert item.field("XK_XKLB")["values"] == ["普通", "特许", "认可", "核准", "登记", "其他"]
    assert item.field("XK_YXQZI")["long_term"] == "2099-12-31"


@pytest.mark.django_db
def test_identity_numbers_are_never_public(qingdao_catalog):
    for item in InformationItem.objects.all():
        for field in item.fields:
            if field["personal"]:
                assert field["disclosure"] != "public", (item.code, field["code"])
        if item.code != "SXBZXR":
            assert "person" not in item.public_for, item.code


@pytest.mark.django_db
def test_departments_include_the_ten_districts(qingdao_catalog):
    districts = dict(Department.objects.filter(kind="district")
                     .values_list("division", "short_name"))
    assert districts == DISTRICTS
    assert Department.objects.get(code="sw").kind == "vertical"
    assert Department.objects.get(code="xyzx").parent.code == "fgw"
    assert not Department.objects.exclude(uscc="").exists()


@pytest.mark.django_db
def test_every_list_type_states_exits_and_basis(qingdao_catalog):
    for list_type in ListType.objects.all():
        assert list_type.exit_rules and list_type.legal_basis.strip(), list_type.code
    assert ListType.objects.get(code="JYYC").escalation["to"] == "SCJG_YZWF"


@pytest.mark.django_db
def test_measures_cover_all_categories(qingdao_catalog):
    categories = set(Measure.objects.values_list("category", flat=True))
    assert categories == {"rights_reducing", "management", "non_public", "incentive"}
    assert all(m.departments.exists() or m.implementers for m in Measure.objects.all())
