"""Validation of collected rows against the Qingdao catalog (pure: no database)."""

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.catalog import schema
from xinyong.catalog.conditions import evaluate
from xinyong.catalog.loader import parse_catalog
from xinyong.collection.validation import (
    FIELD_TYPES,
    ISSUES,
    SeenKeys,
    compile_condition,
    mark_duplicates,
    normalise_codes,
    validate,
)
from xinyong.collection.validation.conditions import describe_condition
from xinyong.collection.validation.identifiers import _org_codes_ok
from xinyong.core.identifiers import (
    USCC_PLACEHOLDER,
    make_org_code,
    make_resident_id,
    make_uscc,
    org_code_check_char,
)
from xinyong.core.text import normalize_code

CATALOG_DIR = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"
TODAY = date(2025, 6, 30)
COMPANY = make_uscc("9", "1", "370212", "MA3C4D5E")  # 91370212MA3C4D5E7D
AGENCY = make_uscc("1", "1", "370200", "00000001")
SHOP = make_uscc("9", "2", "370203", "L1234567")
PERSON = make_resident_id("370202", date(1985, 3, 9), 123)  # 370202198503091236


@pytest.fixture(scope="module")
def catalog():
    result = parse_catalog(CATALOG_DIR)
    assert result.ok, result.errors
    return result.catalog


@pytest.fixture(scope="module")
def items(catalog) -> dict[str, dict]:
    return {item["code"]: item for item in catalog.items}


def xzcf_row(**changes) -> dict:
    row = {
        "CF_XDR_MC": "青岛海睿智能科技有限公司", "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": COMPANY, "CF_FRDB": "王海", "CF_WSH": "青市监罚〔2024〕12号",
        "CF_WFXW": "虚假宣传", "CF_SY": "当事人在网店页面宣称产品获得国家专利，经查不实。",
        "CF_YJ": "《中华人民共和国广告法》第五十五条", "CF_CFLB": "罚款", "CF_NR": "罚款2000元",
        "CF_NR_FK": "0.2", "CF_JDRQ": "2024/03/05", "CF_YXQ": "2099/12/31",
        "CF_CFJG": "青岛市市场监督管理局", "CF_CFJGDM": AGENCY, "CF_SJLY": "青岛市市场监督管理局",
        "CF_SJLYDM": AGENCY,
    }
    row.update(changes)
    return row


def xzxk_row(**changes) -> dict:
    row = {
        "XK_XDR_MC": "青岛海睿智能科技有限公司", "XK_XDR_LB": "法人及非法人组织",
        "XK_XDR_SHXYM": COMPANY, "XK_FRDB": "王海", "XK_XKWS": "食品经营许可决定书",
        "XK_WSH": "青市监许〔2024〕88号", "XK_XKLB": "普通", "XK_XKZS": "食品经营许可证",
        "XK_XKBH": "JY13702120012345", "XK_NR": "预包装食品销售", "XK_JDRQ": "2024-03-05",
        "XK_YXQZ": "2024-03-05", "XK_YXQZI": "2029-03-04", "XK_XKJG": "青岛市市场监督管理局",
        "XK_XKJGDM": AGENCY, "XK_ZT": "正常", "XK_LYDW": "青岛市市场监督管理局",
        "XK_LYDWDM": AGENCY,
    }
    row.update(changes)
    return row


def frame(rows: list[dict], first_row: int = 2) -> pl.DataFrame:
    """A batch as the readers yield it: `__row__`, one Utf8 column per field, `__raw__`."""
    columns = sorted({key for row in rows for key in row})
    data = {c: pl.Series(c, [row.get(c) for row in rows], dtype=pl.Utf8) for c in columns}
    rows_no = pl.Series("__row__", range(first_row, first_row + len(rows)), dtype=pl.Int64)
    return pl.DataFrame([rows_no, *data.values()]).with_columns(__raw__=pl.lit("…"))


def check(items, rows: list[dict], item: str = "XZCF", **kwargs) -> list[dict]:
    return validate(frame(rows), items[item], today=TODAY, **kwargs).to_dicts()


def one(items, item: str = "XZCF", **changes) -> dict:
    row = (xzcf_row if item == "XZCF" else xzxk_row)(**changes)
    return check(items, [row], item)[0]


def codes(issues: list[dict]) -> list[tuple[str | None, str]]:
    return [(i["field"], i["code"]) for i in issues]


def messages(issues: list[dict]) -> list[str]:
    return [i["message"] for i in issues]


# ---- valid rows --------------------------------------------------------------------------


def test_valid_xzcf_row_has_no_findings_and_canonical_values(items):
    row = one(items, CF_CFLB="警告；罚款", CF_NR_FK="0.20", CF_JDRQ="2024/3/5")
    assert row["__errors__"] == [] and row["__warnings__"] == []
    assert row["CF_CFLB"] == "警告;罚款"  # catalog order, joined with ";"
    assert row["CF_NR_FK"] == "0.2"
    assert row["CF_JDRQ"] == "2024-03-05" and row["CF_YXQ"] == "2099-12-31"
    assert row["CF_XDR_SHXYM"] == COMPANY and row["__row__"] == 2 and row["__raw__"] == "…"


