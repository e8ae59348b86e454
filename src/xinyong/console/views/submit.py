"""Submitting a file (报送) and downloading the submission templates."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from xinyong.catalog.models import Department, InformationItem
from xinyong.collection.services import IngestError, item_spec, submit
from xinyong.collection.tasks import dispatch
from xinyong.collection.templates import csv_template, xlsx_template

from ..access import console_view
from ..forms import SubmitForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request):
    viewer = request.viewer
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    return SubmitForm(*data, departments=viewer.departments(),
                      own_department=None if viewer.sees_all else viewer.department)


@contextmanager
def _upload_file(upload) -> Iterator[Path]:
    """The upload as a file ending in its own extension (the readers take it as a hint):
    Django's temporary file for a large upload, else a temporary copy of it."""
    if hasattr(upload, "temporary_file_path"):  # named *.upload.<ext> by Django
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower(),
                                     prefix="console-") as target:
        for chunk in upload.chunks():
            target.write(chunk)
        target.flush()
        yield Path(target.name)


def _submit(form, viewer):
    """Register and process the upload; the batch, or None with the error on the form."""
    item, department = form.cleaned_data["item"], form.cleaned_data["department"]
    upload = form.cleaned_data["file"]
    try:
        with _upload_file(upload) as path:
            batch = submit(path, item_code=item.code, department_code=department.code,
                           actor=viewer.username, channel="console", filename=upload.name)
    except IngestError as exc:
        form.add_error(None, str(exc))
        return None
    return dispatch(batch)


@console_view(methods=("GET", "POST"), allow=lambda viewer: viewer.can_submit)
def submit_file(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        started = timezone.now()
        batch = _submit(form, request.viewer)
        if batch is not None:
            if batch.created_at < started:
                messages.info(request, _("This file was submitted before; this is its batch."))
            return redirect("console:batch", pk=batch.pk)
    return render(request, "console/submit.html", {"form": form,
                                                   "items": form.fields["item"].queryset})


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return HttpResponse(content, content_type=content_type, headers={
        "Content-Disposition": content_disposition_header(True, filename)})


@console_view()
def item_template(request, code, fmt):
    item = get_object_or_404(InformationItem, code=code, active=True)
    spec = item_spec(item)
    name = f"{item.code}_{item.name}_填报模板"
    if fmt == "xlsx":
        departments = dict(Department.objects.values_list("code", "name"))
        return _download(xlsx_template(spec, departments=departments), f"{name}.xlsx",
                         XLSX_TYPE)
    if fmt == "csv":
        return _download(csv_template(spec), f"{name}.csv", "text/csv; charset=utf-8")
    raise Http404("no such template format")
