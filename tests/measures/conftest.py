"""A small city for checks: a company on the market regulator's serious list, one with a
red-list entry, a clean one, and a person on the courts' list."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from xinyong.access.services import create_client
from xinyong.catalog.services import load_catalog

from ..lists.conftest import serious_market_record, tax_a_record
from ..penalties import ROOT
from ..recording import register_org, store_record

TODAY = date.today()


@dataclass
class Town:
    listed: object
    red: object
    clean: object
    debtor: object


@pytest.fixture
def town(db, person) -> Town:
    load_catalog(ROOT / "catalog" / "qingdao", actor="test")
    listed = register_org("MA00CK01", "青岛失信测试贸易有限公司", legal_representative="钱二")
    red = register_org("MA00CK02", "青岛守信测试科技有限公司", legal_representative="孙三")
    clean = register_org("MA00CK03", "青岛平常测试商贸有限公司", legal_representative="李四")
    serious_market_record(listed, TODAY - timedelta(days=30))
    tax_a_record(red, TODAY - timedelta(days=60))
    store_record("SXBZXR", "zy", person, {
        "SX_BZXR_MC": person.name, "SX_BZXR_LB": "自然人", "SX_ZJHM": person.code,
        "SX_ZXFY": "青岛市中级人民法院", "SX_ZXYJWH": "（2025）鲁02民初1号",
        "SX_ZXYJDW": "青岛市中级人民法院", "SX_AH": "（2026）鲁02执100号",
        "SX_LARQ": (TODAY - timedelta(days=90)).isoformat(), "SX_YW": "支付货款",
        "SX_LXQK": "全部未履行", "SX_SXQX": ["有履行能力而拒不履行生效法律文书确定义务"],
        "SX_FBRQ": (TODAY - timedelta(days=20)).isoformat()}, TODAY - timedelta(days=20))
    return Town(listed, red, clean, person)


@pytest.fixture
def tokens(town) -> dict:
    """API tokens of the finance bureau (procurement) and of the housing bureau."""
    scopes = ["checks:write", "checks:read", "feedback:write"]
    return {code: create_client(name=f"{code} business system", department_code=code,
                                scopes=scopes, actor="test")[1] for code in ("czj", "zjj")}
