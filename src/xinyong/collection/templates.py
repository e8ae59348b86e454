"""Submission templates (填报模板) for catalog items: an XLSX workbook and CSV files.

The workbook's sheets, in order:

- 说明: the item, its legal basis and providers, and how to fill in and submit the file;
- the data sheet, named after the item code (readers pick the sheet by that name): row 1
  holds the Chinese field names and nothing else, so the file is submitted as filled in;
- 填写说明: one row per field (type, requirement, allowed values, formats, disclosure);
- 填写示例: the header and one valid example row (kept off the data sheet so it is never
  submitted as data);
- 代码表 (hidden): the values of every enumeration, for drop-downs too long to list inline.

Dates: the data sheet formats date columns as text ("@"), so "2026/11/02" stays exactly as
typed instead of becoming a serial number shown in the machine's locale; readers accept the
text forms and real Excel dates (a pasted date cell keeps its date type). Code and identifier
columns are text too, so an 18-digit number is never shown as 1.23E+17 or rounded.
"""

import io
import re
from collections.abc import Mapping
from datetime import date

import xlsxwriter

from xinyong.catalog.conditions import evaluate, fields_named
from xinyong.collection.validation import conditions as validation_conditions
from xinyong.core.identifiers import make_org_code, make_resident_id, make_uscc

from .workbooks import TableFormats, column_width, csv_lines, standard_formats, write_table

__all__ = ["CODE_SHEET", "DATE_FORMATS", "EXAMPLE_SHEET", "LAST_ROW", "MULTI_SEPARATOR",
           "NOTES_SHEET", "README_SHEET", "as_record", "csv_example", "csv_template",
           "describe_condition", "example_row", "requirement_text", "xlsx_template"]

README_SHEET, NOTES_SHEET, EXAMPLE_SHEET, CODE_SHEET = "说明", "填写说明", "填写示例", "代码表"
LAST_ROW = 100_000  # validations and formats cover data rows 2..100001 (0-based 1..100000)
DATE_FORMATS = "YYYY/MM/DD、YYYY-MM-DD、Excel 日期"
# The catalog separates multiple values with ";" (README "Fields"): several enumeration
# values themselves contain "、" (e.g. 以伪造证据、暴力、威胁等方法妨碍、抗拒执行).
MULTI_SEPARATOR = "；"
INLINE_LIST_LIMIT = 255  # Excel's limit for a list validation written inline

TYPE_NAMES = {"string": "文本", "text": "长文本", "date": "日期", "decimal": "数值",
              "integer": "整数", "enum": "代码（单选）", "multi_enum": "代码（可多选）",
              "identifier": "代码", "boolean": "是/否"}
SCHEME_NAMES = {"uscc": "18位统一社会信用代码", "org_code": "组织机构代码",
                "resident_id": "居民身份证号码", "id_document": "证件号码",
                "registration_no": "工商注册号", "other": "编号"}
DISCLOSURE_NAMES = {"public": "公开公示", "authorised": "授权查询（本人及其授权的单位）",
                    "government": "政务共享", "internal": "仅平台内部使用"}
NATURE_NAMES = {"basic": "基础信息", "dishonest": "失信信息", "trustworthy": "守信信息",
                "other": "其他信息"}
_TEXT_TYPES = ("string", "text", "identifier", "enum", "multi_enum", "date", "boolean")


# ---- reading fields in Chinese ----------------------------------------------------------

def _names(item: dict) -> dict[str, str]:
    return {f["code"]: f["name"] for f in item["fields"]}


def describe_condition(predicate: dict, names: Mapping[str, str]) -> str:
    """A catalog predicate in Chinese words, field names quoted, e.g. “处罚类别”包含“罚款”."""
    quoted = {code: f"“{names.get(code, code)}”" for code in fields_named(predicate)}
    return validation_conditions.describe_condition(predicate, quoted)


