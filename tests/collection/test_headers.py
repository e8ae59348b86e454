"""Header mapping (表头识别): Chinese names, codes and aliases, tolerant of width, spaces and
case; duplicates and missing required columns are errors, unknown columns a warning."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.collection.headers import column_label, map_headers, normalise_header


@pytest.mark.parametrize(("text", "expected"), [
    ("行政相对人名称", "行政相对人名称"),
    (" 行政 相对人\u3000名称 ", "行政相对人名称"),
    ("\ufeff行政相对人名称", "行政相对人名称"),
    ("行政\u200b相对人\u200d名称\u2060", "行政相对人名称"),
    ("ＣＦ＿ＸＤＲ＿ＭＣ", "cf_xdr_mc"),
    ("cf_xdr_mc", "cf_xdr_mc"),
    ("CF_XDR_MC", "cf_xdr_mc"),
    ("罚款金额（万元）", "罚款金额(万元)"),
    ("罚款金额【万元】", "罚款金额(万元)"),
    ("罚款金额[万元]", "罚款金额(万元)"),
    ("罚款金额〔万元〕", "罚款金额(万元)"),
    ("*行政相对人名称", "行政相对人名称"),
    ("＊行政相对人名称＊", "行政相对人名称"),
    ("\t\r\n", ""),
    ("", ""),
])
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


@given(st.text(st.characters() | st.sampled_from("（）【】　ＡＢｃ１２ *＊\u200b\ufeff")))
def test_normalise_header_is_idempotent(text):
    once = normalise_header(text)
    assert normalise_header(once) == once


@pytest.mark.parametrize(("index", "label"), [(0, "A"), (25, "Z"), (26, "AA"), (27, "AB"),
                                              (701, "ZZ"), (702, "AAA")])
def test_column_label(index, label):
    assert column_label(index) == label


def test_names_codes_and_aliases_map(xzcf, xzcf_required):
    headers = ["被处罚对象名称", "CF_XDR_LB", "ｃｆ＿ｗｓｈ", " 违法 行为类型 ", "处罚事由",
               "处罚依据", "处罚类别1", "处罚结果", "处罚决定日期", "处罚有效期", "处罚机关",
               "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
               "罚款金额(万元)"]
    result = map_headers(headers, xzcf)
    assert result.errors == []
    assert result.ok
    assert result.unknown == [] and result.duplicates == [] and result.missing_required == []
    assert result.columns[0] == "CF_XDR_MC"  # alias
    assert result.columns[1] == "CF_XDR_LB"  # code
    assert result.columns[2] == "CF_WSH"  # full-width, lower-case code
    assert result.columns[3] == "CF_WFXW"  # name with spaces
    assert result.columns[4] == "CF_SY"  # alias
    assert result.columns[6] == "CF_CFLB"  # alias
    assert result.columns[14] == "CF_NR_FK"  # half-width brackets for （万元）
    assert len(result.columns) == len(headers)


def test_unknown_header_is_a_warning_not_an_error(xzcf, xzcf_required):
    result = map_headers([*xzcf_required, "经办人", " 联系电话 "], xzcf)
    assert result.ok
    assert result.unknown == ["经办人", "联系电话"]
    assert len(result.columns) == len(xzcf_required)


def test_name_and_code_of_one_field_are_duplicates(xzcf, xzcf_required):
    result = map_headers([*xzcf_required, "CF_XDR_MC"], xzcf)
    assert result.duplicates == ["CF_XDR_MC"]
    assert len(result.errors) == 1
    message = result.errors[0]
    assert "“CF_XDR_MC”" in message and "“行政相对人名称”" in message
    assert "CF_XDR_MC" in message and f"第{len(xzcf_required) + 1}列" in message
    assert list(result.columns.values()).count("CF_XDR_MC") == 1  # the first column wins


def test_two_aliases_of_one_field_are_duplicates(xzcf, xzcf_required):
    headers = [h for h in xzcf_required if h != "处罚类别"] + ["处罚类别1", "处罚类别2"]
    result = map_headers(headers, xzcf)
    assert result.duplicates == ["处罚类别2"]
    assert "处罚类别" in result.errors[0]


def test_missing_required_columns(xzcf, xzcf_required):
    headers = [h for h in xzcf_required if h not in ("行政处罚决定书文号", "处罚机关")]
    result = map_headers(headers, xzcf)
    assert result.missing_required == ["CF_WSH", "CF_CFJG"]
    assert result.errors == ["缺少必填列“行政处罚决定书文号”（CF_WSH）",
                             "缺少必填列“处罚机关”（CF_CFJG）"]


def test_conditional_fields_are_not_missing(xzcf, xzcf_required):
    result = map_headers(xzcf_required, xzcf)
    assert result.ok
    assert "CF_XDR_SHXYM" not in result.missing_required  # required: conditional


def test_empty_header_cell_is_an_error(xzcf, xzcf_required):
    result = map_headers([xzcf_required[0], "  ", *xzcf_required[1:]], xzcf)
    assert result.errors == ["第2列（B列）的表头为空：每一列都需要表头"]


def test_first_column_names_worksheet_columns(xzcf, xzcf_required):
    result = map_headers([xzcf_required[0], "", *xzcf_required[1:]], xzcf, first_column=2)
    assert result.errors == ["第2列（D列）的表头为空：每一列都需要表头"]
