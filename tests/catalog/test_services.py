"""Read helpers: disclosure by subject kind, publicity rules by date, measures by trigger."""

from datetime import date

import pytest

from xinyong.catalog import conditions
from xinyong.catalog.models import InformationItem
from xinyong.catalog.services import (
    effective_disclosure,
    find,
    get_item,
    get_list_type,
    measures_for,
    publicity_rule,
)


@pytest.mark.django_db
def test_effective_disclosure_hides_natural_persons(qingdao_catalog):
    penalty = get_item("XZCF")
    assert effective_disclosure(penalty, "enterprise") == "public"
    assert effective_disclosure(penalty, "person") == "authorised"
    assert effective_disclosure(penalty, "enterprise", "CF_XDR_ZJHM") == "government"
    assert effective_disclosure(penalty, "person", "CF_CFCX") == "internal"
    debtors = get_item("SXBZXR")
    assert effective_disclosure(debtors, "person") == "public"
    assert effective_disclosure(debtors, "person", "SX_ZJHM") == "authorised"
    with pytest.raises(KeyError):
        effective_disclosure(penalty, "person", "NOPE")


@pytest.mark.django_db
@pytest.mark.parametrize(("on", "code"), [
    (date(2020, 1, 1), "ndrc_2019_527"), (date(2024, 1, 1), "ndrc_order_58"),
    (date(2025, 7, 1), "gbf_2025_22"), (date(2026, 5, 1), "ndrc_order_36"),
    (None, "gbf_2025_22"),
])
def test_publicity_rule_in_force(qingdao_catalog, on, code):
    assert publicity_rule("penalty", on).code == code


@pytest.mark.django_db
def test_publicity_rule_periods_and_scope(qingdao_catalog):
    rule = publicity_rule("penalty")
    assert rule.periods["serious"]["min_months"] == 12
    assert rule.periods["general"]["max_months"] == 12
    gsxt = publicity_rule("penalty", date(2024, 1, 1), scope="market_supervision")
    assert gsxt.code == "samr_order_45"


@pytest.mark.django_db
def test_measures_for_a_list_and_matter(qingdao_catalog):
    codes = {m.code for m in measures_for(list_types=["SXBZXR"], matter="procurement")}
    assert "PROCUREMENT_BAN" in codes and "GREEN_CHANNEL" not in codes
    red = {m.code for m in measures_for(list_types=["NSXY_A"])}
    assert "GREEN_CHANNEL" in red and all(m.is_incentive for m in measures_for(
        list_types=["NSXY_A"]))
    by_behaviour = {m.code for m in measures_for(behaviours=["XZCF_SERIOUS"])}
    assert {"STRICT_REVIEW", "KEY_SUPERVISION"} <= by_behaviour


@pytest.mark.django_db
def test_lookups(qingdao_catalog):
    assert get_list_type("JYYC").department.code == "scjgj"
    assert isinstance(find("XZCF"), InformationItem)
    assert find("scjgj").name == "青岛市市场监督管理局"
    assert find("NOPE") is None
    with pytest.raises(InformationItem.DoesNotExist):
        get_item("NOPE")


@pytest.mark.django_db
def test_conditions_of_the_penalty_item(qingdao_catalog):
    fields = {f["code"]: f for f in get_item("XZCF").fields}
    fine = fields["CF_NR_FK"]["condition"]
    assert conditions.evaluate(fine, {"CF_CFLB": ["警告", "罚款"]})
    assert not conditions.evaluate(fine, {"CF_CFLB": ["警告"]})
    code = fields["CF_XDR_SHXYM"]["condition"]
    assert conditions.evaluate(code, {"CF_XDR_LB": "个体工商户"})
    assert not conditions.evaluate(code, {"CF_XDR_LB": "自然人"})
    assert conditions.describe(fine) == "CF_CFLB contains 罚款"


@pytest.mark.parametrize(("predicate", "record", "expected"), [
    ({"field": "A", "equals": "x"}, {"A": "x"}, True),
    ({"field": "A", "equals": "x"}, {"A": "xy"}, False),
    ({"field": "A", "contains": "x"}, {"A": "axb"}, True),
    ({"field": "A", "present": True}, {"A": "  "}, False),
    ({"field": "A", "present": False}, {}, True),
    ({"all": [{"field": "A", "equals": "1"}, {"field": "B", "in": ["2", "3"]}]},
     {"A": "1", "B": "3"}, True),
    ({"any": [{"field": "A", "equals": "1"}, {"field": "B", "equals": "2"}]}, {"B": "2"}, True),
    ({"not": {"field": "A", "contains_any": ["x", "y"]}}, {"A": ["z"]}, True),
])
def test_evaluate(predicate, record, expected):
    assert conditions.evaluate(predicate, record) is expected
    assert conditions.fields_named(predicate) <= {"A", "B"}
