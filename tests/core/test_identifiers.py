"""Identifiers (标识码): USCC (GB 32100), organisation code (GB 11714), resident ID (GB 11643)."""

import pickle
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from xinyong.core.identifiers import (
    AUTHORITIES,
    USCC_CHARSET,
    USCC_PLACEHOLDER,
    Identifier,
    IdentifierError,
    division_name,
    make_org_code,
    make_resident_id,
    make_uscc,
    org_code_check_char,
    parse_any,
    parse_org_code,
    parse_resident_id,
    parse_uscc,
    resident_id_check_char,
    subject_kind,
    uscc_check_char,
    validate_resident_id_array,
    validate_uscc_array,
)
from xinyong.core.text import normalize_code

# GB/T 2260 codes of Qingdao (domain.md §1.3), current and abolished.
QINGDAO = ["370200", "370202", "370203", "370211", "370212", "370213", "370214", "370215",
           "370281", "370283", "370285", "370205", "370282", "370284"]
PAIRS = [(a, c) for a, entry in AUTHORITIES.items() for c in entry["categories"]]
DIGITS = "0123456789"

# Published real codes: python-stdnum's test list and a public JS validator's samples (the
# sources of domain.md §1.1), covering authorities 1 and 9 and old and new ("MA") bodies.
REAL_USCCS = [
    "121200004013590816", "123502001549897397", "91110000600037341L", "91110000710926094P",
    "91120224064012553U", "9115220107837757XE", "9115220107837941X1", "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD", "91371082775260043P", "9144030071526726XG", "91620105L015101280",
    "91620105MA73NBBLXE", "92340602MA2PBMEM24", "92340621MA2UK3PJXE", "91350200MA2YJ1XR9G",
    "91512081MA62K0260E", "913502000728319549", "9135020530311446XH",
]
WHITELISTED_BAD = "91350203M0001QAY9B"  # fails its check; a public validator whitelists it

bodies = st.text(alphabet=USCC_CHARSET, min_size=8, max_size=8)
divisions = st.sampled_from(QINGDAO) | st.text(alphabet=DIGITS, min_size=6, max_size=6)
birth_dates = st.dates(date(1900, 1, 1), date.today())


@st.composite
def usccs(draw) -> str:
    authority, category = draw(st.sampled_from(PAIRS))
    return make_uscc(authority, category, draw(divisions), draw(bodies))


@st.composite
def resident_ids(draw) -> str:
    return make_resident_id(draw(st.sampled_from(QINGDAO)), draw(birth_dates),
                            draw(st.integers(0, 999)))


def swap(code: str, i: int, j: int) -> str:
    chars = list(code)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def rejected(parse, value) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        parse(value)
    return info.value


# ---- USCC --------------------------------------------------------------------------------


@given(usccs())
def test_every_generated_uscc_validates(code):
    ident = parse_uscc(code)
    assert ident.kind == "uscc" and ident.value == code
    assert (ident.subject_base, ident.subject_type) == subject_kind(code[0], code[1])
    assert ident.parts["org_code"] == code[8:17]
    assert parse_org_code(code[8:17]).value == code[8:17]
    assert uscc_check_char(code[:17]) == code[17]


def test_the_table_has_the_twelve_registration_authorities():
    assert sorted(AUTHORITIES) == sorted("123456789ANY")


@pytest.mark.parametrize(("authority", "category"), PAIRS)
def test_codes_of_every_authority_and_category(authority, category):
    code = make_uscc(authority, category, "370202", "MA3C4D5E")
    ident = parse_uscc(code)
    parts = ident.parts
    assert parts["authority"] == authority and parts["category"] == category
    assert parts["authority_name"] == AUTHORITIES[authority]["name"]
    assert ident.subject_type == parts["category_name"]
    assert ident.subject_base == ("enterprise" if authority == "9" else "non_enterprise")
    assert parts["division_name"] == "市南区" and parts["province"] == "山东省"


