"""Roles (角色) as groups, synced after migrate."""

import pytest
from django.contrib.auth.models import Group

from xinyong.access.roles import (
    AUDITOR,
    CREDIT_CENTRE_ADMIN,
    DEPARTMENT_CHECKER,
    DEPARTMENT_DATA_OFFICER,
    ROLE_LABELS,
    sync_roles,
)

pytestmark = pytest.mark.django_db


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")}


def test_every_role_exists_after_migrate_with_a_label():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_LABELS)
    assert str(ROLE_LABELS[AUDITOR]) == "Auditor"


def test_credit_centre_admin_has_everything_on_project_apps_and_users():
    granted = perms(CREDIT_CENTRE_ADMIN)
    assert {"core.change_calendarday", "journal.view_entry", "catalog.change_department",
            "access.add_apiclient", "access.change_staffprofile", "auth.add_user",
            "auth.change_group", "auth.delete_user"} <= granted
    assert not any(p.startswith(("sessions.", "admin.", "contenttypes.")) for p in granted)


def test_auditor_reads_everything_and_changes_nothing():
    granted = perms(AUDITOR)
    assert {"journal.view_entry", "catalog.view_department", "core.view_calendarday",
            "access.view_apiclient", "auth.view_user"} <= granted
    assert all(p.split(".")[1].startswith("view_") for p in granted)


@pytest.mark.parametrize("role", [DEPARTMENT_DATA_OFFICER, DEPARTMENT_CHECKER])
def test_department_roles_read_the_catalog_only(role):
    granted = perms(role)
    assert "catalog.view_department" in granted
    assert all(p.split(".")[1].startswith("view_") for p in granted)
    assert "journal.view_entry" not in granted


def test_sync_is_idempotent_and_undoes_hand_edits():
    group = Group.objects.get(name=AUDITOR)
    before = perms(AUDITOR)
    group.permissions.add(Group.objects.get(name=CREDIT_CENTRE_ADMIN).permissions.get(
        codename="change_user"))
    sync_roles()
    sync_roles()
    assert perms(AUDITOR) == before
    assert Group.objects.filter(name__in=ROLE_LABELS).count() == len(ROLE_LABELS)


def test_auditor_user_has_view_but_not_change_permission(auditor):
    assert auditor.has_perm("journal.view_entry")
    assert auditor.has_perm("catalog.view_department")
    assert not auditor.has_perm("catalog.change_department")
    assert not auditor.has_perm("access.change_apiclient")
