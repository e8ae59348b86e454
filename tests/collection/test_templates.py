"""Submission templates: XLSX sheets, validations and formats, CSV files, the example row."""

import codecs
import copy
import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from xinyong.catalog.conditions import evaluate
from xinyong.catalog.loader import parse_catalog
from xinyong.collection.templates import (
    CODE_SHEET,
    DATE_FORMATS,
    EXAMPLE_SHEET,
    NOTES_SHEET,
    README_SHEET,
    as_record,
    csv_example,
    csv_template,
    describe_condition,
    example_row,
    xlsx_template,
)
from xinyong.collection.workbooks import REQUIRED_FILL
from xinyong.core.identifiers import parse_resident_id, parse_uscc

QINGDAO_DIR = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
TODAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def catalog():
    result = parse_catalog(QINGDAO_DIR)
    assert result.ok, result.errors[:3]
    return result.catalog


@pytest.fixture(scope="module")
def items(catalog):
    return {item["code"]: item for item in catalog.items}


@pytest.fixture(scope="module")
def xzcf_xlsx(items):
    return xlsx_template(items["XZCF"], today=TODAY)


def rows_of(data: bytes, sheet: str) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet).to_python()


def sheet_xml(data: bytes, name: str) -> str:
    """The XML of the worksheet called `name`, found through workbook.xml and its rels."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get(f"{{{NS['r']}}}id") for s in book.iter(f"{{{NS['m']}}}sheet")
                   if s.get("name") == name)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return z.read(f"xl/{target}").decode()


def zip_text(data: bytes, path: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(path).decode()


def cell_xfs(data: bytes) -> list[dict]:
    """Each cell style's number format and fill colour."""
    styles = ElementTree.fromstring(zip_text(data, "xl/styles.xml"))
    fills = [f.find("m:patternFill/m:fgColor", NS) for f in styles.find("m:fills", NS)]
    colours = [f.get("rgb") if f is not None else None for f in fills]
    return [{"numFmtId": xf.get("numFmtId"), "fill": colours[int(xf.get("fillId", 0))]}
            for xf in styles.find("m:cellXfs", NS)]


def column_styles(xml: str) -> dict[int, int]:
    """1-based column -> style index from the <cols> element."""
    styles = {}
    for col in ElementTree.fromstring(xml).iter(f"{{{NS['m']}}}col"):
        for n in range(int(col.get("min")), int(col.get("max")) + 1):
            styles[n] = int(col.get("style", 0))
    return styles


def validations(xml: str) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(xml)
    return {v.get("sqref"): v for v in root.iter(f"{{{NS['m']}}}dataValidation")}


def column_letter(item: dict, code: str) -> str:
    index = [f["code"] for f in item["fields"]].index(code)
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---- every item -------------------------------------------------------------------------

def test_a_template_builds_for_every_item(catalog):
    assert len(catalog.items) >= 10
    for item in catalog.items:
        data = xlsx_template(item)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        assert book.sheet_names == [README_SHEET, item["code"], NOTES_SHEET, EXAMPLE_SHEET,
                                    CODE_SHEET]
        data_rows = rows_of(data, item["code"])
        assert data_rows == [[f["name"] for f in item["fields"]]], item["code"]
        assert len(rows_of(data, NOTES_SHEET)) == len(item["fields"]) + 1
        assert csv_template(item).decode("utf-8-sig").count("\n") == 1


@pytest.mark.parametrize("code", ["XZCF", "XZXK", "HG_AEO", "JYYC", "NSXY_A", "QYDJ",
                                  "SCJG_YZWF", "SSWF", "SXBZXR", "YZSXMD", "ZDGZ", "ZFCG_SX",
                                  "ZTB_WF"])
def test_example_row_satisfies_the_catalog_rules(items, code):
    item = items[code]
    row = example_row(item, today=TODAY)
    record = as_record(item, row)
    assert set(row) == {f["code"] for f in item["fields"]}
    for f in item["fields"]:
        value = row[f["code"]]
        if f["required"] is True or (f["required"] == "conditional"
                                     and evaluate(f["condition"], record)):
            assert value.strip(), f"{code}.{f['code']} must be filled"
        if not value:
            continue
        if f.get("max_length"):
            assert len(value) <= f["max_length"], f["code"]
        check_value(f, value, record)


