from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinyong.core.admin import ReadOnlyAdmin

from .models import Batch, BatchRow, LinkDecision


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("id", "item", "department", "channel", "status", "total_rows", "accepted",
                    "rejected", "waiting", "late", "created_at")
    list_filter = ("status", "channel", "item", "department")
    search_fields = ("=id", "file_name", "file_sha256")


@admin.register(BatchRow)
class BatchRowAdmin(ReadOnlyAdmin):
    """Rejected and waiting rows, paged (a batch may hold a million of them)."""

    list_display = ("batch", "row_number", "status", "first_error")
    list_filter = ("status",)
    search_fields = ("=batch__id",)
    list_select_related = ("batch",)

    @admin.display(description=_("errors"))
    def first_error(self, row):
        return "；".join(e.get("message", "") for e in row.errors)[:200]


@admin.register(LinkDecision)
class LinkDecisionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "value", "subject", "decided_by", "decided_at")
    list_filter = ("kind",)
    search_fields = ("=value",)