def test_valid_xzxk_row(items):
    row = one(items, "XZXK", XK_JDRQ="2024年3月5日")
    assert row["__errors__"] == [] and row["__warnings__"] == []
    assert row["XK_JDRQ"] == "2024-03-05" and row["XK_YXQZI"] == "2029-03-04"


def test_result_shape(items):
    result = validate(frame([xzcf_row()]), items["XZCF"], today=TODAY)
    assert result.schema["__errors__"] == ISSUES and result.schema["__warnings__"] == ISSUES
    field_codes = [f["code"] for f in items["XZCF"]["fields"]]
    assert set(field_codes) <= set(result.columns)  # absent fields are added (null)
    assert result["CF_GSJZQ"].to_list() == [None]
    assert result.columns[0] == "__row__" and result.columns[-2:] == ["__errors__", "__warnings__"]


def test_field_types_cover_the_catalog_schema():
    assert set(FIELD_TYPES) == set(schema.FIELD_TYPES)


def test_empty_batch(items):
    empty = frame([xzcf_row()]).clear()
    result = validate(empty, items["XZCF"], today=TODAY)
    assert result.height == 0 and result.schema["__errors__"] == ISSUES


def test_non_text_columns_are_read_as_text(items):
    batch = frame([xzcf_row()]).with_columns(CF_NR_FK=pl.lit(2, pl.Int64))
    row = validate(batch, items["XZCF"], today=TODAY).to_dicts()[0]
    assert row["CF_NR_FK"] == "2" and row["__errors__"] == []


# ---- required and conditional fields -----------------------------------------------------


def test_required_field_missing(items):
    row = one(items, CF_XDR_MC=None)
    assert row["__errors__"] == [{"field": "CF_XDR_MC", "code": "required",
                                  "message": "行政相对人名称（CF_XDR_MC）必填"}]


def test_required_column_absent_from_the_file(items):
    row = xzcf_row()
    del row["CF_WFXW"]
    assert codes(check(items, [row])[0]["__errors__"]) == [("CF_WFXW", "required")]


def test_whitespace_only_counts_as_blank(items):
    assert codes(one(items, CF_XDR_MC=" \u3000 ")["__errors__"]) == [("CF_XDR_MC", "required")]


def test_fine_required_when_penalty_includes_fine(items):
    row = one(items, CF_NR_FK=None, CF_CFLB="警告;罚款")
    assert messages(row["__errors__"]) == ["罚款金额（万元）（CF_NR_FK）必填：处罚类别包含“罚款”"]


def test_fine_not_required_without_fine(items):
    assert one(items, CF_NR_FK=None, CF_CFLB="警告")["__errors__"] == []


def test_confiscation_amount_required_by_legacy_category(items):
    row = one(items, CF_CFLB="没收违法所得、没收非法财物")
    assert codes(row["__errors__"]) == [("CF_NR_WFFF", "required")]
    assert "处罚类别包含“没收违法所得”、“没收非法财物”或“没收违法所得、没收非法财物”" in \
        row["__errors__"][0]["message"]


def jyyc_row(**changes) -> dict:
    return {"JY_QYMC": "青岛海睿智能科技有限公司", "JY_TYSHXYDM": COMPANY, "JY_FDDBR": "王海",
            "JY_LRYY": "未按照规定的期限公示年度报告", "JY_LRRQ": "2023-07-01",
            "JY_LRJG": "青岛市崂山区市场监督管理局", **changes}


@pytest.mark.parametrize(("removed", "required"), [(None, False), ("2024-02-01", True),
                                                   ("不是日期", True)])
def test_fields_required_when_another_is_present(items, removed, required):
    row = check(items, [jyyc_row(JY_YCRQ=removed)], "JYYC")[0]
    expected = [("JY_YCYY", "required"), ("JY_YCJG", "required")] if required else []
    assert [c for c in codes(row["__errors__"]) if c[1] == "required"] == expected
    if required:
        assert row["__errors__"][-2]["message"] == (
            "移出经营异常名录原因（JY_YCYY）必填：移出日期已填写")


def test_codes_required_by_subject_kind(items):
    row = one(items, CF_XDR_SHXYM=None, CF_FRDB=None)
    assert codes(row["__errors__"]) == [("CF_XDR_SHXYM", "required"), ("CF_FRDB", "required")]
    assert row["__errors__"][0]["message"] == (
        "行政相对人代码_1（统一社会信用代码）（CF_XDR_SHXYM）必填："
        "行政相对人类别为“法人及非法人组织”或“个体工商户”")