def check_value(field: dict, value: str, record: dict):
    kind = field["type"]
    if kind == "enum":
        assert value in field["values"]
    elif kind == "multi_enum":
        assert record[field["code"]] and set(record[field["code"]]) <= set(field["values"])
    elif kind == "date":
        datetime.strptime(value, "%Y/%m/%d")
    elif kind == "decimal":
        scale = field.get("scale") or 6
        assert re.fullmatch(rf"\d+(\.\d{{1,{scale}}})?", value)
    elif kind == "integer":
        int(value)
    elif kind == "identifier" and field.get("scheme") == "uscc":
        parse_uscc(value)
    elif kind == "identifier" and field.get("scheme") == "resident_id":
        parse_resident_id(value)


def test_penalty_example_shows_a_fine(items):
    row = example_row(items["XZCF"], today=TODAY)
    assert row["CF_XDR_LB"] == "法人及非法人组织"
    assert row["CF_CFLB"] == "罚款" and row["CF_NR_FK"] == "0.2"
    assert row["CF_JDRQ"] == "2026/11/02" and row["CF_YXQ"] == "2099/12/31"
    assert parse_uscc(row["CF_XDR_SHXYM"]) and row["CF_FRDB"]
    assert parse_uscc(row["CF_CFJGDM"]).value != row["CF_XDR_SHXYM"]
    assert row["CF_XDR_GSZC"] == "" and row["CF_NR_WFFF"] == "" and row["CF_XDR_ZJHM"] == ""
    assert row["BZ"] == ""


def test_licence_example(items):
    row = example_row(items["XZXK"], today=TODAY)
    assert row["XK_XKLB"] == "普通" and row["XK_ZT"] == "正常"
    assert row["XK_YXQZ"] == "2026/11/02" and row["XK_YXQZI"] == "2099/12/31"


def test_example_fills_conditions_that_chain(items):
    """A placeholder USCC makes the registration number required."""
    item = copy.deepcopy(items["XZCF"])
    shxym = next(f for f in item["fields"] if f["code"] == "CF_XDR_SHXYM")
    shxym.update(type="string", scheme="", required=True, condition=None)
    row = example_row(item, today=TODAY)
    assert row["CF_XDR_GSZC"] == ""
    item["fields"][1]["values"] = ["个体工商户"]
    shxym["type"] = "enum"
    shxym["values"] = ["00000000000000000X"]
    row = example_row(item, today=TODAY)
    assert row["CF_XDR_SHXYM"] == "00000000000000000X"
    assert re.fullmatch(r"\d{15}", row["CF_XDR_GSZC"])


def test_person_example_for_a_person_only_condition(items):
    row = example_row(items["SXBZXR"], today=TODAY)
    assert row["SX_BZXR_LB"] == "自然人"
    parse_resident_id(row["SX_ZJHM"])


# ---- sheets -----------------------------------------------------------------------------

def test_readme_sheet(items):
    item = items["XZCF"]
    data = xlsx_template(item, departments={"fgw": "青岛市发展和改革委员会"}, today=TODAY)
    text = "\n".join(str(c) for row in rows_of(data, README_SHEET) for c in row)
    assert "行政处罚信息" in text and "XZCF" in text and "失信信息" in text
    assert "《中华人民共和国行政处罚法》" in text
    assert "青岛市发展和改革委员会、jyj" in text
    assert "数据归集" in text and "错误说明" in text and "；" in text


def test_example_sheet_holds_the_header_and_one_example(items, xzcf_xlsx):
    item = items["XZCF"]
    rows = rows_of(xzcf_xlsx, EXAMPLE_SHEET)
    example = example_row(item, today=TODAY)
    assert rows[0] == [f["name"] for f in item["fields"]]
    assert rows[1] == [example[f["code"]] for f in item["fields"]]
    assert len(rows) == 2


