from django.contrib import admin

from .models import Record, RecordVersion


class VersionInline(admin.TabularInline):
    model = RecordVersion
    extra = 0
    fields = ("version", "change", "status", "decision_date", "publicity_end", "reason",
              "batch_id", "created_at")
    readonly_fields = fields


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    """Read-only: records change through collection and records.services, journalled."""

    list_display = ("item", "subject", "department", "decision_date", "status", "version",
                    "publicity_end", "on_time")
    list_filter = ("item", "status", "on_time")
    list_select_related = ("item", "subject", "department")
    raw_id_fields = ("subject",)
    inlines = [VersionInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