def test_natural_person_needs_document_not_uscc(items):
    person = {"CF_XDR_LB": "自然人", "CF_XDR_SHXYM": None, "CF_FRDB": None}
    row = one(items, **person)
    assert codes(row["__errors__"]) == [("CF_XDR_ZJLX", "required"), ("CF_XDR_ZJHM", "required")]
    row = one(items, **person, CF_XDR_ZJLX="身份证", CF_XDR_ZJHM=PERSON.lower())
    assert row["__errors__"] == [] and row["CF_XDR_ZJHM"] == PERSON


# ---- identifiers -------------------------------------------------------------------------


def test_uscc_is_normalised(items):
    spaced = f" {COMPANY[:9].lower()} - {COMPANY[9:]}".replace("9", "９", 1)
    row = one(items, CF_XDR_SHXYM=spaced)
    assert row["__errors__"] == [] and row["CF_XDR_SHXYM"] == COMPANY


def test_uscc_wrong_check_character_is_a_warning(items):
    wrong = COMPANY[:17] + "0"
    row = one(items, CF_XDR_SHXYM=wrong)
    assert row["__errors__"] == []
    assert row["__warnings__"] == [{
        "field": "CF_XDR_SHXYM", "code": "check_char",
        "message": f"行政相对人代码_1（统一社会信用代码）（CF_XDR_SHXYM）“{wrong}”"
                   "校验位应为D，实为0（可由报送人员说明理由后确认）"}]


def test_uscc_wrong_embedded_organisation_check_character_is_a_warning(items):
    first17 = COMPANY[:16] + ("0" if COMPANY[16] != "0" else "1")
    from xinyong.core.identifiers import uscc_check_char

    code = first17 + uscc_check_char(first17)
    row = one(items, CF_XDR_SHXYM=code)
    assert codes(row["__warnings__"]) == [("CF_XDR_SHXYM", "check_char")]
    assert "第17位（所含组织机构代码的校验位）应为7" in row["__warnings__"][0]["message"]


@pytest.mark.parametrize(("value", "why"), [
    ("91370212MA3C4D5E7", "长度为17位，应为18位"),
    ("91370212MA3C4D5EID", "含有不允许的字符"),
    ("9137A212MA3C4D5E7D", "含有不允许的字符"),
])
def test_malformed_uscc_is_an_error(items, value, why):
    row = one(items, CF_XDR_SHXYM=value)
    assert codes(row["__errors__"]) == [("CF_XDR_SHXYM", "invalid")]
    assert f"“{value}”不是有效的统一社会信用代码：{why}" in row["__errors__"][0]["message"]


def test_unknown_authority_is_a_warning(items):
    from xinyong.core.identifiers import _org_check, _uscc_check

    first17 = "B1370212MA3C4D5E" + _org_check("MA3C4D5E")
    row = one(items, CF_XDR_SHXYM=first17 + _uscc_check(first17))
    assert row["__errors__"] == []
    assert codes(row["__warnings__"]) == [("CF_XDR_SHXYM", "authority")]
    assert "前两位“B1”" in row["__warnings__"][0]["message"]


def test_placeholder_for_individual_business_with_registration_number(items):
    row = one(items, CF_XDR_LB="个体工商户", CF_XDR_SHXYM=USCC_PLACEHOLDER,
              CF_XDR_GSZC="370203600123456")
    assert row["__errors__"] == [] and row["__warnings__"] == []


def test_placeholder_needs_registration_number(items):
    row = one(items, CF_XDR_LB="个体工商户", CF_XDR_SHXYM=USCC_PLACEHOLDER)
    assert messages(row["__errors__"]) == [
        "行政相对人代码_2（工商注册号）（CF_XDR_GSZC）必填："
        "行政相对人代码_1（统一社会信用代码）为“00000000000000000X”"]


def test_placeholder_not_for_legal_persons(items):
    row = one(items, CF_XDR_SHXYM=USCC_PLACEHOLDER, CF_XDR_GSZC="370203600123456")
    assert codes(row["__errors__"]) == [("CF_XDR_SHXYM", "placeholder")]
    assert "本行行政相对人类别为“法人及非法人组织”" in row["__errors__"][0]["message"]


def test_placeholder_not_for_the_deciding_authority(items):
    row = one(items, CF_CFJGDM=USCC_PLACEHOLDER)
    assert codes(row["__errors__"]) == [("CF_CFJGDM", "placeholder")]
    assert row["__errors__"][0]["message"].endswith("本字段不能使用")


@pytest.mark.parametrize(("value", "ok"), [
    ("370203600123456", True), ("3702036001234", True), ("37020360012345", False),
    ("37020360012345A", False)])
def test_registration_number_format(items, value, ok):
    row = one(items, CF_XDR_LB="个体工商户", CF_XDR_SHXYM=USCC_PLACEHOLDER, CF_XDR_GSZC=value)
    assert codes(row["__errors__"]) == ([] if ok else [("CF_XDR_GSZC", "invalid")])


