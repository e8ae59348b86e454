"""Shared fixtures: a company and a person. App-specific fixtures live in tests/<app>/."""

from datetime import date
from decimal import Decimal

import pytest

from xinyong.core.identifiers import make_resident_id, make_uscc
from xinyong.subjects.services import NewSubject, register_subject


@pytest.fixture
def company(db):
    return register_subject(NewSubject(
        code=make_uscc("9", "1", "370212", "MA3C4D5E"), name="青岛海睿智能科技有限公司",
        organisation={"legal_representative": "王海", "established": date(2016, 5, 4),
                      "registered_capital": Decimal("500"),
                      "address": "山东省青岛市崂山区海尔路1号",
                      "industry": "制造业", "registration_authority": "青岛市崂山区市场监督管理局"},
        legacy=[("registration_number", "370212000123456")]), actor="test")


@pytest.fixture
def person(db):
    return register_subject(NewSubject(code=make_resident_id("370202", date(1985, 3, 9), 123),
                                       name="李青"), actor="test")


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Service and command messages in English for assertions; pages still negotiate their
    language per request (Chinese by default) through LocaleMiddleware."""
    from django.utils import translation

    with translation.override("en"):
        yield