@pytest.mark.parametrize(("pair", "expected"), [
    (("9", "1"), ("enterprise", "企业")),
    (("9", "2"), ("enterprise", "个体工商户")),
    (("9", "3"), ("enterprise", "农民专业合作社")),
    (("1", "1"), ("non_enterprise", "机关")),
    (("1", "2"), ("non_enterprise", "事业单位")),
    (("3", "1"), ("non_enterprise", "律师执业机构")),
    (("5", "1"), ("non_enterprise", "社会团体")),
    (("5", "2"), ("non_enterprise", "民办非企业单位")),
    (("5", "3"), ("non_enterprise", "基金会")),
    (("N", "2"), ("non_enterprise", "村级集体经济组织")),
    (("Y", "1"), ("non_enterprise", "其他")),
])
def test_subject_kind(pair, expected):
    assert subject_kind(*pair) == expected


def test_unknown_authority_and_category():
    error = rejected(lambda v: subject_kind(*v), ("B", "1"))
    assert (error.code, error.position) == ("authority", 1)
    error = rejected(lambda v: subject_kind(*v), ("9", "4"))
    assert (error.code, error.position) == ("category", 2)
    assert "'4'" in error.message and "'9'" in error.message
    # A code with a valid checksum but a category its authority does not have.
    first17 = "94370202MA3C4D5E" + org_code_check_char("MA3C4D5E")
    error = rejected(parse_uscc, first17 + uscc_check_char(first17))
    assert (error.code, error.position) == ("category", 2)


def test_market_regulation_category_9_is_accepted_and_flagged():
    ident = parse_uscc(make_uscc("9", "9", "370202", "12345678"))
    assert (ident.subject_base, ident.subject_type) == ("enterprise", "其他")
    assert ident.parts["category_non_standard"] is True
    assert "category_non_standard" not in parse_uscc(REAL_USCCS[2]).parts


def test_division_of_a_uscc_need_not_be_in_gbt_2260():
    ident = parse_uscc(make_uscc("9", "1", "100000", "MA3C4D5E"))  # central registrations
    assert ident.parts["division"] == "100000"
    assert "division_name" not in ident.parts
    assert parse_uscc(make_uscc("9", "1", "370205", "MA3C4D5E")).parts["division_name"] == "四方区"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_real_codes(code):
    assert parse_uscc(code).value == code


def test_whitelisted_real_code_fails_its_check():
    error = rejected(parse_uscc, WHITELISTED_BAD)
    assert (error.code, error.position) == ("check_char", 18)
    assert error.message == "position 18: check character should be '9', found 'B'"
    assert parse_uscc(WHITELISTED_BAD[:17] + "9").parts["org_code"] == "M0001QAY9"


def test_embedded_org_code_check_is_cross_checked():
    first16 = "91370202MA3C4D5E"
    wrong = next(c for c in DIGITS if c != org_code_check_char(first16[8:]))
    code = first16 + wrong + uscc_check_char(first16 + wrong)  # USCC check itself correct
    error = rejected(parse_uscc, code)
    assert (error.code, error.position) == ("org_check_char", 17)
    assert f"found '{wrong}'" in error.message


@pytest.mark.parametrize(("value", "code", "position"), [
    ("9137020", "length", None),
    ("91370202MA3C4D5E7I", "charset", 18),
    ("9137A202MA3C4D5E77", "charset", 5),
    ("O1370202MA3C4D5E77", "charset", 1),
    ("91370202MA3C4D5中77", "charset", 16),
])
def test_uscc_format_errors(value, code, position):
    error = rejected(parse_uscc, value)
    assert (error.code, error.position) == (code, position)


def test_uscc_error_messages_name_position_and_character():
    error = rejected(parse_uscc, "9137A202MA3C4D5E77")
    assert error.message.startswith("position 5: character 'A' is not allowed")
    assert "digits only" in error.message
    error = rejected(parse_uscc, "91370202MA3C4D5中77")
    assert "U+4E2D" in error.message and error.message.isascii()


def test_placeholder():
    assert uscc_check_char(USCC_PLACEHOLDER[:17]) == "0"  # so the check alone rejects it
    for value in (USCC_PLACEHOLDER, " 00000000000000000x", "０００００００００００００００００Ｘ"):
        ident = parse_uscc(value)
        assert ident.kind == "uscc_placeholder" and ident.value == USCC_PLACEHOLDER
        assert (ident.subject_base, ident.subject_type) == ("enterprise", "个体工商户")
        assert parse_any(value).kind == "uscc_placeholder"
    assert rejected(parse_uscc, "00000000000000000Y").code == "check_char"


