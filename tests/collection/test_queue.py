"""The linking queue's decisions: link, confirm a code as written, dismiss. Counts stay whole,
a decision resolves every waiting row with the same value, and each is journaled."""

from datetime import date
from pathlib import Path

import pytest

from xinyong.collection.models import Batch, BatchRow, LinkDecision
from xinyong.collection.queue import (
    QueueError,
    confirm_code,
    dismiss_row,
    link_key,
    link_row,
    waiting_like,
)
from xinyong.collection.services import ingest
from xinyong.core.identifiers import make_uscc
from xinyong.journal.models import Entry
from xinyong.journal.services import verify
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

from ..penalties import penalty_csv, penalty_row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 20)
# A well-formed USCC whose check character is wrong: the row waits for the credit centre.
GOOD = make_uscc("9", "1", "370202", "00000077")
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")


def submit(tmp_path, spec, rows, name="p.csv"):
    return ingest(penalty_csv(tmp_path / name, spec, rows), item_code="XZCF",
                  department_code="scjgj", actor="officer", today=TODAY)


def counts(batch):
    batch.refresh_from_db()
    assert batch.total_rows == batch.accepted + batch.rejected + batch.waiting
    return batch.accepted, batch.rejected, batch.waiting


@pytest.fixture
def two_batches(penalty, tmp_path):
    """Two batches, each with an accepted row and a row waiting on the same bad code."""
    first = submit(tmp_path, penalty, [
        penalty_row(penalty, 1),
        penalty_row(penalty, 2, CF_XDR_SHXYM=BAD, CF_XDR_MC="青岛校验有限公司")], "a.csv")
    second = submit(tmp_path, penalty, [
        penalty_row(penalty, 3),
        penalty_row(penalty, 4, CF_XDR_SHXYM=BAD, CF_XDR_MC="青岛校验有限公司")], "b.csv")
    assert counts(first) == counts(second) == (1, 0, 1)
    return first, second


def waiting_row(batch):
    return BatchRow.objects.get(batch=batch, status="waiting")


def test_link_resolves_every_row_with_the_same_code(two_batches, company):
    first, second = two_batches
    row = waiting_row(first)
    assert waiting_like(row) == 1
    resolved = link_row(row, company, actor="centre", reason="同一企业，代码校验位填错")
    assert len(resolved) == 2
    assert counts(first) == counts(second) == (2, 0, 0)
    assert (first.created_records, second.created_records) == (2, 2)
    for batch in (first, second):
        linked = BatchRow.objects.get(batch=batch, row_number=3)
        assert linked.status == "linked" and linked.resolved_by == "centre"
        assert linked.resolution == "同一企业，代码校验位填错" and linked.resolved_at
        assert Record.objects.get(pk=linked.record_id).subject == company
    decision = LinkDecision.objects.get()
    assert (decision.kind, decision.value, decision.subject) == ("code", BAD, company)
    entry = Entry.objects.filter(action="link").get()
    assert entry.actor == "centre" and entry.reason == "同一企业，代码校验位填错"
    assert [r["batch"] for r in entry.new["rows"]] == [first.pk, second.pk]
    assert verify().ok


def test_confirm_creates_the_subject_under_the_code_as_written(two_batches):
    first, second = two_batches
    resolved = confirm_code(waiting_row(second), actor="centre",
                            reason="经市场监管局核实，营业执照上即为此代码")
    assert len(resolved) == 2
    subject = Subject.objects.get(code=BAD)
    assert subject.name == "青岛校验有限公司" and subject.base == "enterprise"
    assert Record.objects.filter(subject=subject).count() == 2
    assert counts(first) == counts(second) == (2, 0, 0)
    assert LinkDecision.objects.get(kind="code", value=BAD).subject == subject
    created = Entry.objects.get(action="create", object_type="subject", object_id=BAD)
    assert created.reason == "经市场监管局核实，营业执照上即为此代码"
    assert created.new["check_character_confirmed"] is True
    assert Entry.objects.filter(action="confirm_code", actor="centre").count() == 1
    assert verify().ok


def test_dismiss_counts_the_row_as_rejected(two_batches):
    first, second = two_batches
    row = dismiss_row(waiting_row(first), actor="centre", reason="查无此单位")
    assert row.status == "dismissed" and row.resolution == "查无此单位"
    assert counts(first) == (1, 1, 0)
    assert counts(second) == (1, 0, 1)  # a dismissal concerns its own row only
    entry = Entry.objects.get(action="dismiss")
    assert entry.object_id == str(row.pk) and entry.reason == "查无此单位"
    assert not LinkDecision.objects.exists()


def test_a_row_is_resolved_once(two_batches, company):
    first, _second = two_batches
    row = waiting_row(first)
    dismiss_row(row, actor="centre", reason="查无此单位")
    with pytest.raises(QueueError, match="no longer waiting"):
        link_row(row, company, actor="centre", reason="again")
    assert counts(first) == (1, 1, 0)


def test_every_decision_needs_a_reason(two_batches, company):
    row = waiting_row(two_batches[0])
    for decide in (lambda: link_row(row, company, actor="c", reason="  "),
                   lambda: confirm_code(row, actor="c", reason=""),
                   lambda: dismiss_row(row, actor="c", reason="")):
        with pytest.raises(QueueError, match="needs a reason"):
            decide()
    assert waiting_row(two_batches[0]).pk == row.pk


def test_a_value_is_decided_once(two_batches, company, person):
    """A decision taken meanwhile (e.g. in another session) is kept: linking the value to
    another subject is refused, linking it to the same subject reuses the decision."""
    first, _second = two_batches
    LinkDecision.objects.create(kind="code", value=BAD, subject=company, reason="核实",
                                decided_by="other")
    with pytest.raises(QueueError, match="already linked"):
        link_row(waiting_row(first), person, actor="centre", reason="另一主体")
    assert len(link_row(waiting_row(first), company, actor="centre", reason="同上")) == 2
    assert LinkDecision.objects.get().decided_by == "other"


def test_a_name_decision_resolves_rows_without_a_code(two_batches, company):
    """Rows without any code wait on their name; a decision on the normalised name resolves
    all of them."""
    first, second = two_batches
    for batch in (first, second):
        row = waiting_row(batch)
        fields = {k: v for k, v in row.fields.items() if k != "CF_XDR_SHXYM"}
        row.fields = {**fields, "CF_XDR_MC": "青岛 名称（有限公司）" if batch == first
                      else "青岛名称(有限公司)"}
        row.save()
    row = waiting_row(first)
    assert link_key(first.item, row.fields).kind == "name"
    assert len(link_row(row, company, actor="centre", reason="名称核实")) == 2
    assert LinkDecision.objects.get().value == "青岛名称(有限公司)"
    assert counts(first) == counts(second) == (2, 0, 0)
    assert Batch.objects.filter(waiting=0).count() == 2
