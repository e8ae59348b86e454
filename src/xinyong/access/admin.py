from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xinyong.journal.services import log_create, log_update

from .models import ApiClient, StaffProfile
from .roles import ROLE_LABELS
from .scopes import SCOPES
from .services import change_client, issue_client, revoke_client, sync_role_group, user_snapshot

User = get_user_model()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    verbose_name = _("role and department")
    verbose_name_plural = _("role and department")


def _without_groups(fieldsets):
    """The role group follows the StaffProfile role, so the groups field is not edited here."""
    return tuple(
        (title, {**opts, "fields": tuple(f for f in opts["fields"] if f != "groups")})
        for title, opts in fieldsets
    )


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their role and department; changes are journaled (never passwords)."""

    inlines = (StaffProfileInline,)
    fieldsets = _without_groups(DjangoUserAdmin.fieldsets)
    list_display = ("username", "role", "department", "is_active", "is_staff", "last_login")
    list_filter = ("staff_profile__role", "staff_profile__department", "is_active", "is_staff")
    list_select_related = ("staff_profile__department",)

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return ROLE_LABELS.get(profile.role, profile.role) if profile else "—"

    @admin.display(description=_("department"), ordering="staff_profile__department__code")
    def department(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.department if profile and profile.department else "—"

    def save_model(self, request, obj, form, change):
        request._journal_old = user_snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        sync_role_group(user)
        old, new = getattr(request, "_journal_old", None), user_snapshot(user)
        actor, username = request.user.get_username(), user.get_username()
        if old is None:
            log_create(actor=actor, object_type="user", object_id=username, new=new)
        elif old != new:
            log_update(actor=actor, object_type="user", object_id=username, old=old, new=new)


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=list(SCOPES.items()),
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiClient
        fields = ("name", "department", "scopes")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """API clients. A token is shown once, in a message, when the client is added; it is
    never stored or shown again. Clients are revoked, not deleted."""

    form = ApiClientForm
    list_display = ("id", "name", "department", "scope_list", "created_at", "last_used_at",
                    "revoked_at")
    list_filter = ("department", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "department__code", "department__name", "token_prefix")
    readonly_fields = ("token_prefix", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def get_readonly_fields(self, request, obj=None):
        return ("department", *self.readonly_fields) if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("name", "department", "scopes", *(self.readonly_fields if obj else ()))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        actor = request.user.get_username()
        if change:
            change_client(obj, name=obj.name, scopes=obj.scopes, actor=actor)
            return
        token = issue_client(obj, actor=actor)
        messages.warning(request, _("Token for %(client)s: %(token)s — copy it now; it is "
                                    "shown only this once and cannot be shown again.")
                         % {"client": obj, "token": token})

    @admin.action(description=_("Revoke the selected API clients"),
                  permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for client in queryset.filter(revoked_at__isnull=True):
            try:
                revoke_client(client_id=client.pk, actor=request.user.get_username(),
                              reason="revoked in the admin")
            except ValidationError:  # revoked meanwhile by someone else
                continue
            revoked += 1
        self.message_user(request, ngettext("%d API client revoked.", "%d API clients revoked.",
                                            revoked) % revoked, messages.SUCCESS)