@pytest.mark.parametrize("value", [
    "９１１１００００６０００３７３４１Ｌ", "91110000600037341l", " 91 110000 600037341L\n",
    "9111-0000-6000-3734-1L", "91110000600037341Ｌ", "\u300091110000600037341L\u00a0",
    "\ufeff9111000060003734\u200b1L",
])
def test_uscc_normalisation(value):
    assert parse_uscc(value).value == "91110000600037341L"


@given(usccs())
def test_uscc_every_single_substitution_is_detected(code):
    # Values differ by 1..30 and every weight is a unit modulo the prime 31.
    for i, original in enumerate(code):
        for ch in USCC_CHARSET.replace(original, ""):
            with pytest.raises(IdentifierError):
                parse_uscc(code[:i] + ch + code[i + 1:])


@given(usccs())
def test_uscc_every_adjacent_transposition_is_detected(code):
    for i in range(17):
        if code[i] != code[i + 1]:
            with pytest.raises(IdentifierError):
                parse_uscc(swap(code, i, i + 1))


def test_uscc_weights_make_exactly_one_transposition_invisible_to_the_check():
    # Swapping i and j changes the sum by (v_j - v_i)(w_i - w_j): invisible iff w_i ≡ w_j.
    # The weights 3^k (k = 0..16) are distinct mod 31 (3 has order 30), but the check
    # character enters the sum with weight 1 = 3^0, like position 1.
    weights = [pow(3, k, 31) for k in range(17)] + [1]
    blind = {(i, j) for i in range(18) for j in range(i + 1, 18) if weights[i] == weights[j]}
    assert blind == {(0, 17)}  # positions 1 and 18: far apart, never adjacent


@given(usccs())
def test_uscc_swap_of_positions_1_and_18_is_caught_only_by_the_authority_table(code):
    swapped = swap(code, 0, 17)
    assert uscc_check_char(swapped[:17]) == swapped[17]  # the checksum cannot see it
    # So it is rejected exactly when the new first two characters are no known pair:
    # e.g. 91...5 → 51...9 reads as a valid 社会团体 code. An honest, undetectable error.
    known = swapped[:2] in {a + c for a, c in PAIRS}
    try:
        parse_uscc(swapped)
        accepted = True
    except IdentifierError:
        accepted = False
    assert accepted == known


@given(usccs().filter(lambda c: c[0].isdigit()))
def test_uscc_agrees_with_python_stdnum(code):
    # stdnum demands digits in positions 1-8, so only numeric authorities compare.
    assert stdnum_uscc.is_valid(code)
    mutated = code[:17] + USCC_CHARSET[(USCC_CHARSET.index(code[17]) + 1) % 31]
    assert not stdnum_uscc.is_valid(mutated)


def test_stdnum_rejects_authorities_a_n_y_that_we_accept():
    code = make_uscc("N", "2", "370283", "MA3C4D5E")
    assert parse_uscc(code).subject_type == "村级集体经济组织"
    assert not stdnum_uscc.is_valid(code)


# ---- organisation code -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["59467239-9", "594672399", " 59467239－9 ", "59467239 - 9"])
def test_org_code_worked_example(value):
    # The worked example in public GB 11714 explanations: 5 9 4 6 7 2 3 9 → sum 255 → 9.
    ident = parse_org_code(value)
    assert ident.value == "594672399"
    assert ident.parts == {"body": "59467239", "check_char": "9"}
    assert (ident.subject_base, ident.subject_type) == (None, None)


@given(st.text(alphabet=DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8))
def test_generated_org_codes_validate(body):
    code = make_org_code(body)
    assert len(code) == 9 and parse_org_code(code.lower()).value == code
    assert code[8] in DIGITS + "X"


def test_org_code_check_10_is_x_and_11_is_0():
    bodies = {org_code_check_char(f"{n:08d}"): f"{n:08d}" for n in range(200)}
    assert parse_org_code(bodies["X"] + "X").parts["check_char"] == "X"
    assert parse_org_code(bodies["0"] + "0").value.endswith("0")


