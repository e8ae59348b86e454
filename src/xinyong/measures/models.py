"""联合奖惩 — checks (核查) departments run inside their business handling, the measures each
check found applicable, and the departments' feedback (反馈) on each. A check is also the
log of who looked at whom, for which matter and purpose."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    API = "api", _("business system (API)")
    CONSOLE = "console", _("console")


class Check(models.Model):
    """核查 — one request: one or more subjects, one business matter, one purpose."""

    department = models.ForeignKey("catalog.Department", models.PROTECT, related_name="checks",
                                   verbose_name=_("checking department"))
    client = models.ForeignKey("access.ApiClient", models.PROTECT, null=True, blank=True,
                               related_name="checks", verbose_name=_("API client"))
    username = models.CharField(_("staff user"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    matter = models.CharField(_("business matter"), max_length=60)
    purpose = models.TextField(_("purpose"))
    checked_at = models.DateTimeField(_("checked at"))
    checked_on = models.DateField(_("check date"))
    subjects_count = models.PositiveIntegerField(_("subjects checked"))
    hit_count = models.PositiveIntegerField(_("subjects with list entries or measures"))
    measures_count = models.PositiveIntegerField(_("measures to apply"))
    feedback_pending = models.PositiveIntegerField(_("measures awaiting feedback"))
    feedback_due = models.DateField(_("feedback due"), null=True, blank=True)
    results = models.JSONField(_("results"))

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        indexes = [models.Index(fields=["department", "checked_at"]),
                   models.Index(fields=["department", "feedback_pending", "feedback_due"])]

    def __str__(self):
        return f"check {self.pk}"


class CheckHit(models.Model):
    """A list entry or a dishonest/trustworthy record a check found for one subject."""

    check_run = models.ForeignKey(Check, models.CASCADE, related_name="hits",
                                  db_column="check_id")
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+")
    list_type = models.ForeignKey("catalog.ListType", models.PROTECT, null=True, blank=True,
                                  related_name="+")
    entry = models.ForeignKey("lists.ListEntry", models.PROTECT, null=True, blank=True,
                              related_name="+")
    behaviour = models.ForeignKey("catalog.Behaviour", models.PROTECT, null=True, blank=True,
                                  related_name="+")
    record = models.ForeignKey("records.Record", models.PROTECT, null=True, blank=True,
                               related_name="+")

    class Meta:
        verbose_name = _("check hit")
        verbose_name_plural = _("check hits")

    def __str__(self):
        return f"{self.check_run_id}:{self.subject_id}"


class FeedbackStatus(models.TextChoices):
    PENDING = "pending", _("awaiting feedback")
    APPLIED = "applied", _("applied")  # 已实施
    NOT_APPLIED = "not_applied", _("not applied")  # 未实施（说明理由）
    NOT_APPLICABLE = "not_applicable", _("not applicable")  # 不适用


class CheckMeasure(models.Model):
    """A measure a check found applicable to one subject, and the department's feedback."""

    check_run = models.ForeignKey(Check, models.CASCADE, related_name="measures",
                                  db_column="check_id")
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+")
    measure = models.ForeignKey("catalog.Measure", models.PROTECT, related_name="+")
    triggers = models.JSONField(_("triggered by"), default=list)
    list_types = models.JSONField(_("triggering list types"), default=list)
    status = models.CharField(_("feedback"), max_length=20, choices=FeedbackStatus.choices,
                              default=FeedbackStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    handler = models.CharField(_("handler"), max_length=100, blank=True)
    acted_on = models.DateField(_("date of action"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.CharField(_("reported by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("measure of a check")
        verbose_name_plural = _("measures of checks")
        indexes = [models.Index(fields=["status", "acted_on"])]

    def __str__(self):
        return f"{self.check_run_id}:{self.measure_id} {self.status}"