def test_organisation_code(items):
    code = make_org_code("MA3C4D5E")
    assert one(items, CF_XDR_ZZJG=f"{code[:8]}-{code[8]}")["CF_XDR_ZZJG"] == code
    wrong = one(items, CF_XDR_ZZJG=code[:8] + "0")
    assert codes(wrong["__warnings__"]) == [("CF_XDR_ZZJG", "check_char")]
    assert "校验位应为7，实为0" in wrong["__warnings__"][0]["message"]
    bad = one(items, CF_XDR_ZZJG="MA3C4D5")
    assert codes(bad["__errors__"]) == [("CF_XDR_ZZJG", "invalid")]


def natural(**changes) -> dict:
    return {"CF_XDR_LB": "自然人", "CF_XDR_SHXYM": None, "CF_FRDB": None,
            "CF_XDR_ZJLX": "身份证", **changes}


def test_resident_id_wrong_check_character_is_a_warning(items):
    row = one(items, **natural(CF_XDR_ZJHM=PERSON[:17] + "0"))
    assert row["__errors__"] == []
    assert codes(row["__warnings__"]) == [("CF_XDR_ZJHM", "check_char")]
    assert "校验位应为6，实为0" in row["__warnings__"][0]["message"]


@pytest.mark.parametrize("value", ["37020219850309123", "3702021985030912A6", "12345"])
def test_malformed_resident_id_is_an_error(items, value):
    row = one(items, **natural(CF_XDR_ZJHM=value))
    assert codes(row["__errors__"]) == [("CF_XDR_ZJHM", "invalid")]
    assert "不是有效的公民身份号码" in row["__errors__"][0]["message"]


def test_resident_id_fifteen_digits(items):
    row = one(items, **natural(CF_XDR_ZJHM="370202850309123"))
    assert row["__errors__"] == [] and row["__warnings__"] == []


def test_resident_id_impossible_birth_date(items):
    first17 = "370202" + "19851309" + "123"
    from xinyong.core.identifiers import resident_id_check_char

    row = one(items, **natural(CF_XDR_ZJHM=first17 + resident_id_check_char(first17)))
    assert codes(row["__errors__"]) == [("CF_XDR_ZJHM", "invalid")]
    assert "出生日期码“19851309”" in row["__errors__"][0]["message"]


def test_resident_id_unknown_division_is_a_warning(items):
    from xinyong.core.identifiers import resident_id_check_char

    first17 = "990000" + "19850309" + "123"
    row = one(items, **natural(CF_XDR_ZJHM=first17 + resident_id_check_char(first17)))
    assert row["__errors__"] == []
    assert codes(row["__warnings__"]) == [("CF_XDR_ZJHM", "division")]


def test_other_documents_are_checked_for_length_only(items):
    row = one(items, **natural(CF_XDR_ZJLX="护照号", CF_XDR_ZJHM="e1234567"))
    assert row["__errors__"] == [] and row["CF_XDR_ZJHM"] == "E1234567"
    row = one(items, **natural(CF_XDR_ZJLX="其他-军官证", CF_XDR_ZJHM="南字第123号"))
    assert row["__errors__"] == [] and row["CF_XDR_ZJLX"] == "其他-军官证"
    long = one(items, **natural(CF_XDR_ZJLX="护照号", CF_XDR_ZJHM="A" * 65))
    assert codes(long["__errors__"]) == [("CF_XDR_ZJHM", "too_long")]


# ---- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "2024/03/05", "2024/3/5", "2024-03-05", "2024-3-5", "2024.03.05", "2024.3.5", "20240305",
    "2024年3月5日", "2024年03月05日", "２０２４／３／５", "2024-03-05 00:00:00", "45356",
    "45356.5"])
def test_date_spellings(items, value):
    row = one(items, CF_JDRQ=value)
    assert row["__errors__"] == [] and row["CF_JDRQ"] == "2024-03-05"


@pytest.mark.parametrize(("serial", "expected"), [
    ("1", "1900-01-01"), ("59", "1900-02-28"), ("61", "1900-03-01"), ("73050", "2099-12-31")])
def test_excel_serial_numbers(items, serial, expected):
    row = one(items, CF_GSJZQ=serial)
    assert row["CF_GSJZQ"] == expected
    # CF_GSJZQ is not_before CF_JDRQ (2024/03/05): the 1900 dates are also out of order.
    order = [] if expected >= "2024-03-05" else [("CF_GSJZQ", "date_order")]
    assert codes(row["__errors__"]) == order


def test_largest_excel_serial_is_out_of_range(items):
    row = one(items, CF_GSJZQ="2958465")
    assert row["CF_GSJZQ"] == "9999-12-31"
    assert codes(row["__errors__"]) == [("CF_GSJZQ", "date_range")]
    assert codes(one(items, CF_GSJZQ="2958466")["__errors__"]) == [("CF_GSJZQ", "invalid")]


