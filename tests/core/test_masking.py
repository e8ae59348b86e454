"""Masking (脱敏) of personal data."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.core.masking import mask_identifier, mask_name, mask_resident_id


@pytest.mark.parametrize(("value", "expected"), [
    ("37020219900307123X", "3702**********123X"),
    ("37020219900307123x", "3702**********123X"),
    ("3702 0219 9003 0712 3X", "3702**********123X"),
    ("370202900307123", "3702*******7123"),  # 15-digit legacy number
    ("123456789", "1234*6789"),
    ("12345678", "********"),  # 4 + 4 would show it all
    ("", ""),
    (None, ""),
])
def test_mask_resident_id(value, expected):
    assert mask_resident_id(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("张三", "张*"),
    ("王小明", "王*明"),
    ("欧阳小明", "欧**明"),
    ("买买提·艾力", "买****力"),
    (" 张 三 ", "张*"),
    ("张", "张"),
    ("", ""),
    (None, ""),
])
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@given(st.text(st.characters(exclude_categories=("Z", "C"))))
def test_masked_name_keeps_length_and_hides_the_middle(name):
    masked = mask_name(name)
    assert len(masked) == len(name)
    if len(name) >= 2:
        assert set(masked[1:-1]) <= {"*"} and masked[0] == name[0]


def test_mask_identifier():
    assert mask_identifier("resident_id", "37020219900307123X") == "3702**********123X"
    assert mask_identifier("uscc", "91110000600037341L") == "91110000600037341L"
    assert mask_identifier("org_code", "59467239-9") == "59467239-9"
    assert mask_identifier("uscc_placeholder", "00000000000000000X") == "00000000000000000X"
    assert mask_identifier("passport", "E12345678") == "*****5678"
    assert mask_identifier(None, "E1234") == "***34"  # short: at most half is shown
    assert mask_identifier("passport", None) == ""
