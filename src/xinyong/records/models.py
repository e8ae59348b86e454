from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")  # 撤销: the underlying decision was revoked


class Record(models.Model):
    """信用记录 — one credit record (a licence, a penalty, a list entry …) of a catalog item
    about one subject, in its latest version. Each earlier state is copied to RecordVersion
    when it changes."""

    item = models.ForeignKey("catalog.InformationItem", on_delete=models.PROTECT,
                             related_name="records", verbose_name=_("information item"))
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT,
                                related_name="records", verbose_name=_("subject"))
    department = models.ForeignKey("catalog.Department", on_delete=models.PROTECT,
                                   related_name="records", verbose_name=_("source department"))
    business_key = models.CharField(_("business key"), max_length=400)
    version = models.PositiveIntegerField(_("version"), default=1)
    fields = models.JSONField(_("fields"))
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    publicity_start = models.DateField(_("publicity starts"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity ends"), null=True, blank=True)
    publicity_rule = models.CharField(_("publicity rule"), max_length=40, blank=True)
    due_date = models.DateField(_("reporting due"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    on_time = models.BooleanField(_("on time"), null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.ACTIVE)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("revocation reason"), blank=True)
    batch_id = models.BigIntegerField(_("batch"), null=True, blank=True)
    source_row = models.PositiveIntegerField(_("source row"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("credit record")
        verbose_name_plural = _("credit records")
        constraints = [models.UniqueConstraint(fields=["item", "business_key"],
                                               name="record_business_key_unique")]
        indexes = [models.Index(fields=["subject", "item"]),
                   models.Index(fields=["item", "decision_date"]),
                   models.Index(fields=["batch_id", "source_row"])]  # a batch's rows

    def __str__(self):
        return f"{self.item_id}:{self.business_key}"


class RecordVersion(models.Model):
    """记录版本 — a record as it stood before a later change superseded it; `change` is what
    produced that state (create, update or revoke). The current state is the Record."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT,
                                related_name="+")
    version = models.PositiveIntegerField(_("version"))
    change = models.CharField(_("change"), max_length=20)
    fields = models.JSONField(_("fields"))
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity ends"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    batch_id = models.BigIntegerField(_("batch"), null=True, blank=True)
    source_row = models.PositiveIntegerField(_("source row"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ["record", "version"]
        indexes = [models.Index(fields=["batch_id", "source_row"])]  # a batch's rows
        constraints = [models.UniqueConstraint(fields=["record", "version"],
                                               name="record_version_unique")]

    def __str__(self):
        return f"{self.record_id} v{self.version}"
