"""Who may see and do what in the console.

Every page needs a signed-in staff user with a role (StaffProfile; a superuser without one
acts as a credit-centre administrator). Department roles see their own department only;
the credit centre and auditors see every department; auditors never change anything.
Objects of another department answer 404, as if they did not exist.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from xinyong.access.models import StaffProfile
from xinyong.access.roles import (
    AUDITOR,
    CREDIT_CENTRE_ADMIN,
    DEPARTMENT_CHECKER,
    DEPARTMENT_DATA_OFFICER,
    DEPARTMENT_ROLES,
    ROLE_LABELS,
)
from xinyong.catalog.models import Department
from xinyong.collection.models import Batch, BatchRow
from xinyong.lists.models import ListEntry
from xinyong.measures.models import Check
from xinyong.records.models import Record

__all__ = ["Viewer", "console_view", "viewer_for"]


@dataclass(frozen=True)
class Viewer:
    """The signed-in staff member as the console sees them."""

    username: str
    role: str
    department: Department | None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def sees_all(self) -> bool:
        return self.role not in DEPARTMENT_ROLES

    @property
    def read_only(self) -> bool:
        return self.role == AUDITOR

    @property
    def can_submit(self) -> bool:
        return self.role in (DEPARTMENT_DATA_OFFICER, CREDIT_CENTRE_ADMIN)

    @property
    def can_link(self) -> bool:
        return self.role == CREDIT_CENTRE_ADMIN

    def can_confirm(self, row: BatchRow) -> bool:
        """The check-character override of a waiting row: the credit centre, or a data
        officer of the department that submitted it (who can vouch for the code)."""
        return self.can_link or (self.role == DEPARTMENT_DATA_OFFICER
                                 and row.batch.department_id == self.department.pk)

    def can_revoke(self, record: Record) -> bool:
        return self.role == DEPARTMENT_DATA_OFFICER and \
            record.department_id == self.department.pk

    @property
    def can_recognise(self) -> bool:
        """Give prior notice of a listing (事前告知): a department's data officer for their
        department, the credit centre for any department."""
        return self.role in (DEPARTMENT_DATA_OFFICER, CREDIT_CENTRE_ADMIN)

    def can_decide(self, entry: ListEntry) -> bool:
        """Act on a list entry: the recognising department's data officer, or the credit
        centre (which exits may be taken is the page's business)."""
        return self.can_link or (self.role == DEPARTMENT_DATA_OFFICER
                                 and entry.department_id == self.department.pk)

    @property
    def can_check(self) -> bool:
        """Run checks (核查): department staff only, since a check is logged and answered
        for one department; the credit centre and auditors read them."""
        return self.role in (DEPARTMENT_CHECKER, DEPARTMENT_DATA_OFFICER)

    def can_feedback(self, check: Check) -> bool:
        return self.can_check and check.department_id == self.department.pk

    def departments(self):
        """The departments whose data this viewer sees."""
        if self.sees_all:
            return Department.objects.filter(active=True)
        return Department.objects.filter(pk=self.department.pk)

    def batches(self):
        batches = Batch.objects.select_related("item", "department")
        return batches if self.sees_all else batches.filter(department=self.department)

    def batch_rows(self):
        rows = BatchRow.objects.all()
        return rows if self.sees_all else rows.filter(batch__department=self.department)

    def records(self):
        records = Record.objects.select_related("item", "subject", "department")
        return records if self.sees_all else records.filter(department=self.department)

    def list_entries(self):
        entries = ListEntry.objects.select_related("list_type", "subject", "department")
        return entries if self.sees_all else entries.filter(department=self.department)

    def checks(self):
        """The checks this viewer sees."""
        checks = Check.objects.select_related("department")
        return checks if self.sees_all else checks.filter(department=self.department)


def viewer_for(user) -> Viewer | None:
    """The console viewer for `user`, or None when the user has no console access."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    profile = StaffProfile.objects.filter(user=user).select_related("department").first()
    if profile is None:
        return Viewer(user.get_username(), CREDIT_CENTRE_ADMIN, None) \
            if user.is_superuser else None
    if profile.role not in ROLE_LABELS or \
            (profile.role in DEPARTMENT_ROLES and profile.department is None):
        return None
    return Viewer(user.get_username(), profile.role, profile.department)


def forbidden(request, message=""):
    return render(request, "console/forbidden.html", {"message": message}, status=403)


def console_view(*, methods=("GET",), allow=None):
    """Decorate a console view: sign-in, a console role, `allow(viewer)` when given, and the
    HTTP methods; a POST by a read-only viewer is refused. The viewer is `request.viewer`."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("console:login"))
            viewer = request.viewer = viewer_for(request.user)
            if viewer is None or (allow is not None and not allow(viewer)):
                return forbidden(request)
            if request.method == "POST" and viewer.read_only:
                return forbidden(request, _("Auditors read; they change nothing."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