def test_a_bare_year_read_as_a_serial_is_a_warning(items):
    row = one(items, CF_GSJZQ="2024")
    assert row["CF_GSJZQ"] == "1905-07-16"
    # the misread date is also earlier than CF_JDRQ, which CF_GSJZQ may not precede
    assert codes(row["__errors__"]) == [("CF_GSJZQ", "date_order")]
    assert row["__warnings__"] == [{
        "field": "CF_GSJZQ", "code": "serial_date",
        "message": "公示截止期（CF_GSJZQ）“2024”按Excel日期序列号读作1905-07-16，早于1949-10-01，"
                   "请核对是否填写有误"}]
    assert one(items, CF_GSJZQ="45000")["__warnings__"] == []


def test_excel_serial_60_is_rejected(items):
    row = one(items, CF_GSJZQ="60")
    assert messages(row["__errors__"]) == [
        "公示截止期（CF_GSJZQ）“60”是Excel日期序列号60，对应Excel虚构的1900年2月29日，不是有效日期"]


@pytest.mark.parametrize("value", ["2024/13/01", "2023-02-29", "2024/1", "明天", "0", "1e5"])
def test_invalid_dates(items, value):
    row = one(items, CF_JDRQ=value)
    assert row["__errors__"][0] == {
        "field": "CF_JDRQ", "code": "invalid",
        "message": f"处罚决定日期（CF_JDRQ）“{value}”不是有效日期，应为 YYYY/MM/DD 或 YYYY-MM-DD"}
    assert row["CF_JDRQ"] == value  # kept as found


def test_long_term(items):
    assert one(items, CF_YXQ="2099/12/31")["CF_YXQ"] == "2099-12-31"
    row = one(items, CF_YXQ="长期")
    assert row["__errors__"] == [] and row["CF_YXQ"] == "2099-12-31"
    assert codes(one(items, CF_JDRQ="长期")["__errors__"]) == [("CF_JDRQ", "invalid")]


def test_dates_out_of_range(items):
    row = one(items, CF_YXQ="9999-12-31")
    assert codes(row["__errors__"]) == [("CF_YXQ", "date_range")]
    assert row["__errors__"][0]["message"] == (
        "处罚有效期（CF_YXQ）“9999-12-31”超出可接受的日期范围（1900-01-01至2099-12-31）"
        "；长期有效请填2099/12/31或“长期”")
    assert codes(one(items, CF_GSJZQ="1899-12-31")["__errors__"]) == [("CF_GSJZQ", "date_range")]


def test_decision_date_in_the_future(items):
    row = one(items, CF_JDRQ="2025/07/01")
    assert row["__errors__"] == [{
        "field": "CF_JDRQ", "code": "future_date",
        "message": "处罚决定日期（CF_JDRQ）“2025/07/01”晚于今天（2025-06-30），"
                   "决定日期不能是将来的日期"}]
    assert one(items, CF_JDRQ="2025-06-30")["__errors__"] == []


def test_decision_date_before_1949(items):
    row = one(items, CF_JDRQ="1949-09-30")
    assert messages(row["__errors__"]) == ["处罚决定日期（CF_JDRQ）“1949-09-30”早于1949-10-01"]


def test_validity_end_before_decision(items):
    row = one(items, CF_YXQ="2024-03-04")
    assert row["__errors__"] == [{
        "field": "CF_YXQ", "code": "date_order",
        "message": "处罚有效期（CF_YXQ）“2024-03-04”早于处罚决定日期（CF_JDRQ）“2024/03/05”"}]
    assert one(items, CF_YXQ="2024-03-05")["__errors__"] == []


def test_not_before_in_a_field_spec(items):
    item = dict(items["XZXK"])
    item["fields"] = [dict(f, not_before="XK_YXQZ") if f["code"] == "XK_YXQZI" else f
                      for f in item["fields"]]
    rows = [xzxk_row(XK_YXQZ="2024-04-01", XK_YXQZI="2024-03-31"), xzxk_row(XK_WSH="2")]
    result = validate(frame(rows), item, today=TODAY).to_dicts()
    assert messages(result[0]["__errors__"]) == [
        "有效期至（XK_YXQZI）“2024-03-31”早于有效期自（XK_YXQZ）“2024-04-01”"]
    assert result[1]["__errors__"] == []


def test_qingdao_validity_to_not_before_validity_from(items):
    spec = next(f for f in items["XZXK"]["fields"] if f["code"] == "XK_YXQZI")
    assert spec["not_before"] == "XK_YXQZ"
    rows = [xzxk_row(XK_YXQZ="2024-04-01", XK_YXQZI="2024-03-31"),
            xzxk_row(XK_WSH="2", XK_YXQZ="2024-03-31", XK_YXQZI="2024-04-01")]
    result = validate(frame(rows), items["XZXK"], today=TODAY).to_dicts()
    assert result[0]["__errors__"] == [{
        "field": "XK_YXQZI", "code": "date_order",
        "message": "有效期至（XK_YXQZI）“2024-03-31”早于有效期自（XK_YXQZ）“2024-04-01”"}]
    assert result[1]["__errors__"] == []


