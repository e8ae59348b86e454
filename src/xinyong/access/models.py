from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import DEPARTMENT_ROLES, ROLE_LABELS
from .scopes import SCOPES, unknown_scopes


class StaffProfile(models.Model):
    """工作人员档案 — a staff user's role and, for department roles, their department."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE,
                                related_name="staff_profile", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=40, choices=list(ROLE_LABELS.items()))
    department = models.ForeignKey(
        "catalog.Department", models.PROTECT, null=True, blank=True,
        related_name="staff_profiles", verbose_name=_("department"),
        help_text=_("Required for department data officers and checkers."),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} ({self.role})"

    def clean(self):
        if self.role in DEPARTMENT_ROLES and self.department_id is None:
            raise ValidationError({"department": _(
                "Department data officers and checkers must belong to a department.")})


class ApiClient(models.Model):
    """接口客户端 — a department's system that calls the API with a bearer token.

    Only a digest of the token is stored; the token itself is shown once, at creation.
    """

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey("catalog.Department", models.PROTECT,
                                   related_name="api_clients", verbose_name=_("department"))
    scopes = models.JSONField(_("scopes"), default=list)
    token_prefix = models.CharField(_("token prefix"), max_length=8, db_index=True,
                                    editable=False)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True,
                                        editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self):
        return f"{self.name} (#{self.pk})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def clean(self):
        if not isinstance(self.scopes, list) or not self.scopes:
            raise ValidationError({"scopes": _("Give at least one scope.")})
        if unknown := unknown_scopes(self.scopes):
            raise ValidationError({"scopes": _("Unknown scope %(scope)s; known scopes: "
                                               "%(known)s.")
                                   % {"scope": ", ".join(map(str, unknown)),
                                      "known": ", ".join(SCOPES)}})
