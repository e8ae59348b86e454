"""Fixtures for the console: the Qingdao catalog, staff of two departments that both report
行政处罚 (scjgj and fgw), the credit centre, an auditor, and a batch of scjgj with an accepted,
a rejected and a waiting row."""

from datetime import date
from pathlib import Path

import pytest

from xinyong.access.services import create_staff_user
from xinyong.collection.services import ingest
from xinyong.core.identifiers import make_uscc

from ..penalties import penalty_csv, penalty_row

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Xy-console-2026!"
GOOD = make_uscc("9", "1", "370202", "00000077")
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")  # only the check character is wrong


def staff(username, role, department=None):
    return create_staff_user(username=username, password=PASSWORD, role=role,
                             department_code=department, actor="test")


@pytest.fixture
def officer(penalty):
    return staff("officer_a", "department_data_officer", "scjgj")


@pytest.fixture
def checker(penalty):
    return staff("checker_a", "department_checker", "scjgj")


@pytest.fixture
def other_officer(penalty):
    return staff("officer_b", "department_data_officer", "fgw")


@pytest.fixture
def centre(penalty):
    return staff("centre", "credit_centre_admin")


@pytest.fixture
def auditor(penalty):
    return staff("auditor", "auditor")


@pytest.fixture
def batch(penalty, tmp_path):
    """scjgj's batch: row 2 accepted, row 3 rejected (bad date), row 4 waiting (bad check
    character)."""
    rows = [penalty_row(penalty, 1), penalty_row(penalty, 2, CF_JDRQ="2026/13/01"),
            penalty_row(penalty, 3, CF_XDR_SHXYM=BAD, CF_XDR_MC="青岛校验有限公司")]
    return ingest(penalty_csv(tmp_path / "penalties.csv", penalty, rows), item_code="XZCF",
                  department_code="scjgj", actor="officer_a", today=date(2026, 11, 20))


@pytest.fixture
def english(client, settings):
    """Pages in English, so assertions hold whether or not the catalog is compiled."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
