"""Admin pages for the catalog: read-only, every model.

The catalog's source of truth is the YAML under `catalog/<city>/`, loaded by
`xinyong catalog load`, which versions and journals each change. An edit made in the admin
would bypass the version and the journal and be silently undone by the next load, so no
catalog model can be added, changed or deleted here — `Department.active` included: to retire
a department, set `active: false` in departments.yaml and load.
"""

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from xinyong.core.admin import ReadOnlyAdmin

from .models import (
    Behaviour,
    CatalogVersion,
    Department,
    InformationItem,
    ListType,
    Measure,
    PublicityRule,
    Term,
)


def _pretty(value) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "division", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "short_name")


@admin.register(Term)
class TermAdmin(ReadOnlyAdmin):
    list_display = ("vocabulary", "code", "name", "active")
    list_filter = ("vocabulary", "active")
    search_fields = ("code", "name")


@admin.register(PublicityRule)
class PublicityRuleAdmin(ReadOnlyAdmin):
    list_display = ("code", "family", "scope", "in_force_from", "in_force_to", "default")
    list_filter = ("family", "scope")
    readonly_fields = ("periods_display", "special_cases_display")
    exclude = ("periods", "special_cases")

    @admin.display(description=_("periods per severity"))
    def periods_display(self, obj):
        return _pretty(obj.periods)

    @admin.display(description=_("special cases"))
    def special_cases_display(self, obj):
        return _pretty(obj.special_cases)


@admin.register(InformationItem)
class InformationItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "nature", "category", "disclosure", "version", "active")
    list_filter = ("nature", "category", "disclosure", "active")
    search_fields = ("code", "name")
    filter_horizontal = ("providers",)
    readonly_fields = ("fields_display",)
    exclude = ("fields",)

    @admin.display(description=_("fields"))
    def fields_display(self, obj):
        return _pretty(obj.fields)


@admin.register(ListType)
class ListTypeAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "department", "default_validity_months", "public",
                    "active")
    list_filter = ("kind", "public", "active")
    search_fields = ("code", "name")


@admin.register(Behaviour)
class BehaviourAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "nature", "severity", "item", "active")
    list_filter = ("nature", "severity", "active")
    search_fields = ("code", "name")


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "category", "type", "active")
    list_filter = ("category", "type", "active")
    search_fields = ("code", "name", "content")


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    list_display = ("number", "loaded_at", "actor", "edition", "change_summary")
    readonly_fields = ("changes_display", "counts_display")
    exclude = ("changes", "counts")

    @admin.display(description=_("edition"))
    def edition(self, obj):
        return obj.header.get("edition", "")

    @admin.display(description=_("changes"))
    def change_summary(self, obj):
        parts = [f"{name} +{len(c['added'])} ~{len(c['changed'])} -{len(c['removed'])}"
                 for name, c in obj.changes.items() if isinstance(c, dict)]
        return "; ".join(parts) or "—"

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        return _pretty(obj.changes)

    @admin.display(description=_("counts"))
    def counts_display(self, obj):
        return _pretty(obj.counts)