def test_org_code_errors():
    assert rejected(parse_org_code, "59467239-8").position == 9
    assert rejected(parse_org_code, "59467239-8").code == "check_char"
    assert rejected(parse_org_code, "5946723-").code == "length"
    assert rejected(parse_org_code, "59467239Y").position == 9
    assert rejected(parse_org_code, "5946!2399").position == 5


def test_org_code_check_misses_substitutions_by_multiples_of_11():
    # Letters run to Z = 35, so '0' (0) and 'B' (11) weigh the same mod 11: GB 11714 alone
    # does not catch this substitution. Inside a USCC the mod-31 check does.
    assert org_code_check_char("0ABCDEFG") == org_code_check_char("BABCDEFG")
    first = make_uscc("9", "1", "370202", "0ABCDEFG")
    with pytest.raises(IdentifierError):
        parse_uscc(first[:8] + "B" + first[9:])


# ---- resident ID -------------------------------------------------------------------------


@given(resident_ids())
def test_every_generated_resident_id_validates(code):
    ident = parse_resident_id(code)
    assert ident.kind == "resident_id" and ident.value == code
    assert (ident.subject_base, ident.subject_type) == ("person", None)
    parts = ident.parts
    assert parts["division"] == code[:6] and parts["division_name"]
    assert parts["birth_date"] == date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    assert parts["gender"] == ("male" if int(code[16]) % 2 else "female")
    assert parts["sequence"] == int(code[14:17]) and parts["legacy_15"] is False
    assert resident_id_check_char(code[:17]) == stdnum_ric.calc_check_digit(code) == code[17]


def test_standard_example_and_lower_case_x():
    ident = parse_resident_id("11010519491231002x")
    assert ident.value == "11010519491231002X"
    assert ident.parts["birth_date"] == date(1949, 12, 31)
    assert ident.parts["gender"] == "female" and ident.parts["division_name"] == "朝阳区"


def test_fifteen_digit_number_is_upgraded():
    ident = parse_resident_id("110105491231002")
    assert ident.value == "11010519491231002X"
    assert ident.parts["legacy_15"] is True
    assert ident.parts["birth_date"] == date(1949, 12, 31)
    assert parse_any("110105491231002") == ident


def test_fifteen_digit_errors():
    assert rejected(parse_resident_id, "11010549123100X").code == "charset"
    assert rejected(parse_resident_id, "110105490231002").code == "date"  # 1949-02-31
    assert rejected(parse_resident_id, "990105491231002").code == "division"


def with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


@pytest.mark.parametrize(("first17", "code", "position"), [
    ("37020219900230123", "date", 7),  # 30 February
    ("37020218991231123", "date", 7),  # before 1900
    ("99999919900101123", "division", 1),
    ("37029919900101123", "division", 1),
])
def test_resident_id_part_errors(first17, code, position):
    error = rejected(parse_resident_id, with_check(first17))
    assert (error.code, error.position) == (code, position)


def test_gb_11643_sample_born_1880_is_refused_by_the_1900_bound():
    # The standard's own example: its check is right, its birth year is below our bound.
    assert resident_id_check_char("44052418800101001") == "4"
    error = rejected(parse_resident_id, "440524188001010014")
    assert error.code == "date" and "1880" in error.message


def test_future_birth_date_relative_to_today():
    code = make_resident_id("370202", date(2030, 1, 1), 1)
    assert rejected(parse_resident_id, code).code == "date"
    assert parse_resident_id(code, today=date(2030, 1, 1)).value == code
    assert parse_resident_id(code, today=datetime(2030, 1, 1, 12)).value == code
    assert rejected(lambda v: parse_resident_id(v, today="2030-01-01"), code).code == "type"


def test_resident_id_check_char_error():
    code = make_resident_id("370202", date(1990, 3, 7), 123)
    wrong = "X" if code[17] != "X" else "0"
    error = rejected(parse_resident_id, code[:17] + wrong)
    assert (error.code, error.position) == ("check_char", 18)
    assert f"should be '{code[17]}', found '{wrong}'" in error.message