# ---- enums -------------------------------------------------------------------------------


def test_enum_value_not_allowed(items):
    row = one(items, CF_XDR_LB="企业")
    assert row["__errors__"][0] == {
        "field": "CF_XDR_LB", "code": "invalid",
        "message": "行政相对人类别（CF_XDR_LB）“企业”不是允许的值，"
                   "应为“法人及非法人组织”、“自然人”、“个体工商户”"}


def test_legacy_enum_values_are_accepted_as_they_are(items):
    assert one(items, "XZXK", XK_ZT="1")["__errors__"] == []
    row = one(items, CF_CFLB="暂扣或者吊销许可证、暂扣或者吊销执照", CF_NR_FK=None)
    assert codes(row["__errors__"]) == [("CF_NR_ZKDX", "required")]
    assert row["CF_CFLB"] == "暂扣或者吊销许可证、暂扣或者吊销执照"


@pytest.mark.parametrize("value", [
    "罚款,警告", "罚款，警告", "罚款、警告", "罚款;警告", "罚款；警告", " 警告 ; 罚款;",
    "罚款;警告;罚款"])
def test_multi_enum_separators(items, value):
    row = one(items, CF_CFLB=value)
    assert row["__errors__"] == [] and row["CF_CFLB"] == "警告;罚款"


def test_multi_enum_keeps_values_containing_a_separator_whole(items):
    row = one(items, CF_CFLB="罚款、没收违法所得、没收非法财物", CF_NR_WFFF="1")
    assert row["__errors__"] == []
    assert row["CF_CFLB"] == "罚款;没收违法所得、没收非法财物"
    row = one(items, CF_CFLB="罚款、没收违法所得", CF_NR_WFFF="1")
    assert row["CF_CFLB"] == "罚款;没收违法所得"


def test_multi_enum_unknown_part(items):
    row = one(items, CF_CFLB="罚款;训诫;罚款金额")
    assert codes(row["__errors__"]) == [("CF_CFLB", "invalid")]
    assert row["__errors__"][0]["message"].startswith(
        "处罚类别（CF_CFLB）“罚款;训诫;罚款金额”中的“训诫”、“罚款金额”不是允许的值")
    assert row["CF_CFLB"] == "罚款;训诫;罚款金额"


# ---- numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "canonical"), [
    ("0.2", "0.2"), ("0.20", "0.2"), ("00.5", "0.5"), (".5", "0.5"), ("5.", "5"), ("+3", "3"),
    ("1,234.50", "1234.5"), ("0.2万元", "0.2"), ("０.２", "0.2"), ("0", "0"), ("-0", "0"),
    ("0.123456", "0.123456"), ("0.1234560", "0.123456")])
def test_decimal_canonical(items, value, canonical):
    row = one(items, CF_NR_FK=value)
    assert row["__errors__"] == [] and row["CF_NR_FK"] == canonical


NOT_A_NUMBER = "不是有效数字（单位为万元）"


@pytest.mark.parametrize(("value", "code", "what"), [
    ("-1", "negative", "不能为负数"), ("0.1234567", "scale", "小数位数超过6位"),
    ("abc", "invalid", NOT_A_NUMBER), ("2E-1", "invalid", NOT_A_NUMBER),
    ("1,23", "invalid", NOT_A_NUMBER), ("2000元", "invalid", NOT_A_NUMBER)])
def test_decimal_errors(items, value, code, what):
    row = one(items, CF_NR_FK=value)
    assert row["__errors__"] == [{"field": "CF_NR_FK", "code": code,
                                  "message": f"罚款金额（万元）（CF_NR_FK）“{value}”{what}"}]


def nsxy_row(year: str) -> dict:
    return {"NS_NSRSBH": COMPANY, "NS_NSRMC": "青岛海睿智能科技有限公司", "NS_PJND": year,
            "NS_PJJG": "A", "NS_FBRQ": "2024-04-20", "NS_ZGSWJG": "国家税务总局青岛市税务局"}


@pytest.mark.parametrize(("value", "canonical", "error"), [
    ("2023", "2023", None), ("2023.0", "2023", None), ("02023", "2023", None),
    ("2,023", "2023", None), ("2023.5", "2023.5", "invalid"), ("二〇二三", "二〇二三", "invalid"),
    ("-2023", "-2023", "negative")])
def test_integer(items, value, canonical, error):
    row = check(items, [nsxy_row(value)], "NSXY_A")[0]
    found = [c for f, c in codes(row["__errors__"]) if f == "NS_PJND"]
    assert found == ([error] if error else []) and row["NS_PJND"] == canonical


