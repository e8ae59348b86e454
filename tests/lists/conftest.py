"""Organisations, the Qingdao catalog and helpers for list entries reported as records."""

from datetime import date

import pytest

from xinyong.catalog.services import load_catalog

from ..penalties import ROOT
from ..recording import register_org, store_record


@pytest.fixture
def catalog(db):
    load_catalog(ROOT / "catalog" / "qingdao", actor="test")


@pytest.fixture
def firm(catalog):
    return register_org("MA00LT01", "青岛名单测试有限公司", legal_representative="赵一")


def serious_market_record(subject, listed: date, document="青市监严违〔2023〕1号", **changes):
    """A 市场监督管理严重违法失信名单 entry as the market regulator reports it."""
    fields = {"YZ_ZTMC": subject.name, "YZ_TYSHXYDM": subject.code, "YZ_FDDBR": "赵一",
              "YZ_LRSY": "提交虚假材料取得登记",
              "YZ_LRYJ": "《市场监督管理严重违法失信名单管理办法》第九条",
              "YZ_WSH": document, "YZ_LRRQ": listed.isoformat(), "YZ_LRJG": "青岛市市场监督管理局",
              **changes}
    return store_record("SCJG_YZWF", "scjgj", subject, fields, listed)


def tax_a_record(subject, published: date, year="2025"):
    """纳税信用A级: a red-list entry."""
    return store_record("NSXY_A", "sw", subject, {
        "NS_NSRMC": subject.name, "NS_NSRSBH": subject.code, "NS_PJND": year, "NS_PJJG": "A",
        "NS_ZGSWJG": "国家税务总局青岛市崂山区税务局", "NS_FBRQ": published.isoformat()}, published)