def test_abolished_divisions_are_accepted_with_the_name_of_the_birth_year():
    # 370282 was 即墨市 until 2017, then 370215 即墨区; people keep their numbers.
    assert parse_resident_id(make_resident_id("370282", date(1970, 1, 1), 1)).parts[
        "division_name"] == "即墨市"
    # 120110: 东郊区 until 1991, 东丽区 from 1992.
    assert division_name("120110", 1985) == "东郊区"
    assert division_name("120110", 2000) == "东丽区"
    assert division_name("120110") == "东丽区"
    # A code created after the birth year still validates (first registration may be later).
    assert parse_resident_id(make_resident_id("370215", date(1950, 1, 1), 1)).parts[
        "division_name"] == "即墨区"
    assert division_name("999999") is None


def test_taiwan_residence_permit_code():
    ident = parse_resident_id(make_resident_id("830000", date(1980, 1, 1), 1))
    assert ident.parts["division"] == "830000"


@given(resident_ids())
def test_resident_id_every_single_substitution_is_detected(code):
    for i, original in enumerate(code):
        for ch in (DIGITS + "X").replace(original, ""):
            with pytest.raises(IdentifierError):
                parse_resident_id(code[:i] + ch + code[i + 1:])


@given(resident_ids())
def test_resident_id_every_adjacent_transposition_is_detected(code):
    for i in range(17):
        if code[i] != code[i + 1]:
            with pytest.raises(IdentifierError):
                parse_resident_id(swap(code, i, i + 1))


RID_WEIGHTS = [pow(2, 18 - i, 11) for i in range(1, 18)] + [1]  # check char: weight 1


def test_resident_id_weights_blind_to_swaps_ten_apart():
    # 2 has order 10 mod 11, so weights repeat every 10 positions, and position 8 has
    # weight 1 like the check character. No two adjacent weights are equal.
    blind = {(i, j) for i in range(18) for j in range(i + 1, 18)
             if RID_WEIGHTS[i] == RID_WEIGHTS[j]}
    assert blind == {(i, i + 10) for i in range(7)} | {(7, 17)}
    assert all(RID_WEIGHTS[i] != RID_WEIGHTS[i + 1] for i in range(17))


@given(resident_ids(), st.integers(0, 16), st.integers(1, 17))
def test_resident_id_check_detects_a_digit_swap_iff_the_weights_differ(code, i, gap):
    j = min(i + gap, 17)
    swapped = swap(code, i, j)
    if i == j or code[i] == code[j] or "X" in (code[i], code[j]):
        return
    passes_check = resident_id_check_char(swapped[:17]) == swapped[17]
    assert passes_check == (RID_WEIGHTS[i] == RID_WEIGHTS[j])


# ---- parse_any ---------------------------------------------------------------------------


def test_parse_any_by_shape():
    assert parse_any(REAL_USCCS[2]).kind == "uscc"
    assert parse_any("11010519491231002X").kind == "resident_id"
    assert parse_any("59467239-9").kind == "org_code"
    assert parse_any("110105491231002").kind == "resident_id"
    assert parse_any(REAL_USCCS[0]).kind == "uscc"  # all digits, but no resident ID


def test_parse_any_names_what_it_tried():
    error = rejected(parse_any, "12345")
    assert error.code == "length"
    assert all(w in error.message for w in ("USCC", "resident ID", "organisation code"))
    error = rejected(parse_any, "911100006000373419")  # digits only: both shapes fit
    assert "resident ID" in error.message and "USCC" in error.message
    error = rejected(parse_any, "91110000600037341N")
    assert error.code == "check_char"  # the USCC failure, more specific than a charset one


# ---- robustness: only IdentifierError escapes -------------------------------------------

PARSERS = [parse_uscc, parse_org_code, parse_resident_id, parse_any]
SURROGATES = st.sampled_from(["\ud800", "\udcff", "\udfff"])
nasty_text = st.text(st.characters() | SURROGATES | st.sampled_from("０Ｘｘ-　 \x00"))


def only_identifier_errors(parse, value):
    try:
        result = parse(value)
    except IdentifierError as exc:
        assert exc.message.isascii() and exc.code
        assert exc.position is None or 1 <= exc.position <= 18
        return None
    assert isinstance(result, Identifier)
    return result