def requirement_text(field: dict) -> str:
    if field["required"] == "conditional":
        return "条件必填"
    return "必填" if field["required"] is True else "选填"


def _condition_text(field: dict, names: Mapping[str, str]) -> str:
    if field["required"] != "conditional" or not field.get("condition"):
        return ""
    return f"当{describe_condition(field['condition'], names)}时必填"


def _type_text(field: dict) -> str:
    kind = field["type"]
    if kind == "identifier":
        return SCHEME_NAMES.get(field.get("scheme") or "other", "代码")
    if kind == "decimal" and field.get("unit") == "万元":
        return "金额（万元）"
    text = TYPE_NAMES.get(kind, kind)
    return f"{text}（{field['unit']}）" if field.get("unit") else text


def _format_text(field: dict) -> str:
    parts = []
    if field["type"] == "date":
        parts.append(f"可填 {DATE_FORMATS}")
        if field.get("long_term"):
            parts.append(f"{_slashed(field['long_term'])} 表示长期")
    if field["type"] == "multi_enum":
        parts.append(f"多个值以分号“{MULTI_SEPARATOR}”分隔")
    if field.get("scale") is not None:
        parts.append(f"最多{field['scale']}位小数")
    if field["type"] == "identifier":
        parts.append("按文本填写，不要加空格")
    return "；".join(parts)


def _slashed(iso: str) -> str:
    return str(iso).replace("-", "/")


def _officer_note(note: str) -> str:
    """The field's note when it is written for officers (mainly Chinese); notes the catalog
    writes in English are for engineers and are not shown in templates."""
    note = " ".join((note or "").split())
    cjk = sum(1 for c in note if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in note if c.isascii() and c.isalpha())
    return note if cjk >= latin else ""


def _values_text(field: dict) -> str:
    text = "\n".join(field.get("values") or [])
    if field.get("legacy_values"):
        text += "\n（历史数据另接受：" + "；".join(field["legacy_values"]) + "）"
    return text


def _short_rule(field: dict, names: Mapping[str, str]) -> str:
    """The header comment: requirement, type and the one rule an officer needs at hand."""
    rule = _condition_text(field, names) or requirement_text(field)
    parts = [f"{field['code']}｜{rule}", _type_text(field)]
    if field.get("max_length"):
        parts.append(f"最多{field['max_length']}个字符")
    if field["type"] == "enum":
        parts.append("从下拉列表选择")
    parts.append(_format_text(field))
    return "；".join(p for p in parts if p)


# ---- the example row --------------------------------------------------------------------

# Text examples chosen by keywords in the field name, first match wins ({y}: the year).
_TEXT_EXAMPLES = (
    (("案号",), "（{y}）鲁02执128号"),
    (("文书名称",), "准予行政许可决定书"),
    (("证照",), "食品经营许可证（JY13702120012345）"),
    (("证书名称",), "食品经营许可证"),
    (("许可编号", "证书编号"), "JY13702120012345"),
    (("处罚决定书文号",), "青市监罚〔{y}〕128号"),
    (("文号", "文书号", "编号"), "青市监字〔{y}〕128号"),
    (("行业代码",), "C3911"),
    (("编码", "代码"), "3702960001"),
    (("法定代表人", "负责人", "姓名"), "王海"),
    (("名单名称",), "重点关注对象名单"),
    (("法院",), "青岛市中级人民法院"),
    (("海关",), "青岛海关"),
    (("税务机关",), "国家税务总局青岛市税务局"),
    (("机关", "单位"), "青岛市市场监督管理局"),
    (("地址", "住所"), "山东省青岛市崂山区海尔路1号"),
    (("名称", "当事人", "供应商", "纳税人", "主体"), "青岛海睿智能科技有限公司"),
    (("依据",), "《中华人民共和国食品安全法》第一百二十四条第一款"),
    (("违法行为",), "生产经营不符合食品安全标准的食品"),
    (("企业类型",), "有限责任公司"),
    (("案件性质",), "偷税"),
    (("行业名称",), "计算机制造"),
    (("币种",), "人民币"),
    (("经营范围",), "计算机软硬件开发、销售；信息技术咨询服务。"),
    (("原因",), "已补报年度报告并公示"),
    (("义务",), "偿还借款本金10万元及利息"),
    (("处罚内容", "处罚结果", "处理决定"), "罚款2000元"),
    (("许可内容",), "预包装食品销售（含冷藏冷冻食品）"),
    (("事实", "事由", "情形", "行为", "情况"),
     "经查，当事人于{y}年8月销售不符合食品安全标准的食品，货值金额1000元。"),
)
_SUBJECT_USCC = make_uscc("9", "1", "370212", "MA3C4D5E")
_AUTHORITY_USCC = make_uscc("1", "1", "370200", "00430028")
_RESIDENT_ID = make_resident_id("370202", date(1985, 3, 9), 123)
_END_WORDS = ("截止", "届满", "至")


