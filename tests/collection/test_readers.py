"""Readers (文件读取): CSV in UTF-8, UTF-8 with BOM, GB18030 and GBK; XLSX; JSON — and every
bad input a department can send, each a clear ReadError and never a crash."""

import datetime
import json
import os
import subprocess
import sys
import zipfile

import polars as pl
import pytest

from xinyong.collection.headers import column_label
from xinyong.collection.readers import ReadError, limits, open_table

from .conftest import xzcf_shaped_csv


def rows_of(table, **kwargs) -> list[dict]:
    return [row for batch in table.batches(**kwargs) for row in batch.to_dicts()]


def read_error(path, item, **kwargs) -> ReadError:
    with pytest.raises(ReadError) as caught:
        open_table(path, item, **kwargs)
    assert str(caught.value) == caught.value.message
    return caught.value


# ---- CSV encodings ----------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"),
])
def test_csv_encodings(xzcf, xzcf_required, xzcf_row, write_csv, encoding, expected):
    path = write_csv([xzcf_required, list(xzcf_row.values())], encoding=encoding)
    with open_table(path, xzcf) as table:
        assert (table.format, table.encoding, table.sheet) == ("csv", expected, None)
        assert table.row_count == 1
        assert table.warnings == []
        [row] = rows_of(table)
    assert row["__row__"] == 2
    assert row["CF_XDR_MC"] == "青岛海睿智能科技有限公司"
    assert row["CF_WSH"] == "青市监罚〔2024〕12号"
    assert json.loads(row["__raw__"])["行政相对人名称"] == "青岛海睿智能科技有限公司"


def test_gb18030_only_characters(xzcf, xzcf_required, xzcf_row, write_csv):
    values = dict(xzcf_row, 行政相对人名称="𠀀记餐饮店")  # outside GBK: four bytes in GB18030
    path = write_csv([xzcf_required, list(values.values())], encoding="gb18030")
    with open_table(path, xzcf) as table:
        assert rows_of(table)[0]["CF_XDR_MC"] == "𠀀记餐饮店"