@pytest.mark.parametrize("parse", PARSERS)
@given(value=nasty_text)
def test_fuzz_text(parse, value):
    only_identifier_errors(parse, value)


@pytest.mark.parametrize("parse", PARSERS)
@given(value=st.integers() | st.floats() | st.binary() | st.none() | st.booleans()
       | st.lists(st.text()) | st.dictionaries(st.text(), st.text()))
def test_fuzz_non_strings(parse, value):
    assert rejected(parse, value).code == "type"


@pytest.mark.parametrize("parse", PARSERS)
@pytest.mark.parametrize("value", [
    None, 123, 91110000600037341, 1.5, b"91110000600037341L", "", "\x00", " ", "-",
    "x" * 10_000, "9" * 10_000, "\U0001f600" * 18, "\udcff" * 18, "91110000600037341L\x00",
    object(), ["91110000600037341L"], bytearray(b"1"),
])
def test_garbage(parse, value):
    only_identifier_errors(parse, value)


@given(usccs(), st.integers(0, 17), st.characters() | SURROGATES)
def test_fuzz_near_valid_uscc(code, i, ch):
    result = only_identifier_errors(parse_uscc, code[:i] + ch + code[i + 1:])
    assert result is None or result.value == code  # accepted only if normalised back


def test_generators_and_check_functions_raise_identifier_errors():
    cases = [
        lambda: make_uscc("9", "1", "37020A", "MA3C4D5E"),
        lambda: make_uscc("9", "1", "370202", "MA3C4D5I"),  # I never appears in a USCC
        lambda: make_uscc("9", "5", "370202", "MA3C4D5E"),
        lambda: make_uscc(None, "1", "370202", "MA3C4D5E"),
        lambda: make_org_code("1234567"),
        lambda: make_resident_id("999999", date(1990, 1, 1), 1),
        lambda: make_resident_id("370202", date(1899, 12, 31), 1),
        lambda: make_resident_id("370202", "1990-01-01", 1),
        lambda: make_resident_id("370202", date(1990, 1, 1), 1000),
        lambda: uscc_check_char("9137020"),
        lambda: org_code_check_char("1234567!"),
        lambda: resident_id_check_char("3702021990010112X"),
        lambda: resident_id_check_char(None),
    ]
    for case in cases:
        with pytest.raises(IdentifierError):
            case()


def test_identifier_values():
    ident = parse_uscc(REAL_USCCS[2])
    assert str(ident) == REAL_USCCS[2]
    assert ident == parse_uscc(REAL_USCCS[2].lower())
    assert len({ident, parse_uscc(REAL_USCCS[2])}) == 1
    with pytest.raises(AttributeError):
        ident.value = "x"


def test_identifier_error_is_a_value_error_and_pickles():
    error = rejected(parse_uscc, WHITELISTED_BAD)
    assert isinstance(error, ValueError) and str(error) == error.message
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.code, copy.position) == (error.message, "check_char", 18)


# ---- batch validation --------------------------------------------------------------------


def parses_canonically(parse, value) -> bool:
    if not isinstance(value, str) or normalize_code(value) != value:
        return False
    try:
        parse(value)
    except IdentifierError:
        return False
    return True


mutated_usccs = st.builds(lambda c, i, ch: c[:i] + ch + c[i + 1:], usccs(), st.integers(0, 17),
                          st.sampled_from(USCC_CHARSET + "IOa "))


@st.composite
def checksummed(draw) -> str:
    """Codes whose mod-31 check is right but whose pair, division or org check may not be."""
    head = draw(st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2))
    division = draw(st.text(alphabet=DIGITS + "AB", min_size=6, max_size=6))
    body = draw(bodies)
    org_check = draw(st.sampled_from([org_code_check_char(body), *DIGITS, "X"]))
    first17 = head + division + body + org_check
    return first17 + uscc_check_char(first17)


@st.composite
def lookalikes(draw) -> str:
    """A valid code with J→I, 0→O or 5→S, read by the array as if the letter were allowed."""
    code = draw(usccs())
    i = draw(st.sampled_from([i for i, c in enumerate(code) if c in "J05"] or [0]))
    return code[:i] + code[i].translate(str.maketrans("J05", "IOS")) + code[i + 1:]