def notes_by_code(data: bytes) -> dict[str, dict]:
    rows = rows_of(data, NOTES_SHEET)
    return {r[2]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_notes_sheet_explains_each_field(xzcf_xlsx):
    notes = notes_by_code(xzcf_xlsx)
    fine = notes["CF_NR_FK"]
    assert fine["列名（表头）"] == "罚款金额（万元）" and fine["数据类型"] == "金额（万元）"
    assert fine["是否必填"] == "条件必填"
    assert fine["必填条件"] == "当“处罚类别”包含“罚款”时必填"
    assert "最多6位小数" in fine["格式要求"]
    assert notes["CF_WSH"]["是否必填"] == "必填" and notes["BZ"]["是否必填"] == "选填"
    assert notes["CF_XDR_MC"]["也可用的列名"] == "被处罚对象名称"
    assert notes["CF_JDRQ"]["数据类型"] == "日期" and DATE_FORMATS in notes["CF_JDRQ"]["格式要求"]
    assert "2099/12/31 表示长期" in notes["CF_YXQ"]["格式要求"]
    assert notes["CF_XDR_SHXYM"]["数据类型"] == "18位统一社会信用代码"
    assert notes["CF_XDR_SHXYM"]["最大长度"] == 18
    assert "17个0加X" in notes["CF_XDR_SHXYM"]["说明"]
    assert notes["CF_FR_ZJHM"]["披露方式"] == "政务共享"
    assert notes["CF_XDR_MC"]["披露方式"] == "公开公示"
    assert "警告\n通报批评\n罚款" in notes["CF_CFLB"]["可选值"]
    assert "历史数据另接受" in notes["CF_CFLB"]["可选值"]
    assert "分号“；”" in notes["CF_CFLB"]["格式要求"]
    assert notes["CF_SXCD"]["说明"] == ""  # an English note for engineers is not shown


def test_describe_condition_in_chinese():
    names = {"A": "类别", "B": "处罚类别", "C": "移出日期"}
    rule = {"when": {"all": [{"field": "A", "in": ["甲", "乙"]},
                             {"any": [{"field": "B", "contains_any": ["罚款", "没收"]},
                                      {"not": {"field": "C", "present": True}}]}]}}
    # Nested clauses are bracketed, so the words cannot be read two ways.
    assert describe_condition(rule, names) == (
        "“类别”为“甲”或“乙”，且（“处罚类别”包含“罚款”或“没收”，或（并非“移出日期”已填写））")
    assert describe_condition({"field": "C", "present": False}, names) == "“移出日期”未填写"
    assert describe_condition({"field": "X", "equals": "1"}, names) == "“X”为“1”"


# ---- the data sheet ---------------------------------------------------------------------

def test_data_sheet_has_enum_drop_downs(items, xzcf_xlsx):
    item = items["XZCF"]
    found = validations(sheet_xml(xzcf_xlsx, "XZCF"))
    col = column_letter(item, "CF_XDR_LB")
    kind = found[f"{col}2:{col}100001"]
    assert kind.get("type") == "list"
    assert kind.find("m:formula1", NS).text == '"法人及非法人组织,自然人,个体工商户"'
    col = column_letter(item, "CF_SXCD")
    assert found[f"{col}2:{col}100001"].get("type") == "list"


def test_multi_enum_gets_an_input_message_not_a_drop_down(items, xzcf_xlsx):
    col = column_letter(items["XZCF"], "CF_CFLB")
    v = validations(sheet_xml(xzcf_xlsx, "XZCF"))[f"{col}2:{col}100001"]
    assert v.get("type") in (None, "none")
    assert v.get("showInputMessage") == "1" and "；" in v.get("prompt")


def test_date_columns_explain_formats(items, xzcf_xlsx):
    col = column_letter(items["XZCF"], "CF_JDRQ")
    v = validations(sheet_xml(xzcf_xlsx, "XZCF"))[f"{col}2:{col}100001"]
    assert "YYYY/MM/DD" in v.get("prompt") and "Excel 日期" in v.get("prompt")


def test_long_value_lists_come_from_the_hidden_code_table(items):
    item = copy.deepcopy(items["XZXK"])
    long_values = [f"第{i}类很长很长的许可事项类别名称" for i in range(1, 31)]
    field = next(f for f in item["fields"] if f["code"] == "XK_XKLB")
    field["values"] = long_values
    data = xlsx_template(item, today=TODAY)
    col = column_letter(item, "XK_XKLB")
    formula = validations(sheet_xml(data, "XZXK"))[f"{col}2:{col}100001"].find("m:formula1", NS)
    match = re.fullmatch(r"'代码表'!\$([A-Z]+)\$2:\$\1\$31", formula.text)
    assert match, formula.text
    table = rows_of(data, CODE_SHEET)
    index = ord(match.group(1)) - 65
    assert [row[index] for row in table[1:31]] == long_values
    assert table[0][index] == "许可类别"
    assert re.search(r'<sheet name="代码表" sheetId="\d+" state="hidden"',
                     zip_text(data, "xl/workbook.xml"))
    assert example_row(item, today=TODAY)["XK_XKLB"] == long_values[0]


def test_code_and_date_columns_are_text(items, xzcf_xlsx):
    item = items["XZCF"]
    xfs = cell_xfs(xzcf_xlsx)
    styles = column_styles(sheet_xml(xzcf_xlsx, "XZCF"))
    for code in ("CF_XDR_SHXYM", "CF_FR_ZJHM", "CF_CFJGDM", "CF_JDRQ", "CF_YXQ", "CF_WSH"):
        index = [f["code"] for f in item["fields"]].index(code) + 1
        assert xfs[styles[index]]["numFmtId"] == "49", code  # 49 = "@" (text)
    amount = [f["code"] for f in item["fields"]].index("CF_NR_FK") + 1
    assert xfs[styles.get(amount, 0)]["numFmtId"] != "49"


def test_required_headers_are_marked_and_frozen(items, xzcf_xlsx):
    xml = sheet_xml(xzcf_xlsx, "XZCF")
    xfs = cell_xfs(xzcf_xlsx)
    header = {c.get("r"): int(c.get("s")) for c in ElementTree.fromstring(xml).iter(
        f"{{{NS['m']}}}c") if c.get("r").endswith("1") and c.get("r")[:-1].isalpha()}
    item = items["XZCF"]
    required = xfs[header[column_letter(item, "CF_WSH") + "1"]]
    optional = xfs[header[column_letter(item, "BZ") + "1"]]
    conditional = xfs[header[column_letter(item, "CF_NR_FK") + "1"]]
    assert required["fill"] == "FF" + REQUIRED_FILL[1:]
    assert len({required["fill"], optional["fill"], conditional["fill"]}) == 3
    assert 'ySplit="1"' in xml and 'state="frozen"' in xml


def test_header_comments_carry_the_short_rule(xzcf_xlsx):
    with zipfile.ZipFile(io.BytesIO(xzcf_xlsx)) as z:
        comments = "".join(z.read(n).decode() for n in z.namelist() if "comments" in n)
    assert "CF_NR_FK｜当“处罚类别”包含“罚款”时必填" in comments
    assert "CF_XDR_LB｜必填" in comments and "从下拉列表选择" in comments


def test_no_formulas_anywhere(xzcf_xlsx):
    with zipfile.ZipFile(io.BytesIO(xzcf_xlsx)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in z.read(name).decode()


# ---- CSV --------------------------------------------------------------------------------

def test_csv_template_is_a_bom_and_the_header(items):
    item = items["XZCF"]
    data = csv_template(item)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [[f["name"] for f in item["fields"]]]


def test_csv_example_has_the_example_row(items):
    item = items["XZXK"]
    rows = list(csv.reader(io.StringIO(csv_example(item, today=TODAY).decode("utf-8-sig"))))
    example = example_row(item, today=TODAY)
    assert rows == [[f["name"] for f in item["fields"]],
                    [example[f["code"]] for f in item["fields"]]]
