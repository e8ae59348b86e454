"""`xinyong catalog check | load | list | show` through call_command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import QINGDAO_DIR, edit, line_of


def run(*args) -> str:
    out = StringIO()
    call_command("catalog", *args, stdout=out)
    return out.getvalue()


def test_check_prints_a_summary():
    output = run("check", "--path", str(QINGDAO_DIR))
    assert output.startswith(f"{QINGDAO_DIR}: OK — 60 departments, 13 items")


def test_check_prints_errors_one_per_line_and_fails(catalog_copy):
    path = catalog_copy / "lists.yaml"
    edit(path, "item: HG_AEO", "item: HG_NOPE")
    out = StringIO()
    with pytest.raises(CommandError, match=r"^1 error\(s\) in the catalog$"):
        call_command("catalog", "check", "--path", str(catalog_copy), stdout=out)
    assert out.getvalue().splitlines() == [
        f"{path}:{line_of(path, 'HG_NOPE')}: list type HG_AEO: unknown item 'HG_NOPE'"]


@pytest.mark.django_db
def test_load_prints_the_version_and_changes(catalog_copy):
    output = run("load", "--path", str(catalog_copy), "--actor", "test")
    assert output.startswith("catalog version 1 loaded: ")
    assert "  items: added " in output
    assert run("load", "--path", str(catalog_copy)).startswith("catalog unchanged: version 1")
    edit(catalog_copy / "items" / "xzcf.yaml", "name: 罚款金额（万元）", "name: 罚款金额")
    assert run("load", "--path", str(catalog_copy)).splitlines() == [
        "catalog version 2 loaded: items +0 ~1 -0", "  items: changed XZCF (fields.CF_NR_FK)"]


@pytest.mark.django_db
def test_load_of_a_broken_catalog_fails(catalog_copy):
    edit(catalog_copy / "lists.yaml", "item: HG_AEO", "item: HG_NOPE")
    with pytest.raises(CommandError, match="error"):
        call_command("catalog", "load", "--path", str(catalog_copy), stdout=StringIO())


@pytest.mark.django_db
def test_list_json(qingdao_catalog):
    listing = json.loads(run("list", "--json"))
    items = {i["code"]: i for i in listing["items"]}
    assert items["XZCF"]["nature"] == "dishonest" and "scjgj" in items["XZCF"]["providers"]
    assert {t["code"]: t["nature"] for t in listing["list_types"]}["NSXY_A"] == "red"
    assert {m["code"] for m in listing["measures"]} >= {"PROCUREMENT_BAN", "GREEN_CHANNEL"}
    assert set(listing) == {"items", "list_types", "measures"}


@pytest.mark.django_db
def test_list_text(qingdao_catalog):
    output = run("list")
    assert "Information items (信息事项): 13" in output and "XZCF" in output


@pytest.mark.django_db
def test_list_without_a_loaded_catalog():
    with pytest.raises(CommandError, match="no catalog loaded"):
        run("list")


@pytest.mark.django_db
def test_show_item_with_fields_table(qingdao_catalog):
    output = run("show", "XZCF")
    assert output.startswith("item")
    assert "fields: 32" in output
    assert "if CF_CFLB contains 罚款" in output
    for code in ("CF_NR_FK", "CF_XDR_ZJHM", "CF_SXCD"):
        assert code in output


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "text"), [
    ("SXBZXR", "失信被执行人"), ("PROCUREMENT_BAN", "依据 basis"),
    ("XZCF_SERIOUS", "CF_SXCD equals 严重"), ("scjgj", "青岛市市场监督管理局"),
    ("gbf_2025_22", "国办发〔2025〕22号"), ("JYYC_UNREACHABLE", "JY_LRYY equals"),
])
def test_show_other_entries(qingdao_catalog, code, text):
    assert text in run("show", code)


@pytest.mark.django_db
@pytest.mark.django_db
def test_show_a_code_shared_by_an_item_and_a_list_type(qingdao_catalog):
    output = run("show", "JYYC")
    assert output.startswith("item")
    assert "\n\nlist type" in output and "SCJG_YZWF" in output


@pytest.mark.django_db
def test_show_unknown_code_is_a_one_line_error(qingdao_catalog):
    with pytest.raises(CommandError) as caught:
        run("show", "NOPE")
    assert str(caught.value) == "no catalog entry with code 'NOPE'"
