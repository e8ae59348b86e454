from django.contrib import admin
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from xinyong.journal.services import log_create, log_update

from .models import CalendarDay

JOURNALED_FIELDS = ("is_workday", "name", "source")


class ReadOnlyAdmin(admin.ModelAdmin):
    """View only, for models that only their app's services write (and journal)."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Edit single days; import a whole new year with `xinyong calendar import FILE`.

    Any day saved here becomes source "admin", so `calendar seed` never overwrites it.
    Days cannot be deleted: a year with a missing day is no longer covered.
    """

    list_display = ("date", "weekday", "is_workday", "name", "source", "updated_at")
    list_filter = (YearFilter, "is_workday", "source")
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("source", "updated_at")
    fields = ("date", "is_workday", "name", "source", "updated_at")
    list_per_page = 100

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "D")

    def get_readonly_fields(self, request, obj=None):
        return ("date", *self.readonly_fields) if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        old = CalendarDay.objects.filter(pk=obj.pk).values(*JOURNALED_FIELDS).first()
        obj.source = CalendarDay.Source.ADMIN
        super().save_model(request, obj, form, change)
        new = {f: getattr(obj, f) for f in JOURNALED_FIELDS}
        actor, object_id = request.user.get_username(), obj.date.isoformat()
        if old:
            log_update(actor=actor, object_type="calendar_day", object_id=object_id,
                       old=old, new=new)
        else:
            log_create(actor=actor, object_type="calendar_day", object_id=object_id, new=new)
