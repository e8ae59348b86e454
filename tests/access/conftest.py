"""Fixtures for roles, staff users and API clients."""

import pytest

from xinyong.access.services import create_client, create_staff_user
from xinyong.catalog.models import Department


@pytest.fixture
def department(db):
    return Department.objects.create(code="QDSCJG", name="青岛市市场监督管理局",
                                     kind="municipal", division="370200")


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="QDSWJ", name="青岛市税务局", kind="vertical",
                                     division="370200")


@pytest.fixture
def credit_admin(db):
    return create_staff_user(username="centre", password="Xy-centre-2026!",
                             role="credit_centre_admin", actor="test")


@pytest.fixture
def auditor(db):
    return create_staff_user(username="audit", password="Xy-audit-2026!", role="auditor",
                             actor="test")


@pytest.fixture
def api_client_and_token(department):
    return create_client(name="市场监管报送系统", department_code=department.code,
                         scopes=["subjects:read", "batches:write"], actor="test")
