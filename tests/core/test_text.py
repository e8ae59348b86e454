"""Text normalisation (文本规范化) of codes and organisation names."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.core.text import normalize_code, normalize_name, to_halfwidth

any_text = st.text(st.characters() | st.sampled_from("（）【】〔〕［］　ＡＢｃ１２ ÄẞİŉΣ\u200b"))


@pytest.mark.parametrize(("value", "expected"), [
    ("９１３７０２００ＭＡ３Ｃ", "91370200MA3C"),
    ("ｈｅｌｌｏ　ｗｏｒｌｄ！", "hello world!"),
    ("青岛（市南）", "青岛(市南)"),
    ("青岛海尔", "青岛海尔"),
    ("，。、「」", ",。、「」"),  # full-width comma converted; CJK punctuation kept
])
def test_to_halfwidth(value, expected):
    assert to_halfwidth(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("  91370200ma3c4d5e7x ", "91370200MA3C4D5E7X"),
    ("59467239-9", "594672399"),
    ("59467239－9", "594672399"),
    ("59467239—9", "594672399"),
    ("9137 0200\tMA3C\n", "91370200MA3C"),
    ("\ufeff9137\u200b0200\u3000", "91370200"),
    ("ıﬀ", "ıﬀ"),  # only ASCII is upper-cased: no non-ASCII letter becomes a code character
    ("", ""),
])
def test_normalize_code(value, expected):
    assert normalize_code(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("青岛海尔（集团）有限公司", "青岛海尔(集团)有限公司"),
    ("青岛 海尔【集团】有限公司", "青岛海尔(集团)有限公司"),
    ("青岛海尔〔集团〕有限公司", "青岛海尔(集团)有限公司"),
    ("青岛海尔[集团]有限公司", "青岛海尔(集团)有限公司"),
    ("青岛海尔［集团］有限公司", "青岛海尔(集团)有限公司"),
    ("ＡＢＣ Trading（Qingdao）Co., Ltd.", "abctrading(qingdao)co.,ltd."),
    ("Café ÄRZTE", "caféärzte"),
    ("ΣΟΦΙΑ 青岛", "ΣΟΦΙΑ青岛"),  # Latin letters only are case-folded
])
def test_normalize_name(value, expected):
    assert normalize_name(value) == expected


@given(any_text)
def test_normalisation_is_idempotent(value):
    assert normalize_name(normalize_name(value)) == normalize_name(value)
    assert normalize_code(normalize_code(value)) == normalize_code(value)
    assert to_halfwidth(to_halfwidth(value)) == to_halfwidth(value)


@given(any_text)
def test_normalised_text_has_no_whitespace_or_full_width(value):
    for result in (normalize_code(value), normalize_name(value)):
        assert not any(c.isspace() or "\uff01" <= c <= "\uff5e" for c in result)


def test_non_strings_are_type_errors():
    for function in (normalize_code, normalize_name):
        with pytest.raises(TypeError):
            function(None)