# ---- text --------------------------------------------------------------------------------


def test_control_characters_are_rejected(items):
    row = one(items, BZ="已整改\x07完毕")
    assert row["__errors__"] == [{
        "field": "BZ", "code": "control_char",
        "message": "备注（BZ）含有控制字符U+0007（第4个字符）：“已整改[U+0007]完毕”"}]


def test_nul_is_rejected_and_never_copied_into_messages(items):
    row = one(items, CF_WSH="青\x00罚", CF_XDR_MC="甲\x00")
    assert codes(row["__errors__"]) == [("CF_XDR_MC", "control_char"), ("CF_WSH", "control_char")]
    assert all("\x00" not in m for m in messages(row["__errors__"]))


def test_tabs_and_line_breaks_are_text(items):
    assert one(items, CF_SY="第一段\r\n第二段\t完")["__errors__"] == []


def test_formula_looking_values_are_plain_text(items):
    row = one(items, BZ="=HYPERLINK(\"x\")", CF_WFXW="+虚假宣传")
    assert row["__errors__"] == [] and row["BZ"] == "=HYPERLINK(\"x\")"


def test_overlong_value(items):
    name = "青" * 201
    row = one(items, CF_XDR_MC=name)
    assert row["__errors__"] == [{
        "field": "CF_XDR_MC", "code": "too_long",
        "message": "行政相对人名称（CF_XDR_MC）长度为201个字符，超过上限200个字符："
                   f"“{'青' * 50}…”"}]
    assert one(items, CF_XDR_MC="青" * 200)["__errors__"] == []


# ---- duplicates --------------------------------------------------------------------------


def test_duplicates_within_a_batch(items):
    rows = [xzcf_row(), xzcf_row(CF_WSH="其他文号"), xzcf_row(CF_CFJGDM=AGENCY.lower())]
    result = check(items, rows)
    assert [r["__errors__"] for r in result[:2]] == [[], []]
    assert result[2]["__errors__"] == [{
        "field": None, "code": "duplicate",
        "message": "与第2行重复（行政处罚决定书文号、处罚机关统一社会信用代码相同）"}]


def test_duplicates_across_batches(items):
    seen = SeenKeys()
    first = validate(frame([xzcf_row()], 2), items["XZCF"], today=TODAY, seen=seen)
    assert first["__errors__"].to_list() == [[]] and len(seen) == 1
    second = validate(frame([xzcf_row(CF_WSH="新"), xzcf_row()], 3), items["XZCF"],
                      today=TODAY, seen=seen)
    assert second["__errors__"].to_list()[0] == []
    assert messages(second["__errors__"].to_list()[1])[0].startswith("与第2行重复")
    assert len(seen) == 2


def test_duplicates_across_batches_with_a_plain_set(items):
    seen: set = set()
    validate(frame([xzcf_row()]), items["XZCF"], today=TODAY, seen=seen)
    again = validate(frame([xzcf_row()], 9), items["XZCF"], today=TODAY, seen=seen)
    assert messages(again["__errors__"].to_list()[0]) == [
        "与此前批次中的一行重复（行政处罚决定书文号、处罚机关统一社会信用代码相同）"]


def test_mark_duplicates_adds_to_existing_errors_and_skips_incomplete_keys(items):
    rows = [xzcf_row(CF_WSH=None), xzcf_row(CF_WSH=None), xzcf_row(CF_JDRQ="x"),
            xzcf_row(CF_JDRQ="y")]
    result = check(items, rows)
    assert codes(result[1]["__errors__"]) == [("CF_WSH", "required")]
    assert codes(result[3]["__errors__"]) == [("CF_JDRQ", "invalid"), (None, "duplicate")]


def test_mark_duplicates_on_its_own(items):
    batch = pl.DataFrame({"__row__": [5, 6], "CF_WSH": ["a", "a"], "CF_CFJGDM": [AGENCY] * 2,
                          "__errors__": pl.Series([[], []], dtype=ISSUES)})
    marked = mark_duplicates(batch, items["XZCF"])
    assert messages(marked["__errors__"].to_list()[1])[0].startswith("与第5行重复")


# ---- conditions: vectorised twin of conditions.evaluate ----------------------------------

WORDS = ["罚款", "警告", "没收违法所得", "", " ", "罚款金额", "自然人", "其他"]
text_values = st.one_of(st.none(), st.sampled_from(WORDS), st.text(max_size=4))
list_values = st.one_of(st.none(), st.lists(st.sampled_from(WORDS), max_size=3))


def _comparison(field: str):
    words = st.sampled_from(WORDS)
    return st.one_of(
        st.builds(lambda v: {"field": field, "equals": v}, words),
        st.builds(lambda v: {"field": field, "in": v}, st.lists(words, min_size=1, max_size=3)),
        st.builds(lambda v: {"field": field, "contains": v}, words),
        st.builds(lambda v: {"field": field, "contains_any": v},
                  st.lists(words, min_size=1, max_size=3)),
        st.builds(lambda v: {"field": field, "present": v}, st.booleans()))


