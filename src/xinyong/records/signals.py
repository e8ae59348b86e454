"""Signals records send so that downstream apps (lists) follow changes without records
knowing them: data flows one way."""

from django.dispatch import Signal

# Sent inside the transaction that changed the records, after the change: sender=InformationItem,
# item, actor, record_ids=list[int] (the created, updated or revoked records).
records_changed = Signal()