def _registration_no(first14: str) -> str:
    """A 15-digit 工商注册号 with its ISO 7064 MOD 11,10 check digit."""
    product = 10
    for digit in first14:
        total = (product + int(digit)) % 10 or 10
        product = total * 2 % 11
    return first14 + str((11 - product) % 10)


def _text_example(field: dict, year: int) -> str:
    name = field["name"]
    text = next((example for words, example in _TEXT_EXAMPLES
                 if any(w in name for w in words)), f"示例{name}")
    return text.format(y=year)


def _identifier_example(field: dict, item: dict) -> str:
    scheme = field.get("scheme") or "other"
    subject = field["code"] in item.get("subject_code_fields", [])
    if scheme in ("resident_id", "id_document"):
        return _RESIDENT_ID
    if scheme == "org_code":
        return make_org_code(_SUBJECT_USCC[8:16])
    if scheme == "registration_no":
        return _registration_no("37021200012345")
    return _SUBJECT_USCC if subject or scheme == "other" else _AUTHORITY_USCC


def _date_example(field: dict, item: dict, today: date) -> str:
    if field.get("long_term"):
        return _slashed(field["long_term"])
    is_end = field["code"] == item.get("validity_end_field") or any(
        w in field["name"] for w in _END_WORDS)
    day = today.replace(year=today.year + 3, day=min(today.day, 28)) if is_end else today
    return day.strftime("%Y/%m/%d")


def _activating_values(item: dict) -> dict[str, list[str]]:
    """Per field, the values other fields' conditions compare it with (in rule order)."""
    found: dict[str, list[str]] = {}

    def walk(p: dict):
        for key in ("when", "not"):
            if key in p:
                walk(p[key])
        for key in ("all", "any"):
            for sub in p.get(key, []):
                walk(sub)
        for key in ("equals", "in", "contains", "contains_any"):
            if key in p:
                values = p[key] if isinstance(p[key], list) else [p[key]]
                found.setdefault(p["field"], []).extend(str(v) for v in values)

    for f in item["fields"]:
        if f.get("condition"):
            walk(f["condition"])
    return found


def _enum_example(field: dict, activating: dict[str, list[str]]) -> str:
    """The first value that makes another field required (so the example shows the
    conditional fields filled in), else the first value."""
    wanted = set(activating.get(field["code"], []))
    return next((v for v in field["values"] if v in wanted), field["values"][0])


def _example_value(field: dict, item: dict, today: date, activating: dict) -> str:
    kind = field["type"]
    if kind in ("enum", "multi_enum"):
        return _enum_example(field, activating)
    if kind == "date":
        return _date_example(field, item, today)
    if kind == "identifier":
        value = _identifier_example(field, item)
    elif kind == "decimal":
        value = "0.2" if field.get("unit") == "万元" else "100"
    elif kind == "integer":
        value = str(today.year - 1) if "年" in field["name"] else "1"
    elif kind == "boolean":
        value = "是"
    else:
        value = _text_example(field, today.year)
    return value[: field["max_length"]] if field.get("max_length") else value