uscc_column = st.lists(usccs() | mutated_usccs | checksummed() | lookalikes() | nasty_text
                       | st.just(USCC_PLACEHOLDER) | st.none() | st.integers(), max_size=30)


@settings(max_examples=200)
@given(uscc_column)
def test_uscc_array_agrees_with_the_parser(column):
    expected = [parses_canonically(parse_uscc, v) for v in column]
    assert validate_uscc_array(column).tolist() == expected
    strings = [v for v in column if isinstance(v, str)]
    assert validate_uscc_array(np.array(strings, dtype=object)).tolist() == [
        parses_canonically(parse_uscc, v) for v in strings]


def rid_format_and_check(value) -> bool:
    return (isinstance(value, str) and len(value) == 18 and value[:17].isascii()
            and value[:17].isdigit() and value[17] in DIGITS + "X"
            and resident_id_check_char(value[:17]) == value[17])


mutated_ids = st.builds(lambda c, i, ch: c[:i] + ch + c[i + 1:], resident_ids(),
                        st.integers(0, 17), st.sampled_from(DIGITS + "Xx"))


@settings(max_examples=200)
@given(st.lists(resident_ids() | mutated_ids | nasty_text | st.none(), max_size=30))
def test_resident_id_array_checks_format_and_check_char(column):
    assert validate_resident_id_array(column).tolist() == [rid_format_and_check(v)
                                                           for v in column]


def test_resident_id_array_ignores_date_and_division_by_design():
    fake = with_check("99999919900230123")  # no such division, no 30 February
    assert validate_resident_id_array([fake]).tolist() == [True]
    assert rejected(parse_resident_id, fake).code == "date"
    assert validate_resident_id_array(["110105491231002", "11010519491231002x"]).tolist() == [
        False, False]


def test_arrays_of_every_input_form():
    good, bad = REAL_USCCS[2], WHITELISTED_BAD
    expected = [True, False]
    assert validate_uscc_array([good, bad]).tolist() == expected
    assert validate_uscc_array((good, bad)).tolist() == expected
    assert validate_uscc_array(iter([good, bad])).tolist() == expected
    assert validate_uscc_array(np.array([good, bad])).tolist() == expected
    assert validate_uscc_array(np.array([good, bad], dtype="U40")).tolist() == expected
    assert validate_uscc_array(np.array([good, bad], dtype=np.dtypes.StringDType())).tolist() \
        == expected
    assert validate_uscc_array(np.array([[good, bad]])).shape == (1, 2)
    assert validate_uscc_array(good).shape == ()
    assert validate_uscc_array([]).shape == (0,)
    assert validate_uscc_array(np.array([1, 2])).tolist() == [False, False]
    assert validate_uscc_array(np.array([b"x"])).tolist() == [False]
    assert validate_uscc_array([good, good + "\x00", good[:17], "x" * 10_000]).tolist() == [
        True, False, False, False]
    assert validate_uscc_array([int(REAL_USCCS[0])]).tolist() == [False]
    assert validate_uscc_array(np.array(["short"])).tolist() == [False]
    ends_in_j = next(c for n in range(1000)
                     if (c := make_uscc("9", "1", "370202", f"MA{n:06d}"))[17] == "J")
    lookalike = ends_in_j[:17] + "I"  # I would weigh like J: only the charset tells them apart
    assert validate_uscc_array([ends_in_j, lookalike]).tolist() == [True, False]
    first17 = "94370202MA3C4D5E" + org_code_check_char("MA3C4D5E")  # no category 4
    assert validate_uscc_array([first17 + uscc_check_char(first17)]).tolist() == [False]
    with pytest.raises(IdentifierError):
        validate_uscc_array(5)


def test_large_column():
    codes = [make_uscc("9", "1", "370202", f"{n:08d}") for n in range(0, 10**8, 997)][:50_000]
    codes[123] = WHITELISTED_BAD
    result = validate_uscc_array(codes)
    assert result.sum() == len(codes) - 1 and not result[123]
    ids = [make_resident_id("370202", date(1950, 1, 1) + timedelta(days=n % 20_000), n % 1000)
           for n in range(50_000)]
    assert validate_resident_id_array(ids).all()
