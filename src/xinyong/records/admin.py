from django.contrib import admin

from xinyong.core.admin import ReadOnlyAdmin

from .models import Record, RecordVersion


class VersionInline(admin.TabularInline):
    model = RecordVersion
    extra = 0
    fields = ("version", "change", "status", "decision_date", "publicity_end", "reason",
              "batch_id", "created_at")
    readonly_fields = fields


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    """Read-only: records change through collection and records.services, journalled."""

    list_display = ("item", "subject", "department", "decision_date", "status", "version",
                    "publicity_end", "on_time")
    list_filter = ("item", "status", "on_time")
    list_select_related = ("item", "subject", "department")
    raw_id_fields = ("subject",)
    inlines = [VersionInline]
