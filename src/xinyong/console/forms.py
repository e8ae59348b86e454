"""Forms of the console. Labels are English source strings, shown in Chinese by default."""

from datetime import date
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xinyong.catalog.models import InformationItem
from xinyong.collection.readers.detect import FORMATS

ACCEPTED_SUFFIXES = tuple(sorted(FORMATS))
REASON_MAX = 2_000


class SubmitForm(forms.Form):
    """An upload: the item, the department (chosen by the credit centre only) and the file."""

    item = forms.ModelChoiceField(label=_("Information item"), queryset=None,
                                  empty_label=_("— choose —"))
    department = forms.ModelChoiceField(label=_("Department"), queryset=None,
                                        empty_label=_("— choose —"))
    file = forms.FileField(label=_("File (CSV, XLSX or JSON)"))

    def __init__(self, *args, departments, own_department=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_department = own_department
        self.fields["department"].queryset = departments
        items = InformationItem.objects.filter(active=True)
        if own_department is not None:
            del self.fields["department"]
            items = items.filter(providers=own_department)
        self.fields["item"].queryset = items.order_by("code")
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.name}"
        self.fields["file"].widget.attrs["accept"] = ",".join(ACCEPTED_SUFFIXES)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            raise ValidationError(_("Submit a CSV, XLSX or JSON file (the file ends in "
                                    "“%(suffix)s”)."), params={"suffix": suffix or "—"})
        return upload

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        department = cleaned.get("department") or self.own_department
        if item and department and not item.providers.filter(pk=department.pk).exists():
            self.add_error("item", _("%(department)s does not provide %(item)s according to "
                                     "the catalog.") % {"department": department.name,
                                                        "item": item.name})
        cleaned["department"] = department
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give the reason."))
        return reason


class RevokeForm(ReasonForm):
    revoked_on = forms.DateField(label=_("Revoked on"), initial=date.today,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def clean_revoked_on(self):
        revoked_on = self.cleaned_data["revoked_on"]
        if revoked_on > date.today():
            raise ValidationError(_("The revocation date cannot be in the future."))
        return revoked_on


class LinkForm(ReasonForm):
    """Link a waiting row to one of the candidates shown (never a default choice)."""

    subject = forms.TypedChoiceField(label=_("Subject"), coerce=int,
                                     widget=forms.RadioSelect)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [(s.pk, f"{s.name} {s.code}") for s in candidates]
        self.order_fields(["subject", "reason"])


class PeriodForm(forms.Form):
    """The period of the timeliness page (default: this year up to today)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise ValidationError(_("The period must start before it ends."))
        return cleaned