def as_record(item: dict, row: Mapping[str, str]) -> dict:
    """Row values keyed by field code as the condition language reads them: multi-value
    fields split into lists."""
    multi = {f["code"] for f in item["fields"] if f["type"] == "multi_enum"}
    return {code: [v for v in re.split(r"[;；]", value) if v.strip()] if code in multi else value
            for code, value in row.items()}


def _fill_conditionals(item: dict, row: dict, today: date, activating: dict) -> None:
    """Fill every conditional field whose condition holds, until nothing changes (filling
    one may make another's condition hold)."""
    for _ in item["fields"]:
        record = as_record(item, row)
        due = [f for f in item["fields"] if f["required"] == "conditional" and not row[f["code"]]
               and evaluate(f["condition"], record)]
        if not due:
            return
        for f in due:
            row[f["code"]] = _example_value(f, item, today, activating)


def example_row(item: dict, *, today: date | None = None) -> dict[str, str]:
    """A realistic, valid example keyed by field code: the required fields and the conditional
    fields the example's own values make required; optional fields are left blank."""
    today = today or date.today()
    activating = _activating_values(item)
    row = {f["code"]: "" for f in item["fields"]}
    for f in item["fields"]:
        if f["required"] is True:
            row[f["code"]] = _example_value(f, item, today, activating)
    _fill_conditionals(item, row, today, activating)
    return row


# ---- CSV --------------------------------------------------------------------------------

def csv_template(item: dict) -> bytes:
    """UTF-8 (with BOM) CSV holding only the header row of Chinese field names."""
    return b"".join(csv_lines([f["name"] for f in item["fields"]], []))


def csv_example(item: dict, *, today: date | None = None) -> bytes:
    """The CSV template with one example row."""
    example = example_row(item, today=today)
    values = [example[f["code"]] for f in item["fields"]]
    return b"".join(csv_lines([f["name"] for f in item["fields"]], [values]))


# ---- XLSX -------------------------------------------------------------------------------

def _header_format(field: dict, fmt: dict):
    if field["required"] == "conditional":
        return fmt["conditional_header"]
    return fmt["required_header"] if field["required"] is True else fmt["optional_header"]


def _width(field: dict) -> int:
    minimum = {"date": 14, "identifier": 22, "text": 36, "decimal": 14}.get(field["type"], 14)
    if field["type"] == "string" and (field.get("max_length") or 0) >= 100:
        minimum = 24
    return column_width(field["name"], minimum=minimum, maximum=40)


def _provider_text(item: dict, departments: Mapping[str, str] | None) -> str:
    departments = departments or {}
    return "、".join(departments.get(code, code) for code in item.get("providers", []))


def _how_to_submit(item: dict) -> str:
    return (
        f"请在“{item['code']}”工作表第1行表头下方逐行填写，每行一条记录；不要修改表头文字，"
        "不要合并单元格，也不要把示例或说明写进该表（示例见“填写示例”表）。表头底色：红色为"
        "必填，黄色为条件必填（满足条件时必填），灰色为选填；把鼠标移到表头可查看填写要求，详细"
        "规则见“填写说明”表。日期请填 YYYY/MM/DD（也接受 YYYY-MM-DD 或 Excel 日期）；可多选的"
        f"代码以分号“{MULTI_SEPARATOR}”分隔；统一社会信用代码、证件号码等按文本填写。以 = + - @ "
        "开头的内容一律按文本保存，不会作为公式计算。填写完成后保存为 xlsx 文件，在信用信息平台"
        "“数据归集”中上传；也可另存为 CSV（UTF-8）文件上传，表头可用中文名称或字段代码。平台逐行"
        "校验，未通过的行可下载为带“错误说明”列的工作簿，按说明修改后直接重新上传（“原行号”"
        "“错误说明”两列上传时自动忽略）。"
    )


