"""The demo departments' submissions: files for every list and 双公示 item, in every format,
fed through collection with their deliberate defects accounted for."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from xinyong.catalog.models import ListType
from xinyong.collection.models import Batch, BatchRow
from xinyong.demo.generator import City, Size
from xinyong.demo.services import build_city
from xinyong.demo.submissions import SubjectPool, write_submissions
from xinyong.journal.services import verify
from xinyong.records.models import Record, RecordVersion

TINY = Size(enterprises=300, non_enterprises=60, persons=1_500)
TODAY = date(2026, 11, 20)
SEED = 5


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    """One build for the module (committed), emptied again afterwards like a transactional
    test would leave it."""
    with django_db_blocker.unblock():
        with override_settings(VAR_DIR=tmp_path_factory.mktemp("var")):
            result = build_city(TINY, seed=SEED, today=TODAY)
        yield result
        call_command("flush", interactive=False, verbosity=0)


def digests(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_every_list_and_double_publicity_item_arrives_in_every_format(built):
    report = built.submissions
    listed = set(ListType.objects.exclude(item=None).values_list("item__code", flat=True))
    submitted = {o.file.item for o in report.outcomes}
    assert listed | {"XZXK", "XZCF"} <= submitted
    assert {o.file.fmt for o in report.outcomes} == {"csv", "csv-bom", "gb18030", "xlsx",
                                                     "json"}
    for item in ("XZXK", "XZCF"):
        departments = {o.file.department for o in report.outcomes if o.file.item == item}
        assert len(departments) >= 8 and {"huangdao", "jimo", "pingdu"} <= departments
    for outcome in report.outcomes:
        path = outcome.file.path
        assert path.exists() and path.parent.name == outcome.file.department
        assert path.name.startswith(f"{outcome.file.item}-")
    assert (report.root / "manifest.json").exists()
    assert any("resubmission: scjgj XZCF-" in line for line in report.lines())


def test_every_batch_accounts_for_its_rows_and_only_the_deliberate_defects(built):
    outcomes = built.submissions.outcomes
    assert Batch.objects.count() == len(outcomes)
    for outcome in outcomes:
        batch = Batch.objects.get(pk=outcome.batch)
        assert batch.status == "done", (outcome.file.path, batch.error)
        assert batch.accounted and batch.total_rows == outcome.file.rows
        assert (batch.rejected, batch.waiting) == (outcome.file.expected_rejected,
                                                   outcome.file.expected_waiting), \
            (outcome.file.path, list(batch.rows.values_list("errors", flat=True)))
        assert batch.channel == "demo" and batch.actor == "demo"
    assert BatchRow.objects.filter(status="rejected").count() >= 20
    assert BatchRow.objects.filter(status="waiting").count() >= 20
    reasons = {row.errors[0]["code"] for row in BatchRow.objects.filter(status="rejected")}
    assert {"required", "invalid"} <= reasons
    assert verify().ok


def test_records_carry_publicity_windows_versions_and_timeliness(built):
    penalties = Record.objects.filter(item__code="XZCF")
    assert penalties.filter(published=True, publicity_end__isnull=False).exists()
    assert penalties.filter(on_time=True).exists() and penalties.filter(on_time=False).exists()
    resubmission = next(o for o in built.submissions.outcomes if o.file.resubmission)
    assert resubmission.updated >= 1 and resubmission.created >= 1
    updated = Record.objects.filter(batch_id=resubmission.batch, version=2)
    assert updated.count() == resubmission.updated
    assert RecordVersion.objects.filter(record__in=updated, version=1).count() == \
        resubmission.updated
    assert all("行政复议" in record.fields["BZ"] for record in updated)


def test_natural_persons_only_where_the_item_allows_them(built):
    people = Record.objects.filter(subject__base="person").select_related("item")
    assert people.filter(item__code__in=("XZCF", "SXBZXR")).exists()
    for record in people:
        assert "person" in record.item.subject_kinds, record.item.code


def test_same_seed_same_files(built, tmp_path):
    pool = SubjectPool(SEED, today=TODAY)
    pool.offer(City(SEED).subjects(TINY))
    again = tmp_path / "again"
    write_submissions(TINY, pool, again, seed=SEED, today=TODAY)
    first = digests(built.submissions.root)
    first.pop("manifest.json")
    assert digests(again) == first
    other = tmp_path / "other"
    write_submissions(TINY, pool, other, seed=SEED + 1, today=TODAY)
    assert digests(other) != first