predicates = st.recursive(
    st.one_of(_comparison("A"), _comparison("B")),
    lambda inner: st.one_of(
        st.builds(lambda ps: {"all": ps}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda ps: {"any": ps}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda p: {"not": p}, inner),
        st.builds(lambda p: {"when": p}, inner)),
    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(predicate=predicates,
       records=st.lists(st.fixed_dictionaries({"A": text_values, "B": list_values}),
                        min_size=1, max_size=8))
def test_compile_condition_agrees_with_evaluate(predicate, records):
    batch = pl.DataFrame({"A": pl.Series([r["A"] for r in records], dtype=pl.Utf8),
                          "B": pl.Series([r["B"] for r in records], dtype=pl.List(pl.Utf8))})
    got = batch.select(compile_condition(predicate, lists={"B"})).to_series().to_list()
    assert got == [evaluate(predicate, r) for r in records]


def _catalog_predicates(catalog) -> list[tuple[dict, dict]]:
    by_code = {item["code"]: item for item in catalog.items}
    found = [(f["condition"], item) for item in catalog.items for f in item["fields"]
             if f.get("condition")]
    found += [(b["match"], by_code[b["item"]]) for b in catalog.behaviours if b.get("match")]
    return found


def _record_values(spec: dict):
    if spec["type"] == "multi_enum":
        return st.one_of(st.none(), st.lists(st.sampled_from(spec["values"] + spec[
            "legacy_values"]), max_size=3, unique=True))
    choices = [*spec.get("values", []), *spec.get("legacy_values", []), USCC_PLACEHOLDER, "",
               "其他-军官证"]
    return st.one_of(st.none(), st.sampled_from(choices), st.text(max_size=3))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_catalog_predicates_agree_with_evaluate(catalog, data):
    predicate, item = data.draw(st.sampled_from(_catalog_predicates(catalog)))
    specs = {f["code"]: f for f in item["fields"]}
    from xinyong.catalog.conditions import fields_named

    named = sorted(fields_named(predicate))
    records = data.draw(st.lists(st.fixed_dictionaries(
        {code: _record_values(specs[code]) for code in named}), min_size=1, max_size=6))
    lists = {c for c in named if specs[c]["type"] == "multi_enum"}
    batch = pl.DataFrame({c: pl.Series([r[c] for r in records],
                                       dtype=pl.List(pl.Utf8) if c in lists else pl.Utf8)
                          for c in named})
    got = batch.select(compile_condition(predicate, lists=lists)).to_series().to_list()
    assert got == [evaluate(predicate, r) for r in records]


def test_describe_condition_in_chinese():
    names = {"A": "处罚类别", "B": "行政相对人类别"}
    predicate = {"any": [{"field": "A", "contains": "罚款"},
                         {"not": {"field": "B", "in": ["自然人", "个体工商户"]}},
                         {"field": "A", "present": False}]}
    assert describe_condition({"when": predicate}, names) == (
        "处罚类别包含“罚款”，或（并非行政相对人类别为“自然人”或“个体工商户”）"
        "，或处罚类别未填写")


# ---- identifier helpers ------------------------------------------------------------------

code_text = st.text(alphabet=st.sampled_from(list(
    "09azAZ -‐—\u2212\ufe63\u3000\u00a0\u200b\ufeff\t\x1c０９ａｚＡＺ－ıß中")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(code_text, min_size=1, max_size=10))
def test_normalise_codes_agrees_with_normalize_code(values):
    got = pl.DataFrame({"v": values}).select(normalise_codes(pl.col("v"))).to_series()
    assert got.to_list() == [normalize_code(v) for v in values]


@settings(max_examples=100, deadline=None)
@given(bodies=st.lists(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8,
                               max_size=8), min_size=1, max_size=20),
       checks=st.lists(st.sampled_from("0123456789X"), min_size=20, max_size=20))
def test_organisation_code_check_agrees_with_core(bodies, checks):
    codes_ = [body + check for body, check in zip(bodies, checks, strict=False)]
    expected = [code[8] == org_code_check_char(code[:8]) for code in codes_]
    assert _org_codes_ok(pl.Series(codes_)).tolist() == expected


def test_vectorised_batch_of_many_rows(items):
    """A bigger batch: one bad row among many good ones gets exactly its own finding."""
    rows = [xzcf_row(CF_WSH=f"青罚〔2024〕{i}号") for i in range(2000)]
    rows[1234]["CF_JDRQ"] = "2024/02/30"
    result = validate(frame(rows), items["XZCF"], today=TODAY)
    bad = result.filter(pl.col("__errors__").list.len() > 0)
    assert bad["__row__"].to_list() == [1236]
    assert np.all(result["CF_JDRQ"].to_numpy()[:1234] == "2024-03-05")
