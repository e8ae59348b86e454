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


@pytest.fixture
def penalty(db, settings, tmp_path) -> dict:
    """The 行政处罚 item (XZCF) as the pipeline sees it, with the Qingdao catalog loaded and
    uploads kept under tmp_path."""
    from xinyong.catalog.models import InformationItem
    from xinyong.catalog.services import load_catalog
    from xinyong.collection.services import item_spec

    from .penalties import ROOT

    settings.VAR_DIR = tmp_path / "var"
    load_catalog(ROOT / "catalog" / "qingdao", actor="test")
    return item_spec(InformationItem.objects.get(code="XZCF"))


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Service and command messages in English for assertions; pages still negotiate their
    language per request (Chinese by default) through LocaleMiddleware."""
    from django.utils import translation

    with translation.override("en"):
        yield
