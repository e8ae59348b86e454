"""`xinyong lists expire|sync|status`."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xinyong.lists.models import ListEntry, Status

from .conftest import serious_market_record

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("lists", *args, stdout=out)
    return out.getvalue()


def test_expire_sync_and_status(firm):
    listed = date.today() - timedelta(days=10)
    serious_market_record(firm, listed)
    entry = ListEntry.objects.get()
    assert "SCJG_YZWF  listed" in run("status")
    assert run("sync") == "0 entries created, 0 updated, 0 red-list entries withdrawn\n"
    assert run("expire") == "0 entries expired\n"
    after = entry.valid_until + timedelta(days=1)
    assert run("expire", "--today", after.isoformat()) == "1 entries expired\n"
    entry.refresh_from_db()
    assert entry.status == Status.EXITED and entry.exited_on == after


def test_a_bad_date_is_explained(firm):
    with pytest.raises(CommandError, match="not a date"):
        run("expire", "--today", "tomorrow")
