"""Loading: versions, diffs, inactive removals and the journal."""

import pytest

from xinyong.catalog.models import (
    CatalogVersion,
    Department,
    InformationItem,
    ListType,
    Measure,
)
from xinyong.catalog.services import CatalogInvalid, load_catalog
from xinyong.journal.models import Entry
from xinyong.journal.services import verify

from .conftest import edit

pytestmark = pytest.mark.django_db


def test_loading_twice_creates_one_version(catalog_copy):
    first = load_catalog(catalog_copy, actor="test")
    entries = Entry.objects.count()
    second = load_catalog(catalog_copy, actor="test")
    assert first.created and not second.created
    assert second.version.number == first.version.number == 1
    assert second.summary().startswith("catalog unchanged: version 1")
    assert CatalogVersion.objects.count() == 1
    assert Entry.objects.count() == entries


def test_first_load_journals_every_entry(catalog_copy):
    result = load_catalog(catalog_copy, actor="alice")
    counts = result.version.counts
    creates = Entry.objects.filter(action="create", actor="alice")
    assert creates.count() == sum(counts.values())
    assert creates.filter(object_type="catalog.item", object_id="XZCF").exists()
    event = Entry.objects.get(action="catalog_load")
    assert event.new["number"] == 1 and event.new["sha256"] == result.catalog.sha256
    assert verify().ok


def test_changing_one_field_records_exactly_that_change(catalog_copy):
    load_catalog(catalog_copy, actor="test")
    edit(catalog_copy / "items" / "xzcf.yaml", "name: 罚款金额（万元）",
         "name: 罚款金额（单位：万元）")
    result = load_catalog(catalog_copy, actor="bob")
    assert result.created and result.version.number == 2
    assert result.changes == {
        "items": {"added": [], "removed": [], "changed": {"XZCF": ["fields.CF_NR_FK"]}}}
    assert CatalogVersion.objects.get(number=2).changes == result.changes
    item = InformationItem.objects.get(code="XZCF")
    assert item.version == 2 and item.field("CF_NR_FK")["name"] == "罚款金额（单位：万元）"
    update = Entry.objects.get(action="update", actor="bob")
    assert (update.object_type, update.object_id) == ("catalog.item", "XZCF")
    old = {f["code"]: f for f in update.old["fields"]}
    new = {f["code"]: f for f in update.new["fields"]}
    assert old["CF_NR_FK"]["name"] == "罚款金额（万元）"
    assert new["CF_NR_FK"]["name"] == "罚款金额（单位：万元）"
    assert set(update.old) == set(update.new) == {"fields"}
    assert verify().ok


def test_scalar_and_relation_changes(catalog_copy):
    load_catalog(catalog_copy, actor="test")
    edit(catalog_copy / "departments.yaml", "short_name: 市教育局", "short_name: 教育局")
    edit(catalog_copy / "lists.yaml", "    department: sw\n    item: SSWF",
         "    department: czj\n    item: SSWF")
    result = load_catalog(catalog_copy, actor="test")
    assert result.changes["departments"]["changed"] == {"jyj": ["short_name"]}
    assert result.changes["list_types"]["changed"] == {"SSWF": ["department"]}
    assert ListType.objects.get(code="SSWF").department.code == "czj"
    update = Entry.objects.get(action="update", object_type="catalog.list_type")
    assert (update.old, update.new) == ({"department": "sw"}, {"department": "czj"})


def test_removed_entries_stay_inactive_and_are_journalled(catalog_copy):
    load_catalog(catalog_copy, actor="test")
    text = (catalog_copy / "measures.yaml").read_text(encoding="utf-8")
    start = text.index("  - code: TAX_A_FACILITATION")
    (catalog_copy / "measures.yaml").write_text(text[:start], encoding="utf-8")
    result = load_catalog(catalog_copy, actor="test")
    assert result.changes["measures"]["removed"] == ["TAX_A_FACILITATION"]
    measure = Measure.objects.get(code="TAX_A_FACILITATION")
    assert not measure.active
    deletion = Entry.objects.get(action="delete")
    assert deletion.object_id == "TAX_A_FACILITATION"
    assert deletion.old["list_types"] == ["NSXY_A"] and deletion.old["active"] is True
    (catalog_copy / "measures.yaml").write_text(text, encoding="utf-8")
    again = load_catalog(catalog_copy, actor="test")
    assert again.changes["measures"]["changed"] == {"TAX_A_FACILITATION": ["active"]}
    assert Measure.objects.get(code="TAX_A_FACILITATION").active


def test_comment_only_change_makes_a_version_without_data_changes(catalog_copy):
    load_catalog(catalog_copy, actor="test")
    path = catalog_copy / "lists.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    result = load_catalog(catalog_copy, actor="test")
    assert result.created and result.changes == {}
    assert "no data changes" in result.summary()


def test_invalid_catalog_writes_nothing(catalog_copy):
    edit(catalog_copy / "lists.yaml", "item: HG_AEO", "item: HG_NOPE")
    with pytest.raises(CatalogInvalid) as caught:
        load_catalog(catalog_copy, actor="test")
    assert "unknown item 'HG_NOPE'" in str(caught.value.errors[0])
    assert not Department.objects.exists() and not CatalogVersion.objects.exists()
    assert not Entry.objects.exists()


def test_header_change_is_recorded(catalog_copy):
    load_catalog(catalog_copy, actor="test")
    edit(catalog_copy / "catalog.yaml", 'edition: "2026.1"', 'edition: "2026.2"')
    result = load_catalog(catalog_copy, actor="test")
    assert result.changes == {"header": ["edition"]}
    assert str(result.version) == "v2 (2026.2)"


def test_load_needs_an_actor(catalog_copy):
    with pytest.raises(ValueError):
        load_catalog(catalog_copy, actor="")


def test_default_path_is_the_settings_catalog_dir(settings, catalog_copy):
    settings.CATALOG_DIR = catalog_copy
    assert load_catalog(actor="test").catalog.root == catalog_copy.resolve()
