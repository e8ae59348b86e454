from django.db import models
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """工作日历 — one day of the working-day calendar: is it a working day, and why.

    Seeded from `chinese_calendar` for every year that package covers; administrators add
    each new year (published by the State Council each November) in the admin or with
    `xinyong calendar import`. A year counts as covered only when all of its days are present.
    """

    class Source(models.TextChoices):
        CHINESE_CALENDAR = "chinese_calendar", _("chinese_calendar package")
        ADMIN = "admin", _("administrator")

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(
        _("name"), max_length=60, blank=True,
        help_text=_("Holiday name, or the holiday an adjusted working day makes up for."),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices,
                              default=Source.ADMIN)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self):
        kind = "workday" if self.is_workday else "rest day"
        return f"{self.date.isoformat()} {kind}{f' ({self.name})' if self.name else ''}"


def _seed_calendar_after_flush(sender, using, **kwargs):
    """post_migrate also follows `flush`, which empties the table the data migration filled."""
    if sender.label != "core":
        return
    from .calendar import seed_if_empty

    seed_if_empty(using)


# Connected at import time, so it works without a ready() hook in CoreConfig.
post_migrate.connect(_seed_calendar_after_flush,
                     dispatch_uid="xinyong.core.seed_calendar_after_flush")
