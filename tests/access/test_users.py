"""Staff users: roles, departments, password hashing and login lockout."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from xinyong.access.models import StaffProfile
from xinyong.access.services import create_staff_user
from xinyong.journal.models import Entry

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Xy-officer-2026!"


def run(*args) -> str:
    out = StringIO()
    call_command("users", *args, stdout=out)
    return out.getvalue()


def test_data_officer_is_bound_to_a_department(department):
    user = create_staff_user(username="officer", password=PASSWORD,
                             role="department_data_officer", department_code=department.code,
                             actor="test")
    assert user.staff_profile.department == department
    assert list(user.groups.values_list("name", flat=True)) == ["department_data_officer"]
    assert user.is_staff  # department staff read the catalog in the admin
    entry = Entry.objects.get(object_type="user", object_id="officer")
    assert entry.actor == "test"
    assert entry.new == {"username": "officer", "role": "department_data_officer",
                         "department": department.code, "is_active": True,
                         "is_staff": True, "is_superuser": False}
    assert "password" not in str(entry.new) and "argon2" not in str(entry.new)


@pytest.mark.parametrize("role", ["department_data_officer", "department_checker"])
def test_department_roles_without_department_are_rejected(role):
    with pytest.raises(ValidationError, match="must belong to a department"):
        create_staff_user(username="nobody", password=PASSWORD, role=role, actor="test")
    assert not User.objects.filter(username="nobody").exists()
    with pytest.raises(ValidationError):
        StaffProfile(user=User(username="x"), role=role).full_clean(exclude=["user"])


def test_centre_staff_and_auditors_need_no_department(credit_admin, auditor):
    assert credit_admin.staff_profile.department is None and credit_admin.is_staff
    assert auditor.staff_profile.department is None and auditor.is_staff
    assert credit_admin.has_perm("auth.change_user")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "boss"}, "unknown role 'boss'"),
    ({"role": "department_checker", "department_code": "NOPE"}, "unknown department 'NOPE'"),
])
def test_invalid_users_are_rejected(kwargs, message):
    arguments = {"username": "someone", "password": PASSWORD, "actor": "test", **kwargs}
    with pytest.raises(ValidationError, match=message):
        create_staff_user(**arguments)


# Django's own messages are translated (LANGUAGE_CODE is zh-hans): check codes and fields.
def test_weak_password_rejected():
    with pytest.raises(ValidationError) as caught:
        create_staff_user(username="someone", password="123", role="auditor", actor="test")
    assert "password_too_short" in [error.code for error in caught.value.error_list]
    assert not User.objects.filter(username="someone").exists()


@pytest.mark.parametrize("username", ["bad name!", "audit"])
def test_invalid_or_duplicate_username_rejected(auditor, username):
    with pytest.raises(ValidationError) as caught:
        create_staff_user(username=username, password=PASSWORD, role="auditor", actor="test")
    assert list(caught.value.message_dict) == ["username"]


def test_argon2_hashes_new_passwords(auditor):
    assert auditor.password.startswith("argon2")
    assert auditor.check_password("Xy-audit-2026!")


def test_users_create_command_with_password(department):
    out = run("create", "--username", "checker", "--role", "department_checker",
              "--department", department.code, "--password", PASSWORD)
    assert out == f"user checker created as department_checker in department {department.code}\n"
    assert User.objects.get(username="checker").check_password(PASSWORD)


def test_users_create_command_generates_a_password_when_not_interactive(monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    out = run("create", "--username", "auditor2", "--role", "auditor")
    password = out.split("password: ")[1].split("\n")[0]
    assert len(password) >= 16
    assert "shown only once" in out
    assert User.objects.get(username="auditor2").check_password(password)


def test_users_create_command_errors_are_one_line():
    with pytest.raises(CommandError, match="^Department data officers and checkers must "
                                           "belong to a department.$"):
        run("create", "--username", "x", "--role", "department_data_officer",
            "--password", PASSWORD)
    with pytest.raises(CommandError, match="unknown department 'NOPE'"):
        run("create", "--username", "x", "--role", "department_checker", "--department",
            "NOPE", "--password", PASSWORD)


def test_admin_user_form_requires_a_department_for_department_roles(admin_client, department):
    data = {
        "username": "officer2", "password1": PASSWORD, "password2": PASSWORD,
        "usable_password": "true",
        "staff_profile-TOTAL_FORMS": "1", "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0", "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-role": "department_data_officer", "staff_profile-0-department": "",
    }
    url = reverse("admin:auth_user_add")
    response = admin_client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "must belong to a department" in response.content.decode()
    assert not User.objects.filter(username="officer2").exists()

    response = admin_client.post(url, {**data, "staff_profile-0-department": department.pk})
    assert response.status_code == 302
    user = User.objects.get(username="officer2")
    assert list(user.groups.values_list("name", flat=True)) == ["department_data_officer"]
    entry = Entry.objects.get(object_type="user", object_id="officer2")
    assert (entry.actor, entry.new["department"]) == ("admin", department.code)


# --- django-axes lockout through the real admin login page ----------------------------------

def login(client, password):
    return client.post("/admin/login/", {"username": "centre", "password": password,
                                         "next": "/admin/"})


def test_five_failed_logins_lock_the_account_even_for_the_right_password(client, credit_admin):
    for _ in range(4):
        response = login(client, "wrong-password")
        assert response.status_code == 200  # the login form again, with an error
    assert login(client, "wrong-password").status_code == 429  # the fifth failure locks
    response = login(client, "Xy-centre-2026!")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_correct_password_logs_in_before_the_limit(client, credit_admin):
    for _ in range(4):
        login(client, "wrong-password")
    response = login(client, "Xy-centre-2026!")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(credit_admin.pk)


def test_admin_user_pages_show_role_and_department(admin_client, department):
    officer = create_staff_user(username="officer3", password=PASSWORD,
                                role="department_checker", department_code=department.code,
                                actor="test")
    listing = admin_client.get(reverse("admin:auth_user_changelist"),
                               {"staff_profile__role": "department_checker"})
    assert listing.status_code == 200
    assert "officer3" in listing.content.decode() and department.name in listing.content.decode()
    page = admin_client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert page.status_code == 200
    assert 'name="groups"' not in page.content.decode()  # the role decides the group