def test_transcoded_copy_is_removed_on_close(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([xzcf_required, list(xzcf_row.values())], encoding="gbk")
    table = open_table(path, xzcf)
    copy = table._source.text.path
    assert copy != path and copy.exists()
    table.close()
    assert not copy.exists()
    table.close()  # twice is fine


def test_latin1_is_an_encoding_error_naming_the_byte(xzcf, write_csv):
    codes = [f["code"] for f in xzcf["fields"] if f["required"] is True]
    text = ",".join(codes) + "\r\n" + ",".join(["Café"] * len(codes)) + "\r\n"
    path = write_csv(text=text, encoding="latin-1")
    error = read_error(path, xzcf)
    assert error.code == "encoding"
    offset = text.encode("latin-1").index(b"\xe9")
    assert f"第2行（第{offset + 1}个字节，0xE9 0x2C）" in error.message
    assert "UTF-8" in error.message and "GB18030" in error.message


def test_broken_utf8_is_not_read_as_gbk(xzcf, xzcf_required, xzcf_row, write_csv):
    good = ",".join(xzcf_required) + "\r\n" + ",".join(xzcf_row.values()) + "\r\n"
    path = write_csv(text=good)
    path.write_bytes(path.read_bytes() + b"\xd6\xd0\xb9\xfa,x\r\n")  # 中国 in GBK, appended
    error = read_error(path, xzcf)
    assert error.code == "encoding"
    assert "文件是UTF-8编码" in error.message and "第3行" in error.message


def test_utf16_is_an_encoding_error(xzcf, xzcf_required, write_csv):
    path = write_csv(text="\ufeff" + "\t".join(xzcf_required) + "\r\n", encoding="utf-16-le")
    error = read_error(path, xzcf)
    assert error.code == "encoding" and "UTF-16" in error.message


# ---- headers ----------------------------------------------------------------------------

def test_missing_required_header(xzcf, xzcf_required, xzcf_row, write_csv):
    headers = [h for h in xzcf_required if h != "处罚机关"]
    path = write_csv([headers, [xzcf_row[h] for h in headers]])
    error = read_error(path, xzcf)
    assert error.code == "headers"
    assert "缺少必填列“处罚机关”（CF_CFJG）" in error.message


def test_duplicated_header_name_and_code(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([[*xzcf_required, "CF_WSH"], [*xzcf_row.values(), "另一个文号"]])
    error = read_error(path, xzcf)
    assert error.code == "headers"
    assert "“CF_WSH”" in error.message and "“行政处罚决定书文号”" in error.message


def test_unknown_header_is_a_warning(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([[*xzcf_required, "经办人"], [*xzcf_row.values(), "张三"]])
    with open_table(path, xzcf) as table:
        assert table.headers.unknown == ["经办人"]
        assert len(table.warnings) == 1
        assert "“经办人”" in table.warnings[0] and "没有被读取" in table.warnings[0]
        [row] = rows_of(table)
    assert "经办人" not in row
    assert json.loads(row["__raw__"])["经办人"] == "张三"  # nothing lost


def test_rejected_rows_columns_are_not_unknown(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([["原行号", *xzcf_required, "错误说明"], ["7", *xzcf_row.values(), "缺少…"]])
    with open_table(path, xzcf) as table:
        assert table.warnings == []


def test_headers_full_width_spaced_codes_and_aliases(xzcf, xzcf_row, write_csv):
    names = {f["name"]: f["code"] for f in xzcf["fields"]}
    variants = {"行政相对人名称": "被处罚对象名称", "行政处罚决定书文号": "ｃｆ＿ｗｓｈ",
                "违法行为类型": " 违法 行为\u3000类型 ", "处罚内容": "处罚结果",
                "处罚机关": "CF_CFJG", "违法事实": "＊违法事实"}
    headers = [variants.get(h, h) for h in xzcf_row]
    path = write_csv([headers, list(xzcf_row.values())])
    with open_table(path, xzcf) as table:
        [row] = rows_of(table)
    for name, value in xzcf_row.items():
        assert row[names[name]] == value


def test_trailing_separator_makes_no_column(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([[*xzcf_required, ""], [*xzcf_row.values(), ""]])
    with open_table(path, xzcf) as table:
        assert table.warnings == []
        assert table.row_count == 1


def test_values_without_a_header_are_kept_and_reported(xzcf, xzcf_required, xzcf_row,
                                                       write_csv):
    path = write_csv([[*xzcf_required, ""], [*xzcf_row.values(), "备忘"]])
    with open_table(path, xzcf) as table:
        label = column_label(len(xzcf_required))
        assert table.warnings == [f"{label}列没有表头，但有1个单元格有值：这些值没有被读取"
                                  "（原值保留在原始行中）"]
        [row] = rows_of(table)
    assert json.loads(row["__raw__"])[f"（{label}列）"] == "备忘"


def test_empty_header_between_columns_is_an_error(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    path = write_csv([[xzcf_required[0], "", *xzcf_required[1:]], [values[0], "y", *values[1:]]])
    error = read_error(path, xzcf)
    assert error.code == "headers" and "第2列（B列）的表头为空" in error.message


# ---- empty files ------------------------------------------------------------------------

def test_empty_file(xzcf, write_csv):
    error = read_error(write_csv(text=""), xzcf)
    assert (error.code, error.message) == ("empty", "文件是空的（0字节）")


def test_whitespace_only_file(xzcf, write_csv):
    error = read_error(write_csv(text="\ufeff \r\n\r\n", encoding="utf-8"), xzcf)
    assert error.code == "empty"


def test_headers_only(xzcf, xzcf_required, write_csv):
    error = read_error(write_csv([xzcf_required]), xzcf)
    assert (error.code, error.message) == ("empty", "文件只有表头，没有数据行")


def test_headers_only_without_final_newline(xzcf, xzcf_required, write_csv):
    error = read_error(write_csv(text=",".join(xzcf_required)), xzcf)
    assert error.code == "empty"


def test_headers_and_blank_rows(xzcf, xzcf_required, write_csv):
    blank = [""] * len(xzcf_required)
    error = read_error(write_csv([xzcf_required, blank, blank]), xzcf)
    assert (error.code, error.message) == ("empty", "文件只有表头和2个空行，没有数据行")


def test_tab_separated_file_gets_a_hint(xzcf, xzcf_required, xzcf_row, write_csv):
    text = "\t".join(xzcf_required) + "\r\n" + "\t".join(xzcf_row.values()) + "\r\n"
    error = read_error(write_csv(text=text, encoding="gbk", name="data.txt"), xzcf)
    assert error.code == "headers"
    assert error.message.startswith("表头只有一列，其中有制表符、分号或竖线")


def test_blank_header_row(xzcf, xzcf_required, xzcf_row, write_csv):
    error = read_error(write_csv([[""] * 3, xzcf_required, list(xzcf_row.values())]), xzcf)
    assert error.code == "headers" and "第1行应为表头" in error.message


# ---- CSV structure ----------------------------------------------------------------------

def test_embedded_newlines_and_quotes_keep_row_numbers(xzcf, xzcf_required, xzcf_row,
                                                       write_csv):
    values = list(xzcf_row.values())
    tricky = dict(xzcf_row, 违法事实='第一行\r\n第二行，"引号"\n第三行', 处罚依据='他说："罚"')
    path = write_csv([xzcf_required, values, list(tricky.values()), values])
    with open_table(path, xzcf) as table:
        assert table.row_count == 3
        rows = rows_of(table)
    assert [r["__row__"] for r in rows] == [2, 3, 4]
    assert rows[1]["CF_SY"] == '第一行\r\n第二行，"引号"\n第三行'
    assert rows[1]["CF_YJ"] == '他说："罚"'
    assert json.loads(rows[1]["__raw__"])["违法事实"] == tricky["违法事实"]


def test_blank_rows_are_skipped_and_counted(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    text = (",".join(xzcf_required) + "\r\n" + ",".join(values) + "\r\n\r\n"
            + "," * (len(values) - 1) + "\r\n" + ",".join(values) + "\r\n")
    with open_table(write_csv(text=text), xzcf) as table:
        assert (table.row_count, table.skipped_blank_rows) == (2, 2)
        assert [r["__row__"] for r in rows_of(table)] == [2, 5]


def test_values_are_stripped_and_empty_is_null(xzcf, xzcf_required, xzcf_row, write_csv):
    values = dict(xzcf_row, 行政相对人名称="  海睿公司\u3000", 违法行为类型="   ")
    path = write_csv([[*xzcf_required, "备注"], [*values.values(), ""]])
    with open_table(path, xzcf) as table:
        [row] = rows_of(table)
    assert row["CF_XDR_MC"] == "海睿公司"
    assert row["CF_WFXW"] is None
    assert row["BZ"] is None
    assert json.loads(row["__raw__"])["行政相对人名称"] == "  海睿公司\u3000"


def test_formula_like_and_control_characters_are_text(xzcf, xzcf_required, xzcf_row,
                                                       write_csv):
    values = dict(xzcf_row, 行政相对人名称="=HYPERLINK(\"http://x\")", 违法行为类型="+1",
                  违法事实="-2+3", 处罚依据="@SUM(A1)", 处罚内容="a\x00b\x07c\x1bd")
    path = write_csv([xzcf_required, list(values.values())])
    with open_table(path, xzcf) as table:
        [row] = rows_of(table)
    assert row["CF_XDR_MC"] == "=HYPERLINK(\"http://x\")"
    assert (row["CF_WFXW"], row["CF_SY"], row["CF_YJ"]) == ("+1", "-2+3", "@SUM(A1)")
    assert row["CF_NR"] == "a\x00b\x07c\x1bd"
    assert json.loads(row["__raw__"])["处罚内容"] == "a\x00b\x07c\x1bd"


def test_neutralised_values_are_restored(xzcf, xzcf_required, xzcf_row, write_csv):
    values = dict(xzcf_row, 行政相对人名称="'=1+1", 违法行为类型="'-x", 违法事实="'普通")
    path = write_csv([xzcf_required, list(values.values())])
    with open_table(path, xzcf) as table:
        [row] = rows_of(table)
    assert (row["CF_XDR_MC"], row["CF_WFXW"], row["CF_SY"]) == ("=1+1", "-x", "'普通")
    assert json.loads(row["__raw__"])["行政相对人名称"] == "'=1+1"


def test_duplicate_rows_are_both_read(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    with open_table(write_csv([xzcf_required, values, values]), xzcf) as table:
        assert [r["__row__"] for r in rows_of(table)] == [2, 3]


def test_overlong_value_is_read_whole(xzcf, xzcf_required, xzcf_row, write_csv):
    values = dict(xzcf_row, 违法事实="长" * 100_000)
    with open_table(write_csv([xzcf_required, list(values.values())]), xzcf) as table:
        assert rows_of(table)[0]["CF_SY"] == "长" * 100_000


def test_too_many_values_names_the_row(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    path = write_csv([xzcf_required, values, values, [*values, "多余"]])
    error = read_error(path, xzcf)
    assert error.code == "format"
    assert error.message.startswith(f"第4行有{len(values) + 1}个值，但表头只有{len(values)}列")


def test_empty_values_beyond_the_headers_are_dropped(xzcf, xzcf_required, xzcf_row,
                                                     write_csv):
    values = list(xzcf_row.values())
    path = write_csv([xzcf_required, values, [*values, "", " "]])
    with open_table(path, xzcf) as table:
        rows = rows_of(table)
    assert [r["__row__"] for r in rows] == [2, 3]
    assert rows[1]["CF_SJLYDM"] == values[-1]


def test_fewer_values_read_as_empty(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    with open_table(write_csv([xzcf_required, values[:3]]), xzcf) as table:
        [row] = rows_of(table)
    assert row["CF_XDR_MC"] == values[0] and row["CF_SJLYDM"] is None


def test_stray_quote_is_a_format_error(xzcf, xzcf_required, xzcf_row, write_csv):
    values = list(xzcf_row.values())
    text = (",".join(xzcf_required) + "\r\n" + ",".join(values) + "\r\n"
            + ",".join(['12"钢管', *values[1:]]) + "\r\n")
    error = read_error(write_csv(text=text), xzcf)
    assert error.code == "format"
    assert "第3个文本行" in error.message and "双引号" in error.message


def test_unterminated_quote_in_a_large_file(xzcf, xzcf_required, xzcf_row, write_csv,
                                            monkeypatch):
    monkeypatch.setattr(limits, "CSV_CHUNK", 4096)
    monkeypatch.setattr(limits, "MAX_RECORD_BYTES", 64 * 1024)
    values = list(xzcf_row.values())
    lines = [",".join(xzcf_required)] + [",".join(values)] * 500
    lines[100] = '"' + lines[100]
    error = read_error(write_csv(text="\r\n".join(lines) + "\r\n"), xzcf)
    assert error.code == "format" and "双引号" in error.message


def test_chunk_boundaries_keep_records_whole(xzcf, xzcf_required, xzcf_row, write_csv,
                                             monkeypatch):
    monkeypatch.setattr(limits, "CSV_CHUNK", 1000)  # a chunk boundary every few records
    rows = []
    for i in range(300):
        values = dict(xzcf_row, 行政处罚决定书文号=f"文号{i}",
                      违法事实=f'第{i}条\n"续"\n' * (i % 4) if i % 3 else "")
        rows.append(list(values.values()))
    rows[150] = [""] * len(xzcf_required)  # a blank row on the way
    path = write_csv([xzcf_required, *rows], newline="\n")
    with open_table(path, xzcf) as table:
        assert (table.row_count, table.skipped_blank_rows) == (299, 1)
        batches = list(table.batches(size=64))
    assert [b.height for b in batches] == [64, 64, 64, 64, 43]
    read = pl.concat(batches)
    assert read["__row__"].to_list() == [i + 2 for i in range(300) if i != 150]
    assert read["CF_WSH"].to_list() == [f"文号{i}" for i in range(300) if i != 150]
    assert read.filter(pl.col("CF_WSH") == "文号7")["CF_SY"].item() == ('第7条\n"续"\n' * 3).strip()
    assert read.dtypes[0] == pl.Int64 and set(read.dtypes[1:]) == {pl.String}


def test_batches_columns_follow_the_catalog(xzcf, xzcf_required, xzcf_row, write_csv):
    headers = list(reversed(xzcf_required))
    path = write_csv([headers, list(reversed(list(xzcf_row.values())))])
    with open_table(path, xzcf) as table:
        [batch] = table.batches()
        codes = [f["code"] for f in xzcf["fields"] if f["required"] is True]
        assert batch.columns == ["__row__", *codes, "__raw__"]
        assert table.source_headers == headers
        [lean] = table.batches(raw=False)
        assert lean.columns == ["__row__", *codes]


def test_raw_rows(xzcf, xzcf_required, xzcf_row, write_csv):
    rows = [list(dict(xzcf_row, 行政处罚决定书文号=f"文号{i}").values()) for i in range(5)]
    with open_table(write_csv([xzcf_required, *rows]), xzcf) as table:
        raw = table.raw_rows([3, 5, 99])
    assert sorted(raw) == [3, 5]
    assert json.loads(raw[5])["行政处罚决定书文号"] == "文号3"


def test_batches_can_be_read_twice(xzcf, xzcf_required, xzcf_row, write_csv):
    with open_table(write_csv([xzcf_required, list(xzcf_row.values())]), xzcf) as table:
        assert rows_of(table) == rows_of(table)


# ---- size and format --------------------------------------------------------------------

def test_too_large(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([xzcf_required, list(xzcf_row.values())])
    error = read_error(path, xzcf, max_bytes=100)
    assert error.code == "too_large"
    assert f"文件大小为{path.stat().st_size}字节，超过了上限100字节" in error.message


@pytest.mark.parametrize(("content", "fragment"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"%PDF-1.7\n", "PDF"),
])
def test_foreign_formats(xzcf, tmp_path, content, fragment):
    path = tmp_path / "upload"
    path.write_bytes(content)
    error = read_error(path, xzcf)
    assert error.code == "format" and fragment in error.message


def test_unknown_extension(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([xzcf_required, list(xzcf_row.values())])
    error = read_error(path, xzcf, filename="处罚.docx")
    assert error.code == "format"
    assert error.message == "不支持的文件类型“.docx”：请提交CSV、XLSX或JSON文件"


def test_csv_named_xlsx(xzcf, xzcf_required, xzcf_row, write_csv):
    path = write_csv([xzcf_required, list(xzcf_row.values())])
    error = read_error(path, xzcf, filename="处罚.xlsx")
    assert error.code == "format" and "不是XLSX" in error.message


def test_content_decides_over_extension(xzcf, xzcf_required, xzcf_row, write_xlsx):
    path = write_xlsx({"XZCF": [xzcf_required, list(xzcf_row.values())]})
    with open_table(path, xzcf, filename="处罚.csv") as table:
        assert table.format == "xlsx"


# ---- XLSX -------------------------------------------------------------------------------

def test_xlsx_sheet_named_for_the_item(xzcf, xzcf_required, xzcf_row, write_xlsx):
    path = write_xlsx({"填表说明": [["请在XZCF表中填写"]],
                       "XZCF": [xzcf_required, list(xzcf_row.values())],
                       "代码表": [["法人及非法人组织"], ["自然人"]]})
    with open_table(path, xzcf) as table:
        assert (table.format, table.encoding, table.sheet) == ("xlsx", None, "XZCF")
        assert table.warnings == []
        [row] = rows_of(table)
    assert row["__row__"] == 2 and row["CF_XDR_MC"] == "青岛海睿智能科技有限公司"


def test_xlsx_sheet_named_by_item_name(xzcf, xzcf_required, xzcf_row, write_xlsx):
    path = write_xlsx({"其他": [["x"]], " 行政处罚信息 ": [xzcf_required, list(xzcf_row.values())]})
    with open_table(path, xzcf) as table:
        assert table.sheet == " 行政处罚信息 "


def test_xlsx_first_sheet_with_data_and_a_warning(xzcf, xzcf_required, xzcf_row, write_xlsx):
    path = write_xlsx({"空表": [], "Sheet1": [xzcf_required, list(xzcf_row.values())],
                       "Sheet2": [["旧数据"]], "Sheet3": [["备份"]]})
    with open_table(path, xzcf) as table:
        assert table.sheet == "Sheet1"
        assert table.warnings == ["工作簿有3个含数据的工作表，且没有以“行政处罚信息”或“XZCF”"
                                  "命名的：只读取了“Sheet1”，忽略了“Sheet2”、“Sheet3”"]


def test_xlsx_wrong_first_sheet_names_it_in_the_error(xzcf, xzcf_required, xzcf_row,
                                                      write_xlsx):
    path = write_xlsx({"说明": [["填表说明"]], "数据": [xzcf_required, list(xzcf_row.values())]})
    error = read_error(path, xzcf)
    assert error.code == "headers" and error.message.startswith("工作表“说明”：表头有误")


def test_xlsx_numbers_dates_merged_and_formulas(xzcf, xzcf_required, xzcf_row, write_xlsx):
    headers = [*xzcf_required, "罚款金额（万元）", "行政相对人代码_2（工商注册号）", "备注"]
    col = {h: i for i, h in enumerate(headers)}
    first = [*xzcf_row.values(), None, None, None]
    second = list(first)

    def build(workbook, sheets):
        sheet = sheets["XZCF"]
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        stamp_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        sheet.write_number(1, col["行政相对人代码_2（工商注册号）"], 370212000123456)
        sheet.write_number(1, col["罚款金额（万元）"], 5)
        sheet.write_number(2, col["罚款金额（万元）"], 0.00005)
        sheet.write_datetime(1, col["处罚决定日期"], datetime.datetime(2024, 3, 5), date_format)
        sheet.write_datetime(2, col["处罚决定日期"], datetime.datetime(2024, 3, 5, 10, 30),
                             stamp_format)
        sheet.write_number(2, col["处罚有效期"], 45123)  # a date serial without date format
        sheet.write_formula(1, col["备注"], "=1+1", None, 2)
        sheet.write_boolean(2, col["备注"], True)
        sheet.merge_range(3, 0, 4, 0, "合并的名称")  # A4:A5

    path = write_xlsx({"XZCF": [headers, first, second, [None, "自然人"], [None, "个体工商户"]]},
                      build=build)
    with open_table(path, xzcf) as table:
        rows = rows_of(table)
        warnings = table.warnings
    assert [r["__row__"] for r in rows] == [2, 3, 4, 5]
    assert rows[0]["CF_XDR_GSZC"] == "370212000123456"
    assert rows[0]["CF_NR_FK"] == "5"
    assert rows[1]["CF_NR_FK"] == "0.00005"
    assert rows[0]["CF_JDRQ"] == "2024-03-05"
    assert rows[1]["CF_JDRQ"] == "2024-03-05 10:30:00"
    assert rows[1]["CF_YXQ"] == "45123"
    assert rows[0]["BZ"] == "2" and rows[1]["BZ"] == "true"
    assert (rows[2]["CF_XDR_MC"], rows[2]["CF_XDR_LB"]) == ("合并的名称", "自然人")
    assert (rows[3]["CF_XDR_MC"], rows[3]["CF_XDR_LB"]) == (None, "个体工商户")
    assert "A4:A5" in " ".join(warnings) and "合并单元格" in " ".join(warnings)
    assert any("1个公式单元格" in w for w in warnings)


def test_xlsx_formula_like_text_is_text(xzcf, xzcf_required, xzcf_row, write_xlsx):
    values = dict(xzcf_row, 行政相对人名称="=1+1", 违法行为类型="@x", 违法事实="a\x01b")
    path = write_xlsx({"XZCF": [xzcf_required, list(values.values())]})
    with open_table(path, xzcf) as table:
        [row] = rows_of(table)
        assert table.warnings == []
    assert (row["CF_XDR_MC"], row["CF_WFXW"], row["CF_SY"]) == ("=1+1", "@x", "a\x01b")


def test_xlsx_table_not_at_a1(xzcf, xzcf_required, xzcf_row, write_xlsx):
    data = [[], [], [None, *xzcf_required], [], [None, *xzcf_row.values()], [None, "x"]]
    with open_table(write_xlsx({"XZCF": data}), xzcf) as table:
        assert (table.row_count, table.skipped_blank_rows) == (2, 1)
        rows = rows_of(table)
    assert [r["__row__"] for r in rows] == [5, 6]
    assert rows[0]["CF_XDR_MC"] == "青岛海睿智能科技有限公司"


def test_xlsx_empty_header_names_worksheet_column(xzcf, xzcf_required, write_xlsx):
    data = [[None, xzcf_required[0], None, *xzcf_required[1:]], [None, "x", "y"]]
    error = read_error(write_xlsx({"XZCF": data}), xzcf)
    assert error.code == "headers" and "第2列（C列）的表头为空" in error.message


def test_xlsx_empty_workbook_and_headers_only(xzcf, xzcf_required, write_xlsx):
    assert read_error(write_xlsx({"Sheet1": []}), xzcf).code == "empty"
    error = read_error(write_xlsx({"XZCF": [xzcf_required]}, name="b.xlsx"), xzcf)
    assert (error.code, error.message) == ("empty", "工作表“XZCF”：文件只有表头，没有数据行")


def test_xlsx_empty_named_sheet(xzcf, xzcf_required, write_xlsx):
    error = read_error(write_xlsx({"XZCF": [], "Sheet2": [xzcf_required]}), xzcf)
    assert (error.code, error.message) == ("empty", "工作表“XZCF”是空的")


def test_xlsx_sheet_too_large_for_memory(xzcf, xzcf_required, xzcf_row, write_xlsx,
                                         monkeypatch):
    monkeypatch.setattr(limits, "XLSX_MAX_CELLS", 20)
    rows = [xzcf_required, list(xzcf_row.values())]
    error = read_error(write_xlsx({"XZCF": rows}), xzcf)
    assert error.code == "too_large"
    assert error.message.startswith(f"工作表“XZCF”有2行×{len(xzcf_required)}列，超过了XLSX")


def test_zip_bomb_is_refused_without_extracting(xzcf, tmp_path):
    path = tmp_path / "bomb.xlsx"
    zeros = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(zeros)
    assert path.stat().st_size < 1 << 20
    error = read_error(path, xzcf)
    assert error.code == "zip_bomb"
    assert "“xl/worksheets/sheet1.xml”" in error.message and "200.0 MiB" in error.message


def test_zip_total_size_limit(xzcf, xzcf_required, xzcf_row, write_xlsx, monkeypatch):
    monkeypatch.setattr(limits, "ZIP_MAX_TOTAL", 1000)
    error = read_error(write_xlsx({"XZCF": [xzcf_required, list(xzcf_row.values())]}), xzcf)
    assert error.code == "zip_bomb" and "超过了上限1000字节" in error.message


def test_corrupt_xlsx(xzcf, xzcf_required, xzcf_row, write_xlsx, tmp_path):
    good = write_xlsx({"XZCF": [xzcf_required, list(xzcf_row.values())]}).read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good[: len(good) // 2])
    assert read_error(truncated, xzcf).code == "format"
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    assert read_error(garbage, xzcf).code == "format"


def test_corrupt_sheet_xml(xzcf, tmp_path):
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=")
    assert read_error(path, xzcf).code == "format"


def test_zip_that_is_not_a_workbook(xzcf, tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    error = read_error(path, xzcf)
    assert error.code == "format" and "Word文档" in error.message


# ---- JSON -------------------------------------------------------------------------------

def test_json_array(xzcf, xzcf_row, write_json):
    rows = [dict(xzcf_row), {**xzcf_row, "行政处罚决定书文号": "二号"}]
    with open_table(write_json(rows), xzcf) as table:
        assert (table.format, table.encoding, table.row_count) == ("json", "utf-8", 2)
        read = rows_of(table)
    assert [r["__row__"] for r in read] == [1, 2]
    assert read[1]["CF_WSH"] == "二号"
    assert json.loads(read[0]["__raw__"]) == xzcf_row


def test_json_rows_object_and_scalars(xzcf, xzcf_row, write_json):
    row = {**xzcf_row, "行政相对人代码_2（工商注册号）": 370212000123456, "罚款金额（万元）": 5.0,
           "没收违法所得、没收非法财物的金额（万元）": 1.50, "备注": True, "失信程度": None}
    text = json.dumps({"item": "XZCF", "count": 2, "rows": [row, {}], "note": {"x": [1]}},
                      ensure_ascii=False).replace("1.5,", "1.50,")
    with open_table(write_json(text), xzcf) as table:
        assert (table.row_count, table.skipped_blank_rows) == (1, 1)
        [read] = rows_of(table)
    assert read["CF_XDR_GSZC"] == "370212000123456"
    assert read["CF_NR_FK"] == "5"
    assert read["CF_NR_WFFF"] == "1.50"
    assert read["BZ"] == "true"
    assert read["CF_SXCD"] is None


def test_json_nested_value_names_the_row(xzcf, xzcf_row, write_json):
    rows = [xzcf_row, xzcf_row, {**xzcf_row, "备注": {"a": 1}}]
    error = read_error(write_json(rows), xzcf)
    assert error.code == "format"
    assert error.message.startswith("JSON第3条记录的“备注”是嵌套的对象")


def test_json_row_that_is_not_an_object(xzcf, xzcf_row, write_json):
    error = read_error(write_json([xzcf_row, ["a", "b"]]), xzcf)
    assert error.code == "format" and "JSON第2条记录是数组" in error.message


def test_json_duplicate_key(xzcf, xzcf_row, write_json):
    text = json.dumps([xzcf_row], ensure_ascii=False)[:-2] + ', "备注": "1", "备注": "2"}]'
    error = read_error(write_json(text), xzcf)
    assert error.code == "format" and "第1条记录中键“备注”出现了不止一次" in error.message


def test_json_syntax_error_names_the_line(xzcf, xzcf_row, write_json):
    good = json.dumps(xzcf_row, ensure_ascii=False)
    error = read_error(write_json(f"[\n{good},\n{good}\n{good}]"), xzcf)
    assert error.code == "format" and error.message.startswith("JSON格式错误：第4行第1列")


def test_json_trailing_content(xzcf, xzcf_row, write_json):
    text = json.dumps([xzcf_row], ensure_ascii=False) + " []"
    assert read_error(write_json(text), xzcf).code == "format"


@pytest.mark.parametrize("value", [[], {"rows": []}])
def test_json_without_rows(xzcf, write_json, value):
    assert read_error(write_json(value), xzcf).code == "empty"


def test_json_object_without_rows(xzcf, xzcf_row, write_json):
    error = read_error(write_json({"data": [xzcf_row]}), xzcf)
    assert error.code == "format" and "“rows”" in error.message


def test_json_in_gbk(xzcf, xzcf_row, write_json):
    with open_table(write_json([xzcf_row], encoding="gbk"), xzcf) as table:
        assert table.encoding == "gb18030"
        assert rows_of(table)[0]["CF_XDR_MC"] == "青岛海睿智能科技有限公司"


def test_json_missing_keys_read_as_empty(xzcf, xzcf_row, write_json):
    rows = [xzcf_row, {**xzcf_row, "备注": "只有第二条有"}]
    with open_table(write_json(rows), xzcf) as table:
        read = rows_of(table)
    assert [r["BZ"] for r in read] == [None, "只有第二条有"]


def test_json_across_read_blocks(xzcf, xzcf_row, write_json, monkeypatch):
    monkeypatch.setattr(limits, "JSON_BLOCK", 7)  # the cursor reads 7 characters at a time
    rows = [{**xzcf_row, "罚款金额（万元）": 123456789 + i} for i in range(20)]
    with open_table(write_json(rows), xzcf) as table:
        read = rows_of(table)
    assert [r["CF_NR_FK"] for r in read] == [str(123456789 + i) for i in range(20)]


# ---- a million rows ---------------------------------------------------------------------

# Run in a fresh interpreter, so the peak RSS is the reader's alone (the allocator of this
# process keeps what writing the file took, and would lend it to the reader unseen).
READ_ALL = """
import json, resource, sys, time
from xinyong.collection.readers import open_table
item = json.loads(sys.stdin.read())
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
rows = last = 0
with open_table(sys.argv[1], item) as table:
    row_count = table.row_count
    for batch in table.batches():
        rows += batch.height
        last = batch["__row__"][-1]
        del batch
print(json.dumps({"rows": rows, "row_count": row_count, "last": last,
                  "seconds": time.perf_counter() - started, "baseline_kib": baseline,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("XINYONG_SLOW_TESTS") != "1",
                    reason="set XINYONG_SLOW_TESTS=1 to read a million rows")
def test_a_million_rows_in_bounded_memory(xzcf, tmp_path):
    path = xzcf_shaped_csv(tmp_path / "big.csv", xzcf, 1_000_000)
    done = subprocess.run([sys.executable, "-c", READ_ALL, str(path)],
                          input=json.dumps(xzcf, default=str), capture_output=True, text=True,
                          check=True, timeout=300)
    result = json.loads(done.stdout)
    assert (result["rows"], result["row_count"], result["last"]) == (1_000_000,) * 2 + (1_000_001,)
    grown_mib = (result["peak_kib"] - result["baseline_kib"]) / 1024
    assert grown_mib < 500, f"peak RSS grew by {grown_mib:.0f} MiB"
