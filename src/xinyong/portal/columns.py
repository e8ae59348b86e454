"""The 双公示 columns: administrative licences and penalties as filterable public lists, and
their CSV/XLSX exports (exactly the rows and columns the page shows, up to `EXPORT_LIMIT`)."""

import io
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from django import forms
from django.db.models import QuerySet
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from xinyong.catalog.models import Department, InformationItem
from xinyong.collection.workbooks import TableFormats, csv_lines, standard_formats, write_table

from .disclosure import PublicRecord, public_record, public_records

EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Column:
    slug: str
    item_code: str
    title: str
    category_field: str
    # (field code or a PublicRecord attribute, header) in display order
    columns: tuple[tuple[str, str], ...]


COLUMNS = {
    "licences": Column("licences", "XZXK", _("Administrative licences"), "XK_XKLB", (
        ("subject_name", _("Holder")), ("subject_code", _("Unified social credit code")),
        ("XK_XKWS", _("Decision document")), ("XK_WSH", _("Document number")),
        ("XK_XKLB", _("Licence category")), ("XK_NR", _("Content")),
        ("decision_date", _("Decision date")), ("XK_YXQZI", _("Valid until")),
        ("department", _("Licensing authority")), ("publicity_end", _("Public until")))),
    "penalties": Column("penalties", "XZCF", _("Administrative penalties"), "CF_CFLB", (
        ("subject_name", _("Party")), ("subject_code", _("Unified social credit code")),
        ("CF_WSH", _("Document number")), ("CF_WFXW", _("Violation")),
        ("CF_CFLB", _("Penalty category")), ("CF_NR", _("Content")),
        ("decision_date", _("Decision date")), ("department", _("Penalising authority")),
        ("publicity_end", _("Public until")))),
}


class FilterForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"), required=False)
    district = forms.ChoiceField(label=_("District of the deciding authority"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    start = forms.DateField(label=_("Decided from"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Decided until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, item: InformationItem, column: Column):
        super().__init__(data)
        providers = item.providers.filter(active=True).order_by("code")
        anything = [("", _("All"))]
        self.fields["department"].choices = anything + [(d.code, d.name) for d in providers]
        districts = Department.objects.filter(kind=Department.Kind.DISTRICT, active=True)
        self.fields["district"].choices = anything + [("370200", _("City level"))] + [
            (d.division, d.short_name or d.name) for d in districts.order_by("division")]
        values = (item.field(column.category_field) or {}).get("values") or []
        self.fields["category"].choices = anything + [(v, v) for v in values]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def filtered(item: InformationItem, column: Column, form: FilterForm) -> QuerySet:
    records = public_records(item=item).select_related("item", "subject", "department")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("department"):
        records = records.filter(department__code=data["department"])
    if data.get("district"):
        records = records.filter(department__division=data["district"])
    if data.get("category"):
        # multi-valued categories are stored joined by ;/；, so match the value inside
        records = records.alias(category=KT(f"fields__{column.category_field}")) \
            .filter(category__contains=data["category"])
    if data.get("start"):
        records = records.filter(decision_date__gte=data["start"])
    if data.get("end"):
        records = records.filter(decision_date__lte=data["end"])
    return records.order_by("-decision_date", "-id")


def cell(record: PublicRecord, key: str) -> str:
    value = getattr(record, key, None) if not key.isupper() else record.value(key)
    return "" if value is None else str(value)


def rows(column: Column, records) -> list[list[str]]:
    return [[cell(r, key) for key, _ in column.columns] for r in records]


def export_csv(column: Column, records: QuerySet) -> Iterator[bytes]:
    return csv_lines(_headers(column), _export_rows(column, records))


def export_xlsx(column: Column, records: QuerySet) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(column.item_code)
    write_table(sheet, _headers(column), _export_rows(column, records),
                TableFormats(header=standard_formats(book)["header"]))
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def _headers(column: Column) -> list[str]:
    return [str(header) for _, header in column.columns]


def _export_rows(column: Column, records: QuerySet):
    return rows(column, (public_record(r) for r in records[:EXPORT_LIMIT].iterator()))
