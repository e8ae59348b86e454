"""Forms of the console. Labels are English source strings, shown in Chinese by default."""

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from python_calamine import CalamineWorkbook

from xinyong.catalog.models import InformationItem
from xinyong.collection.readers.detect import FORMATS
from xinyong.collection.readers.table import ReadError
from xinyong.collection.readers.xlsx_zip import check_sheet_size, check_zip
from xinyong.core.text import normalize_code
from xinyong.measures.models import FeedbackStatus
from xinyong.measures.services import MAX_SUBJECTS, Query
from xinyong.subjects.services import find_by_code

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


# ---- lists (名单) ---------------------------------------------------------------------------

def not_in_future(day: date) -> date:
    if day > date.today():
        raise ValidationError(_("The date cannot be in the future."))
    return day


def _date_field(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}),
                           **kwargs)


class RecognitionForm(forms.Form):
    """事前告知: the decision to list a subject, before the statement period. The credit
    centre names the recognising department; a data officer recognises for their own."""

    list_type = forms.ModelChoiceField(label=_("List"), queryset=None,
                                       empty_label=_("— choose —"))
    department = forms.ModelChoiceField(label=_("Recognising department"), queryset=None,
                                        empty_label=_("— choose —"))
    subject = forms.CharField(label=_("Subject identifier"), max_length=30, help_text=_(
        "Unified social credit code (统一社会信用代码), organisation code, registration "
        "number or resident ID."))
    document_number = forms.CharField(label=_("Document number"), max_length=200)
    reason = forms.CharField(label=_("Reason for listing"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label=_("Basis of the recognition"), max_length=REASON_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))
    notice_on = _date_field(_("Prior notice given on"), initial=date.today)

    def __init__(self, *args, list_types, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["list_type"].queryset = list_types
        self.fields["list_type"].label_from_instance = lambda t: (
            f"{t.name} ({t.department.name})" if t.department else t.name)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
            self.order_fields(["department", "list_type"])

    def clean_subject(self):
        subject = find_by_code(self.cleaned_data["subject"])
        if subject is None:
            raise ValidationError(_("No subject with this identifier is registered on the "
                                    "platform."))
        return subject

    def clean_notice_on(self):
        return not_in_future(self.cleaned_data["notice_on"])


class ConfirmListingForm(forms.Form):
    listed_on = _date_field(_("Listed from"))
    valid_until = _date_field(_("Valid until (last day listed)"), required=False, help_text=_(
        "Leave empty for the list's default validity."))
    reason = forms.CharField(label=_("Note"), max_length=REASON_MAX, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text=_(
                                 "Empty: the reason for listing stands."))


class WithdrawNoticeForm(ReasonForm):
    on = _date_field(_("Decided on"), initial=date.today)

    def clean_on(self):
        return not_in_future(self.cleaned_data["on"])


class ExitForm(ReasonForm):
    kind = forms.ChoiceField(label=_("Exit"))
    on = _date_field(_("Exits on"), initial=date.today)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.order_fields(["kind", "on", "reason"])

    def clean_on(self):
        return not_in_future(self.cleaned_data["on"])


# ---- checks (核查) and feedback ---------------------------------------------------------------

CHECK_FILE_MAX_BYTES = 2 * 2**20  # 1,000 identifiers take a few dozen KiB
CHECK_FILE_SUFFIXES = (".csv", ".xlsx")
CODE_HEADERS = {"统一社会信用代码", "证件号码", "代码", "code"}
NAME_HEADERS = {"名称", "单位名称", "企业名称", "主体名称", "姓名", "name"}
PLAIN_CODE = re.compile(r"[0-9A-Z]+")


def _too_many(count: int) -> ValidationError:
    return ValidationError(_("%(count)s subjects given; a check takes at most %(max)s. Split "
                             "them into several checks."),
                           params={"count": f"{count:,}", "max": f"{MAX_SUBJECTS:,}"})


def _cell(value) -> str:
    """A spreadsheet cell as text: whole numbers without ".0", dates in ISO form."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date | datetime):
        value = value.isoformat()
    return str(value if value is not None else "").strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    # Excel in China saves CSV as GB18030 (GBK); everything else we accept is UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:  # a NUL byte, a field beyond the csv module's limit
            raise ValidationError(_("The CSV file cannot be read: %(error)s"),
                                  params={"error": exc}) from None
    raise ValidationError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _xlsx_rows(data: bytes) -> list[list]:
    """The first worksheet with data. The zip is checked first: calamine inflates a sheet
    whole, so a zip bomb must be refused before it is opened."""
    source = io.BytesIO(data)
    try:
        check_zip(source)
        source.seek(0)
        workbook = CalamineWorkbook.from_filelike(source)
        for name in workbook.sheet_names:
            check_sheet_size(source, name)
            sheet = workbook.get_sheet_by_name(name)
            if sheet.start is not None:
                return sheet.to_python()
    except ReadError as exc:
        raise ValidationError(exc.message) from None
    except Exception:  # calamine's errors on a broken file are not all of one class
        raise ValidationError(_("The XLSX file cannot be read.")) from None
    return []


def _header_column(header: list[str], names: set[str]) -> int | None:
    return next((i for i, h in enumerate(header) if h.lower() in names), None)


def queries_from_rows(rows: list[list]) -> list[Query]:
    """One query per row: the identifier from the column headed 统一社会信用代码, 证件号码,
    代码 or code, else from the first column; a name column, when there is one, goes along
    (the check warns when it is not the subject's). A first row whose first cell cannot be
    an identifier is taken as a header."""
    rows = [[_cell(c) for c in row] for row in rows if any(_cell(c) for c in row)]
    if not rows:
        return []
    header = rows[0]
    code_at = _header_column(header, CODE_HEADERS)
    name_at = _header_column(header, NAME_HEADERS)
    if code_at is None and name_at is None \
            and PLAIN_CODE.fullmatch(normalize_code(header[0])):
        code_at, data = 0, rows  # no header row
    else:
        data = rows[1:]
        if code_at is None and name_at != 0:
            code_at = 0

    def at(row, index):
        return row[index] if index is not None and index < len(row) else ""

    queries = [Query(code=at(row, code_at), name=at(row, name_at)) for row in data]
    return [q for q in queries if q.code or q.name]


def queries_from_text(text: str) -> list[Query]:
    """One identifier a line, optionally followed by the name after a tab or comma."""
    queries = []
    for line in text.splitlines():
        code, *name = re.split(r"[\t,，]", line, maxsplit=1)
        query = Query(code=code.strip(), name=name[0].strip() if name else "")
        if query.code or query.name:
            queries.append(query)
    return queries


class CheckForm(forms.Form):
    """A check: the business matter, its purpose, and the subjects — typed identifiers, one
    name, or a file of identifiers (exactly one of the three)."""

    matter = forms.ChoiceField(label=_("Business matter"))
    purpose = forms.CharField(label=_("Purpose"), max_length=REASON_MAX, help_text=_(
        "What the check is for, e.g. the case, application or tender number."))
    codes = forms.CharField(label=_("Identifiers"), required=False,
                            widget=forms.Textarea(attrs={"rows": 6}), help_text=_(
                                "One a line, up to 1,000; a name may follow after a comma."))
    name = forms.CharField(label=_("Or one organisation's name"), max_length=200,
                           required=False, help_text=_(
                               "A name finds candidates only; check again by identifier."))
    file = forms.FileField(label=_("Or a file (CSV or XLSX)"), required=False, help_text=_(
        "Identifiers in the first column or in a column headed 统一社会信用代码, 证件号码, "
        "代码 or code."))

    def __init__(self, *args, matters: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", _("— choose —")), *sorted(
            matters.items(), key=lambda pair: pair[1])]
        self.fields["file"].widget.attrs["accept"] = ",".join(CHECK_FILE_SUFFIXES)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        suffix = Path(upload.name).suffix.lower()
        if suffix not in CHECK_FILE_SUFFIXES:
            raise ValidationError(_("Upload a CSV or XLSX file (the file ends in "
                                    "“%(suffix)s”)."), params={"suffix": suffix or "—"})
        if upload.size > CHECK_FILE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MiB; a check takes at most "
                                    "1,000 identifiers."))
        data = upload.read()
        rows = _csv_rows(data) if suffix == ".csv" else _xlsx_rows(data)
        queries = queries_from_rows(rows)
        if not queries:
            raise ValidationError(_("The file lists no identifiers."))
        return queries  # the queries stand for the file from here on

    def clean(self):
        cleaned = super().clean()
        if "file" in self.errors:
            return cleaned
        name = (cleaned.get("name") or "").strip()
        given = [queries for queries in (queries_from_text(cleaned.get("codes") or ""),
                                         [Query(name=name)] if name else [],
                                         cleaned.get("file") or []) if queries]
        if len(given) != 1:
            raise ValidationError(_("Give identifiers, one name or a file — one of the "
                                    "three."))
        if len(given[0]) > MAX_SUBJECTS:
            raise _too_many(len(given[0]))
        cleaned["queries"] = given[0]
        return cleaned


class FeedbackForm(forms.Form):
    """反馈 on one measure of a check."""

    status = forms.ChoiceField(label=_("Feedback"), choices=[
        (value, label) for value, label in FeedbackStatus.choices
        if value != FeedbackStatus.PENDING])
    handler = forms.CharField(label=_("Handler"), max_length=100)
    acted_on = _date_field(_("Date of action"), initial=date.today)
    reason = forms.CharField(label=_("Reason (required when not applied)"), required=False,
                             max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=REASON_MAX,
                              widget=forms.Textarea(attrs={"rows": 2}))


class CheckPeriodForm(forms.Form):
    """The optional period of the statistics page, on the check date."""

    start = _date_field(_("From"), required=False)
    end = _date_field(_("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            raise ValidationError(_("The period must start before it ends."))
        return cleaned
