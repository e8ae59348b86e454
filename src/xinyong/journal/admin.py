from django.contrib import admin

from xinyong.core.admin import ReadOnlyAdmin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    """Read-only: the journal is appended by services, never edited."""

    list_display = ("seq", "at", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor")
