import pytest
from django.core.management import CommandError, call_command

from xinyong.journal import services
from xinyong.journal.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    for n in range(1, 6):
        services.log_create(actor="user:alice", object_type="thing", object_id=n,
                            new={"n": n, "name": f"第{n}号", "amount": "1.50"})
    services.log_update(actor="user:bob", object_type="thing", object_id=1,
                        old={"n": 1}, new={"n": 10}, reason="correction")
    return list(Entry.objects.order_by("seq"))


def test_intact_chain_verifies(chain):
    result = services.verify()
    assert result.ok and result.checked == 6
    assert chain[0].prev_hash == services.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))


def test_entries_need_an_actor():
    with pytest.raises(ValueError):
        services.log_create(actor="", object_type="thing", object_id=1, new={})


def test_non_json_values_are_stored_as_hashed():
    from datetime import date
    from decimal import Decimal

    services.log_create(actor="a", object_type="t", object_id=1,
                        new={"d": date(2026, 1, 2), "x": Decimal("0.2")})
    assert Entry.objects.get().new == {"d": "2026-01-02", "x": "0.2"}
    assert services.verify().ok


def test_edited_content_is_detected(chain):
    Entry.objects.filter(seq=3).update(new={"n": 999})
    result = services.verify()
    assert not result.ok and result.broken_seq == 3
    assert "content" in result.problem


def test_edited_content_with_recomputed_hash_breaks_the_next_link(chain):
    entry = Entry.objects.get(seq=3)
    entry.actor = "user:mallory"
    fields = {f: getattr(entry, f) for f in ("seq", "at", "actor", "action", "object_type",
                                             "object_id", "old", "new", "reason", "prev_hash")}
    Entry.objects.filter(seq=3).update(actor="user:mallory", hash=services._digest(**fields))
    result = services.verify()
    assert not result.ok and result.broken_seq == 4


def test_deleted_entry_is_detected(chain):
    Entry.objects.filter(seq=2).delete()
    result = services.verify()
    assert not result.ok and result.broken_seq == 2
    assert "missing" in result.problem


def test_deleted_last_entry_is_detected(chain):
    Entry.objects.filter(seq=6).delete()
    result = services.verify()
    assert not result.ok and result.broken_seq == 6


def test_reordered_entries_are_detected(chain):
    Entry.objects.filter(seq=2).update(seq=-2)
    Entry.objects.filter(seq=3).update(seq=2)
    Entry.objects.filter(seq=-2).update(seq=3)
    result = services.verify()
    assert not result.ok and result.broken_seq == 2


def test_verify_command(chain, capsys):
    call_command("journal", "verify")
    assert "6 entries verified" in capsys.readouterr().out
    Entry.objects.filter(seq=4).update(reason="rewritten")
    with pytest.raises(CommandError, match="broken at entry 4"):
        call_command("journal", "verify")
