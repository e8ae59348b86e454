from django.contrib import admin

from .models import FormerName, LegacyIdentifier, Organisation, Subject


class OrganisationInline(admin.StackedInline):
    model = Organisation
    can_delete = False


class LegacyIdentifierInline(admin.TabularInline):
    model = LegacyIdentifier
    extra = 0


class FormerNameInline(admin.TabularInline):
    model = FormerName
    extra = 0


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    """Read-only in the admin: subjects change through services so every change is journalled."""

    list_display = ("name", "code", "base", "subject_type", "status", "division")
    list_filter = ("base", "status", "subject_type")
    search_fields = ("=code", "name")
    inlines = [OrganisationInline, LegacyIdentifierInline, FormerNameInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