def _write_readme(wb, item: dict, fmt: dict, departments) -> None:
    ws = wb.add_worksheet(README_SHEET)
    ws.set_column(0, 0, 14, fmt["bold"])
    ws.set_column(1, 1, 100, fmt["wrap"])
    ws.write_string(0, 0, f"{item['name']}（{item['code']}）填报模板", fmt["title"])
    rows = [("信息事项", item["name"]), ("事项代码", item["code"]),
            ("信息性质", NATURE_NAMES.get(item.get("nature", ""), item.get("nature", ""))),
            ("设定依据", (item.get("legal_basis") or "").strip()),
            ("提供单位", _provider_text(item, departments)),
            ("填报方法", _how_to_submit(item))]
    write_table(ws, ["项目", "内容"], rows, TableFormats(header=fmt["header"]), first_row=2)


def _code_columns(item: dict) -> dict[str, int]:
    enums = [f for f in item["fields"] if f["type"] in ("enum", "multi_enum")]
    return {f["code"]: col for col, f in enumerate(enums)}


def _code_refs(item: dict) -> dict[str, str]:
    """Each enumeration's range on the 代码表 sheet (header in row 1, values below)."""
    refs = {}
    fields = {f["code"]: f for f in item["fields"]}
    for code, col in _code_columns(item).items():
        letter = xlsxwriter.utility.xl_col_to_name(col)
        last = len(fields[code]["values"]) + 1
        refs[code] = f"='{CODE_SHEET}'!${letter}$2:${letter}${last}"
    return refs


def _write_code_table(wb, item: dict, fmt: dict) -> None:
    """The hidden 代码表 sheet: one column of values per enumeration."""
    ws = wb.add_worksheet(CODE_SHEET)
    fields = {f["code"]: f for f in item["fields"]}
    for code, col in _code_columns(item).items():
        field = fields[code]
        ws.set_column(col, col, column_width(field["name"]), fmt["text"])
        ws.write_string(0, col, field["name"], fmt["header"])
        for row, value in enumerate(field["values"], start=1):
            ws.write_string(row, col, value)
    ws.hide()


def _inline_list(values: list[str]) -> bool:
    """Whether Excel can hold the list inline (its limit counts UTF-16 units)."""
    joined = ",".join(values)
    return (len(joined.encode("utf-16-le")) // 2 <= INLINE_LIST_LIMIT
            and not any("," in v or '"' in v for v in values))


def _enum_validation(field: dict, ref: str) -> dict:
    source = field["values"] if _inline_list(field["values"]) else ref
    message = "请从下拉列表中选择。"
    if field.get("legacy_values"):
        message += "历史数据可填旧标准的代码值。"
    return {"validate": "list", "source": source, "error_type": "warning",
            "error_title": "不在可选值中", "error_message": message + "详见“填写说明”。"}


def _input(title: str, message: str) -> dict:
    return {"input_title": title[:32], "input_message": message[:255]}


def _validation(field: dict, refs: dict[str, str]) -> dict | None:
    """The Excel validation for a column: drop-down, input hint or limit."""
    kind = field["type"]
    if kind == "enum":
        return _enum_validation(field, refs[field["code"]])
    if kind == "multi_enum":
        return {"validate": "any", **_input(
            "可多选", f"可填多个值，以分号“{MULTI_SEPARATOR}”分隔；可选值见“填写说明”表。")}
    if kind == "date":
        return {"validate": "any", **_input("日期格式", f"请填 {DATE_FORMATS}，如 2026/11/02。")}
    if kind in ("decimal", "integer"):
        unit = f"，单位：{field['unit']}" if field.get("unit") else ""
        return {"validate": kind, "criteria": ">=", "value": 0, "error_type": "warning",
                "error_title": "请填写数字", "error_message": f"请填写不小于0的数字{unit}。",
                **_input("数值", f"请填写数字{unit}。")}
    if field.get("max_length"):
        return {"validate": "length", "criteria": "<=", "value": field["max_length"],
                "error_type": "warning", "error_title": "内容过长",
                "error_message": f"最多{field['max_length']}个字符。"}
    return None


