"""名单 — entries of red and black lists, with their lifecycle: prior notice (事前告知) →
listed → exited. An entry is never deleted; each change of status is a Transition."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOTICE = "notice", _("prior notice given")  # 已事前告知
    LISTED = "listed", _("listed")  # 已列入
    EXITED = "exited", _("exited")  # 已移出


class ExitKind(models.TextChoices):
    EXPIRY = "expiry", _("validity expired")  # 期满移出
    FULFILMENT = "fulfilment", _("obligations fulfilled")  # 履行义务后移出
    EARLY_REMOVAL = "early_removal", _("early removal")  # 提前移出
    REVOCATION = "revocation", _("underlying decision revoked")  # 决定撤销
    REPAIR = "repair", _("credit repaired")  # 信用修复
    OBJECTION = "objection", _("corrected after an objection")  # 异议更正
    WITHDRAWAL = "withdrawal", _("withdrawn after a serious dishonest record")  # 红名单撤出
    NOT_LISTED = "not_listed", _("not listed after prior notice")  # 告知后不予列入


class Source(models.TextChoices):
    COLLECTION = "collection", _("reported through collection")
    CONSOLE = "console", _("recognised in the console")


class ListEntry(models.Model):
    """名单条目 — one subject on one list: who recognised it, on what basis, from when to when."""

    list_type = models.ForeignKey("catalog.ListType", models.PROTECT, related_name="entries",
                                  verbose_name=_("list type"))
    subject = models.ForeignKey("subjects.Subject", models.PROTECT,
                                related_name="list_entries", verbose_name=_("subject"))
    record = models.ForeignKey("records.Record", models.PROTECT, null=True, blank=True,
                               related_name="list_entries", verbose_name=_("source record"))
    department = models.ForeignKey("catalog.Department", models.PROTECT,
                                   related_name="list_entries",
                                   verbose_name=_("recognising department"))
    recognised_by = models.CharField(_("recognising unit"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=200, blank=True)
    reason = models.TextField(_("reason for listing"), blank=True)
    basis = models.TextField(_("basis of the recognition"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    notice_on = models.DateField(_("prior notice given on"), null=True, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True,
                                   help_text=_("The last day listed; empty: until an exit."))
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_kind = models.CharField(_("exit"), max_length=20, choices=ExitKind.choices,
                                 blank=True)
    exit_reason = models.TextField(_("exit reason"), blank=True)
    exit_by_record = models.BooleanField(
        _("exit follows the source record"), default=False,
        help_text=_("The exit came from the record (its removal date, revocation or validity), "
                    "so a new version of the record can bring the entry back; an exit decided "
                    "on the platform (repair, objection, …) stands."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("list entry")
        verbose_name_plural = _("list entries")
        constraints = [models.UniqueConstraint(fields=["record", "list_type"],
                                               name="list_entry_one_per_record")]
        indexes = [models.Index(fields=["subject", "status"]),
                   models.Index(fields=["list_type", "status", "listed_on"]),
                   models.Index(fields=["status", "valid_until"])]

    def __str__(self):
        return f"{self.list_type_id}:{self.subject_id} ({self.status})"


class Transition(models.Model):
    """名单状态变更 — one step of an entry's lifecycle, with its date, actor and reason."""

    entry = models.ForeignKey(ListEntry, models.CASCADE, related_name="transitions")
    subject = models.ForeignKey("subjects.Subject", models.PROTECT, related_name="+")
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    on = models.DateField(_("effective on"))
    actor = models.CharField(_("actor"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    journal_seq = models.BigIntegerField(_("journal entry"), null=True, blank=True)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "at", "id"]
        verbose_name = _("list entry transition")
        verbose_name_plural = _("list entry transitions")

    def __str__(self):
        return f"{self.entry_id}: {self.from_status or '-'} → {self.to_status} on {self.on}"
