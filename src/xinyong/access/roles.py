"""Roles (角色) as Django groups, defined here and synced after every `migrate`.

A group's permissions are whatever `ROLE_PERMISSIONS` says: `sync_roles()` sets them exactly,
so a permission added to a role group by hand in the admin is undone by the next migrate.
Department roles are bound to one department through the user's `StaffProfile`; the console
and services use that department to scope what the user sees and does.
"""

from fnmatch import fnmatchcase

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AUDITOR",
    "CREDIT_CENTRE_ADMIN",
    "DEPARTMENT_CHECKER",
    "DEPARTMENT_DATA_OFFICER",
    "DEPARTMENT_ROLES",
    "ROLE_LABELS",
    "ROLE_PERMISSIONS",
    "STAFF_SITE_ROLES",
    "permissions_for",
    "sync_roles",
]

CREDIT_CENTRE_ADMIN = "credit_centre_admin"
DEPARTMENT_DATA_OFFICER = "department_data_officer"
DEPARTMENT_CHECKER = "department_checker"
AUDITOR = "auditor"

ROLE_LABELS = {
    CREDIT_CENTRE_ADMIN: _("Credit centre administrator"),  # 信用中心管理员
    DEPARTMENT_DATA_OFFICER: _("Department data officer"),  # 部门数据报送员
    DEPARTMENT_CHECKER: _("Department checker"),  # 部门核查员
    AUDITOR: _("Auditor"),  # 审计员
}

# Roles whose holders act for exactly one department.
DEPARTMENT_ROLES = frozenset({DEPARTMENT_DATA_OFFICER, DEPARTMENT_CHECKER})
# Every role signs in to the admin (is_staff); what each sees there is set by its permissions.
# Department staff read the catalog there (what their department submits) until the console
# gives them their own pages.
STAFF_SITE_ROLES = frozenset(ROLE_LABELS)

# Patterns over "app_label.codename"; "xinyong" stands for every app of this project.
ROLE_PERMISSIONS = {
    CREDIT_CENTRE_ADMIN: ["xinyong.*", "auth.*_user", "auth.*_group"],
    # No subjects.view_*: the base databases hold persons, whose data departments reach
    # only through logged checks and queries (later issues), never by browsing.
    DEPARTMENT_DATA_OFFICER: ["catalog.view_*"],
    DEPARTMENT_CHECKER: ["catalog.view_*"],
    AUDITOR: ["*.view_*"],
}


def _project_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs()
            if config.name.startswith("xinyong.")}


def _expand(pattern: str) -> list[str]:
    app_label, _dot, codename = pattern.partition(".")
    if app_label == "xinyong":
        return [f"{label}.{codename}" for label in sorted(_project_app_labels())]
    return [pattern]


def permissions_for(role: str, using: str = DEFAULT_DB_ALIAS) -> list[Permission]:
    """The permissions `role` grants, read from the database."""
    patterns = [p for pattern in ROLE_PERMISSIONS[role] for p in _expand(pattern)]
    every = Permission.objects.using(using).select_related("content_type")
    return [perm for perm in every
            if any(fnmatchcase(f"{perm.content_type.app_label}.{perm.codename}", p)
                   for p in patterns)]


def sync_roles(using: str = DEFAULT_DB_ALIAS) -> dict[str, Group]:
    """Create or update every role group with exactly its permissions. Idempotent."""
    for config in apps.get_app_configs():  # permissions of apps migrated after this one
        create_permissions(config, verbosity=0, using=using)
    groups = {}
    with transaction.atomic(using=using):
        for role in ROLE_LABELS:
            group, _created = Group.objects.using(using).get_or_create(name=role)
            group.permissions.set(permissions_for(role, using))
            groups[role] = group
    return groups


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (connected in AccessConfig.ready)."""
    sync_roles(using)