def _write_data_sheet(wb, item: dict, fmt: dict, refs: dict[str, str]) -> None:
    ws = wb.add_worksheet(item["code"])
    names = _names(item)
    fields = item["fields"]
    for col, field in enumerate(fields):
        text = fmt["text"] if field["type"] in _TEXT_TYPES else None
        ws.set_column(col, col, _width(field), text)
        ws.write_comment(0, col, _short_rule(field, names), {"x_scale": 2, "y_scale": 1.5})
        validation = _validation(field, refs)
        if validation and ws.data_validation(1, col, LAST_ROW, col, validation) != 0:
            raise ValueError(f"{item['code']}.{field['code']}: Excel refused the validation")
    write_table(ws, [f["name"] for f in fields], [],
                TableFormats(header=[_header_format(f, fmt) for f in fields]))
    ws.set_row(0, 36)
    ws.freeze_panes(1, 0)


def _note_row(index: int, field: dict, names: Mapping[str, str]) -> list:
    aliases = [a for a in field.get("aliases") or [] if a != field["name"]]
    return [index, field["name"], field["code"], "、".join(aliases),
            _type_text(field), requirement_text(field), _condition_text(field, names),
            _values_text(field), field.get("max_length") or "", _format_text(field),
            _officer_note(field.get("note", "")),
            DISCLOSURE_NAMES.get(field.get("disclosure", ""), field.get("disclosure", ""))]


_NOTE_HEADERS = [("序号", 6), ("列名（表头）", 24), ("字段代码", 16), ("也可用的列名", 18),
                 ("数据类型", 16), ("是否必填", 10), ("必填条件", 30), ("可选值", 30),
                 ("最大长度", 10), ("格式要求", 30), ("说明", 40), ("披露方式", 16)]


def _write_notes(wb, item: dict, fmt: dict) -> None:
    ws = wb.add_worksheet(NOTES_SHEET)
    names = _names(item)
    for col, (_, width) in enumerate(_NOTE_HEADERS):
        ws.set_column(col, col, width, fmt["wrap"])
    rows = [_note_row(i, f, names) for i, f in enumerate(item["fields"], start=1)]
    write_table(ws, [h for h, _ in _NOTE_HEADERS], rows, TableFormats(header=fmt["header"]))
    ws.freeze_panes(1, 3)


def _write_example(wb, item: dict, fmt: dict, today: date | None) -> None:
    ws = wb.add_worksheet(EXAMPLE_SHEET)
    example = example_row(item, today=today)
    for col, field in enumerate(item["fields"]):
        ws.set_column(col, col, _width(field), fmt["text"])
    write_table(ws, [f["name"] for f in item["fields"]],
                [[example[f["code"]] for f in item["fields"]]],
                TableFormats(header=[_header_format(f, fmt) for f in item["fields"]]))
    ws.set_row(0, 36)
    ws.freeze_panes(1, 0)


def xlsx_template(item: dict, *, departments: Mapping[str, str] | None = None,
                  today: date | None = None) -> bytes:
    """The XLSX submission template of an item. `departments` maps provider codes to names
    (codes are shown when it is left out); `today` dates the example row."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties({"title": f"{item['name']}填报模板", "subject": item["code"]})
    fmt = standard_formats(wb)
    _write_readme(wb, item, fmt, departments)
    _write_data_sheet(wb, item, fmt, _code_refs(item))
    _write_notes(wb, item, fmt)
    _write_example(wb, item, fmt, today)
    _write_code_table(wb, item, fmt)
    wb.close()
    return buffer.getvalue()
