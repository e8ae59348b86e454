"""The journal (变更日志): an append-only, hash-chained log of every change to credit data.

One public function per kind of event; every argument is keyword-only so no caller can
forget who acted. All writes go through `_append`, which chains each entry to the last.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction

from .models import Entry, Head

__all__ = [
    "GENESIS",
    "VerifyResult",
    "log_bulk_create",
    "log_create",
    "log_delete",
    "log_event",
    "log_update",
    "to_jsonable",
    "verify",
]

GENESIS = "0" * 64


def to_jsonable(value):
    """Values as the database's JSON column gives them back, so hashes survive a round trip."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _digest(*, seq, at, actor, action, object_type, object_id, old, new, reason, prev_hash):
    payload = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "old": old,
        "new": new,
        "reason": reason,
        "prev": prev_hash,
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _append(*, actor, action, object_type, object_id, old=None, new=None, reason="") -> Entry:
    if not actor:
        raise ValueError("a journal entry needs an actor")
    with transaction.atomic():
        head, _ = Head.objects.select_for_update().get_or_create(pk=1)
        fields = {
            "seq": head.seq + 1,
            "at": datetime.now(UTC),
            "actor": str(actor),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id or ""),
            "old": to_jsonable(old),
            "new": to_jsonable(new),
            "reason": reason or "",
            "prev_hash": head.hash,
        }
        entry = Entry.objects.create(**fields, hash=_digest(**fields))
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def log_create(*, actor: str, object_type: str, object_id, new: dict, reason: str = "") -> Entry:
    return _append(actor=actor, action="create", object_type=object_type, object_id=object_id,
                   new=new, reason=reason)


def log_update(*, actor: str, object_type: str, object_id, old: dict, new: dict,
               reason: str = "") -> Entry:
    return _append(actor=actor, action="update", object_type=object_type, object_id=object_id,
                   old=old, new=new, reason=reason)


def log_delete(*, actor: str, object_type: str, object_id, old: dict, reason: str = "") -> Entry:
    return _append(actor=actor, action="delete", object_type=object_type, object_id=object_id,
                   old=old, reason=reason)


def log_bulk_create(*, actor: str, object_type: str, count: int, first_id, last_id,
                    content_sha256: str, reason: str = "") -> Entry:
    """One entry for a bulk load: the id range and a digest of exactly what was written."""
    new = {"count": count, "first_id": first_id, "last_id": last_id, "sha256": content_sha256}
    return _append(actor=actor, action="bulk_create", object_type=object_type,
                   object_id=f"{first_id}..{last_id}", new=new, reason=reason)


def log_event(*, actor: str, action: str, object_type: str, object_id="", new=None,
              reason: str = "") -> Entry:
    """Anything else worth a trace (a catalog load, a calendar import, a client created)."""
    return _append(actor=actor, action=action, object_type=object_type, object_id=object_id,
                   new=new, reason=reason)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str = ""


def verify() -> VerifyResult:
    """Walk the chain from the first entry; name the first entry that does not fit."""
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=5000):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq,
                                f"entry {expected_seq} is missing (next found is {entry.seq})")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq,
                                "its previous-hash does not match the entry before it")
        fields = {f: getattr(entry, f) for f in
                  ("seq", "at", "actor", "action", "object_type", "object_id", "old", "new",
                   "reason", "prev_hash")}
        if _digest(**fields) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "its content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = Head.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (checked, prev_hash):
        return VerifyResult(False, checked, checked + 1,
                            f"the chain ends at entry {checked} but the head records {head_seq}")
    return VerifyResult(True, checked)
