"""The check writer: checks of concurrent requests committed together, each answer naming its
stored check and measures."""

import threading
import time

import pytest
from django.db import connection

from xinyong.catalog.models import Department
from xinyong.measures import writer
from xinyong.measures.models import Check, CheckMeasure
from xinyong.measures.services import Query, run_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_checks_are_stored_with_their_own_measures(town, settings, monkeypatch):
    settings.CHECK_GROUP_COMMIT = True
    monkeypatch.setattr(writer, "IDLE_SECONDS", 0.1)  # let the database go before teardown
    czj = Department.objects.get(code="czj")
    codes = [town.listed.code, town.clean.code, town.debtor.code] * 8
    answers, errors = {}, []

    def check(position, code):
        try:
            answers[position] = run_check(department=czj, matter="procurement",
                                          purpose=f"招标 {position}", queries=[Query(code=code)])
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check, args=(i, code)) for i, code in enumerate(codes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Check.objects.count() == len(codes)
    for position, answer in answers.items():
        stored = Check.objects.get(pk=answer.pk)
        assert stored.purpose == f"招标 {position}"
        ids = [m["id"] for r in stored.results for m in r.get("measures", [])]
        assert ids == list(CheckMeasure.objects.filter(check_run=stored).order_by("id")
                           .values_list("id", flat=True))
        assert (len(ids) > 0) == (codes[position] != town.clean.code)
    time.sleep(0.5)  # the idle writer closes its connection (PostgreSQL drops the test db)
