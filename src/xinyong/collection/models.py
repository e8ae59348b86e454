from django.db import models
from django.utils.translation import gettext_lazy as _


class Batch(models.Model):
    """归集批次 — one submission of rows of one catalog item by one department.

    Every submitted row ends accepted (a credit record), rejected (a BatchRow with reasons)
    or waiting (a BatchRow in the linking queue): total = accepted + rejected + waiting.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    department = models.ForeignKey("catalog.Department", on_delete=models.PROTECT,
                                   related_name="batches", verbose_name=_("department"))
    item = models.ForeignKey("catalog.InformationItem", on_delete=models.PROTECT,
                             related_name="batches", verbose_name=_("information item"))
    channel = models.CharField(_("channel"), max_length=20)  # console / api / cli / demo
    actor = models.CharField(_("submitted by"), max_length=200)
    # The API client's own id for the batch: resubmitting it returns the same batch.
    client_batch_id = models.CharField(_("client batch id"), max_length=100, blank=True)
    # 历史补录: history taken over from a department's old system; its records get their due
    # dates but are not judged on time or late (they could not have been submitted earlier).
    backfill = models.BooleanField(_("historical backfill"), default=False)
    api_client = models.ForeignKey("access.ApiClient", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="batches",
                                   verbose_name=_("API client"))
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    stored_path = models.CharField(_("stored file"), max_length=500)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.RECEIVED)
    error = models.TextField(_("error"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list)
    source_headers = models.JSONField(_("submitted headers"), default=list)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    created_records = models.PositiveIntegerField(_("new records"), default=0)
    updated_records = models.PositiveIntegerField(_("updated records"), default=0)
    unchanged_records = models.PositiveIntegerField(_("unchanged records"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    waiting = models.PositiveIntegerField(_("waiting for linking"), default=0)
    late = models.PositiveIntegerField(_("late"), default=0)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(
            fields=["department", "client_batch_id"], condition=~models.Q(client_batch_id=""),
            name="batch_client_id_unique")]

    def __str__(self):
        return f"#{self.pk} {self.item_id} {self.file_name}"

    @property
    def accounted(self) -> bool:
        return self.total_rows == self.accepted + self.rejected + self.waiting


class BatchRow(models.Model):
    """A submitted row that did not (yet) become a record: rejected, or waiting to be linked
    to a subject — or an accepted row that left its record unchanged. The other accepted rows
    are records (Record.batch_id, Record.source_row, and RecordVersion's once superseded)."""

    class Status(models.TextChoices):
        REJECTED = "rejected", _("Rejected")
        WAITING = "waiting", _("Waiting for linking")
        LINKED = "linked", _("Linked later")  # was waiting; resolved into a record
        DISMISSED = "dismissed", _("Dismissed")  # was waiting; the credit centre refused it
        # Accepted, but identical to the record on file: kept so the row's result is known.
        UNCHANGED = "unchanged", _("Accepted, record unchanged")

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    errors = models.JSONField(_("errors"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    fields = models.JSONField(_("values"), default=dict)
    raw = models.JSONField(_("original row"), default=dict)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    resolved_by = models.CharField(_("resolved by"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution reason"), blank=True)

    class Meta:
        verbose_name = _("batch row")
        verbose_name_plural = _("batch rows")
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "status"]),
                   models.Index(fields=["batch", "row_number"])]

    def __str__(self):
        return f"{self.batch_id}:{self.row_number} {self.status}"


class LinkDecision(models.Model):
    """关联决定 — the credit centre's answer to "which subject is this code or name?", given
    once in the linking queue and reused for every later row carrying the same value.

    `kind` is "code" (a code the subject tables do not hold, e.g. one with a wrong check
    character confirmed as written) or "name" (a normalised name with no single match).
    """

    class Kind(models.TextChoices):
        CODE = "code", _("Code")
        NAME = "name", _("Name")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT,
                                related_name="link_decisions", verbose_name=_("subject"))
    reason = models.TextField(_("reason"))
    decided_by = models.CharField(_("decided by"), max_length=200)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("linking decision")
        verbose_name_plural = _("linking decisions")
        constraints = [models.UniqueConstraint(fields=["kind", "value"],
                                               name="link_decision_unique")]

    def __str__(self):
        return f"{self.kind}:{self.value} → {self.subject_id}"
