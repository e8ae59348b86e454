from django.contrib import admin

from xinyong.core.admin import ReadOnlyAdmin

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
class SubjectAdmin(ReadOnlyAdmin):
    """Read-only in the admin: subjects change through services so every change is journalled."""

    list_display = ("name", "code", "base", "subject_type", "status", "division")
    list_filter = ("base", "status", "subject_type")
    search_fields = ("=code", "name")
    inlines = [OrganisationInline, LegacyIdentifierInline, FormerNameInline]
