"""Fixtures for collection tests: the real Qingdao catalog items and writers of department
files (CSV in any encoding, XLSX, JSON) in tmp_path. No database is needed."""

import json
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from xinyong.catalog.loader import parse_catalog

QINGDAO_DIR = Path(__file__).resolve().parents[2] / "catalog" / "qingdao"


@pytest.fixture(scope="session")
def qingdao_items() -> dict[str, dict]:
    """Catalog items of the shipped Qingdao catalog, by code."""
    result = parse_catalog(QINGDAO_DIR)
    assert result.ok, result.errors
    return {item["code"]: item for item in result.catalog.items}


@pytest.fixture(scope="session")
def xzcf(qingdao_items) -> dict:
    """行政处罚信息: the item most departments submit."""
    return qingdao_items["XZCF"]


@pytest.fixture(scope="session")
def xzcf_required(xzcf) -> list[str]:
    """Chinese names of XZCF's required fields, in catalog order: a minimal header row."""
    return [f["name"] for f in xzcf["fields"] if f["required"] is True]


@pytest.fixture(scope="session")
def xzcf_row(xzcf) -> dict[str, str]:
    """One plausible value per XZCF required field, keyed by the field's Chinese name."""
    values = {
        "CF_XDR_MC": "青岛海睿智能科技有限公司", "CF_XDR_LB": "法人及非法人组织",
        "CF_WSH": "青市监罚〔2024〕12号", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告",
        "CF_YJ": "《中华人民共和国广告法》第五十五条", "CF_CFLB": "罚款",
        "CF_NR": "罚款人民币5万元",
        "CF_JDRQ": "2024-03-05", "CF_YXQ": "2025-03-05", "CF_CFJG": "青岛市市场监督管理局",
        "CF_CFJGDM": "11370200MB1234567X", "CF_SJLY": "青岛市市场监督管理局",
        "CF_SJLYDM": "11370200MB1234567X",
    }
    return {f["name"]: values[f["code"]] for f in xzcf["fields"] if f["required"] is True}


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, encoding="utf-8", name="data.csv") → Path. `rows` are lists of cells,
    quoted as Excel does (only when needed); or pass `text=` for the exact content."""

    def write(rows=None, *, encoding="utf-8", name="data.csv", text=None, newline="\r\n"):
        if text is None:
            text = "".join(",".join(_csv_cell(c) for c in row) + newline for row in rows)
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def _csv_cell(value) -> str:
    text = "" if value is None else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


@pytest.fixture
def write_xlsx(tmp_path):
    """write_xlsx({sheet name: rows}, name="data.xlsx", build=None) → Path. `build(workbook,
    sheets)` may add merged ranges, formulas, dates and the like before the file is closed."""

    def write(sheets: dict[str, list[list]], *, name="data.xlsx", build=None):
        path = tmp_path / name
        workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
        made = {}
        for sheet_name, rows in sheets.items():
            sheet = made[sheet_name] = workbook.add_worksheet(sheet_name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)
        if build:
            build(workbook, made)
        workbook.close()
        return path

    return write


@pytest.fixture
def write_json(tmp_path):
    """write_json(value, name="data.json", encoding="utf-8") → Path; a str is written as is."""

    def write(value, *, name="data.json", encoding="utf-8"):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def xzcf_shaped_csv(path: Path, item: dict, rows: int) -> Path:
    """A large XZCF-shaped UTF-8 CSV written by polars (1 M rows ≈ 250 MB in a few seconds):
    every field's Chinese name as header, required fields filled, most optional ones empty."""
    index = pl.int_range(0, rows, eager=True)
    columns = {f["name"]: _generated(f, index) for f in item["fields"]}
    pl.select(**columns).write_csv(path)
    return path


def _generated(f: dict, index: pl.Series) -> pl.Expr:
    text = index.cast(pl.String)
    if f["required"] is not True and f["code"] not in ("CF_XDR_SHXYM", "CF_FRDB", "CF_NR_FK"):
        return pl.lit(None, pl.String)
    if f["type"] == "date":
        return pl.lit("2024-03-") + (index % 28 + 1).cast(pl.String).str.zfill(2)
    if f["type"] in ("enum", "multi_enum"):
        return pl.lit(f["values"][0])
    if f["type"] == "decimal":
        return (index % 1000).cast(pl.String) + pl.lit(".5")
    if f["type"] == "identifier":
        return pl.lit("91370200MA3C") + text.str.zfill(6)
    return pl.lit(f["name"][:2]) + text
