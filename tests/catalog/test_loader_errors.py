"""Each kind of broken catalog yields the right `file:line: message` (and never a traceback)."""

import re

import pytest

from xinyong.catalog.loader import check_catalog

from .conftest import edit, line_of

# (file, old text, new text, (line marker, offset), expected message)
CASES = {
    "unknown key": (
        "departments.yaml", "short_name: 市教育局", "shortname: 市教育局", ("shortname", 0),
        "department jyj: unknown key 'shortname' (did you mean 'short_name'?)"),
    "missing required key": (
        "items/xzcf.yaml", "nature: dishonest\n", "", ("code: XZCF", 0),
        "item XZCF: missing required key 'nature'"),
    "wrong type": (
        "lists.yaml", "default_validity_months: 24", "default_validity_months: two years",
        ("two years", 0),
        "list type SXBZXR: default_validity_months must be a whole number above 0"),
    "duplicate code": (
        "departments.yaml", "  - {code: kjj,",
        '  - {code: jyj, name: 重复, kind: municipal, division: "370200"}\n  - {code: kjj,',
        ("name: 重复", 0), "department jyj: duplicate code 'jyj' (first defined at"),
    "unknown department": (
        "items/qydj.yaml", "providers: [spj, scjgj]", "providers: [spj, scjgj, nosuch]",
        ("nosuch", 0), "item QYDJ: provider: unknown department 'nosuch'"),
    "unknown item": (
        "lists.yaml", "item: HG_AEO", "item: HG_NOPE", ("HG_NOPE", 0),
        "list type HG_AEO: unknown item 'HG_NOPE'"),
    "unknown list type": (
        "measures.yaml", "list_types: [HG_AEO]\n", "list_types: [HG_NOPE]\n", ("HG_NOPE", 0),
        "measure CUSTOMS_FACILITATION: unknown list type 'HG_NOPE'"),
    "unknown behaviour": (
        "measures.yaml", "behaviours: [TAX_CREDIT_A, CUSTOMS_AEO]",
        "behaviours: [TAX_CREDIT_A, NO_SUCH]", ("NO_SUCH", 0),
        "measure GREEN_CHANNEL: unknown behaviour 'NO_SUCH'"),
    "entry field names unknown field": (
        "lists.yaml", "entry_fields: {reason: SS_ZYWFSS,", "entry_fields: {reason: SS_NOPE,",
        ("SS_NOPE", 0), "list type SSWF: entry_fields.reason: item SSWF has no field SS_NOPE"),
    "entry rule value not in enum": (
        "lists.yaml", "entry_match: {field: MD_MDMC, equals: 安全生产严重失信主体名单}",
        "entry_match: {field: MD_MDMC, equals: 安全名单}", ("安全名单", 0),
        "list type AQSC_YZSX entry_match: '安全名单' is not a value of field MD_MDMC"),
    "withdrawal of a black list": (
        "lists.yaml", "    entry_fields: *yzsxmd\n",
        "    entry_fields: *yzsxmd\n    withdrawal: {severities: [serious], basis: x}\n",
        ("withdrawal:", 0),
        "list type AQSC_YZSX: only a red list's entries are withdrawn by new dishonest records"),
    "unknown escalation target": (
        "lists.yaml", "to: SCJG_YZWF", "to: NOPE", ("to: NOPE", 0),
        "list type JYYC escalation: unknown list type 'NOPE'"),
    "business key names unknown field": (
        "items/xzcf.yaml", "business_key: [CF_WSH, CF_CFJGDM]", "business_key: [CF_WSH, CF_NOPE]",
        ("business_key:", 0), "item XZCF: business_key names unknown field 'CF_NOPE'"),
    "business key field not required": (
        "items/xzcf.yaml", "business_key: [CF_WSH, CF_CFJGDM]",
        "business_key: [CF_WSH, CF_GSJZQ]", ("business_key:", 0),
        "item XZCF: business key field CF_GSJZQ must be required: true"),
    "condition names unknown field": (
        "items/xzcf.yaml", "{when: {field: CF_CFLB, contains: 罚款}}",
        "{when: {field: CF_CFLBX, contains: 罚款}}", ("CF_CFLBX", 0),
        "item XZCF field CF_NR_FK condition: unknown field 'CF_CFLBX'"),
    "condition value not in enum": (
        "items/xzcf.yaml", "{when: {field: CF_CFLB, contains: 罚款}}",
        "{when: {field: CF_CFLB, contains: 罚金}}", ("contains: 罚金", 0),
        "item XZCF field CF_NR_FK condition: '罚金' is not a value of field CF_CFLB"),
    "condition tests its own field": (
        "items/xzcf.yaml", '{when: {field: CF_XDR_SHXYM, equals: "00000000000000000X"}}',
        '{when: {field: CF_XDR_GSZC, equals: "00000000000000000X"}}', ("field: CF_XDR_GSZC", 0),
        "item XZCF field CF_XDR_GSZC condition: a field's condition cannot test the field itself"),
    "not_before names unknown field": (
        "items/xzxk.yaml", "not_before: XK_YXQZ,", "not_before: XK_NOPE,", ("XK_NOPE", 0),
        "item XZXK field XK_YXQZI: not_before names unknown field 'XK_NOPE'"),
    "not_before names a field that is not a date": (
        "items/jyyc.yaml", "not_before: JY_LRRQ}", "not_before: JY_LRJG}", ("JY_LRJG}", 0),
        "item JYYC field JY_YCRQ: not_before JY_LRJG must be a date field"),
    "not_before names its own field": (
        "items/xzcf.yaml", "not_before: CF_JDRQ,", "not_before: CF_GSJZQ,",
        ("not_before: CF_GSJZQ", 0),
        "item XZCF field CF_GSJZQ: not_before cannot name the field itself"),
    "conditional without condition": (
        "items/jyyc.yaml",
        "    required: conditional\n    condition: {when: {field: JY_YCRQ, present: true}}\n"
        "  - code: JY_YCJG", "    required: conditional\n  - code: JY_YCJG",
        ("code: JY_YCYY", 4), "item JYYC field JY_YCYY: a conditional field needs a condition"),
    "bad required flag": (
        "items/zdgz.yaml", "{code: ZD_MDMC, name: 名单名称, type: string, required: true,",
        "{code: ZD_MDMC, name: 名单名称, type: string, required: maybe,", ("ZD_MDMC", 0),
        "item ZDGZ field ZD_MDMC: required must be true, false or conditional"),
    "enum without values": (
        "items/nsxy_a.yaml", "type: enum, required: true, values: [A]}",
        "type: enum, required: true}", ("code: NS_PJJG", 0),
        "item NSXY_A field NS_PJJG: an enum field needs its values"),
    "unknown disclosure level": (
        "items/xzcf.yaml", "personal: true, disclosure: government, mask: id_number}",
        "personal: true, disclosure: secret, mask: id_number}", ("disclosure: secret", 0),
        "item XZCF field CF_FR_ZJHM: disclosure must be one of: public, authorised, "
        "government, internal"),
    "personal field made public": (
        "items/xzcf.yaml", "personal: true, disclosure: government, mask: id_number}",
        "personal: true, disclosure: public, mask: id_number}",
        ("personal: true, disclosure: public", 0),
        "item XZCF field CF_FR_ZJHM: a personal field (personal: true) is never public"),
    "field more open than item": (
        "items/zdgz.yaml", "{code: ZD_MDMC, name: 名单名称, type: string, required: true,",
        "{code: ZD_MDMC, name: 名单名称, type: string, disclosure: public, required: true,",
        ("ZD_MDMC", 0),
        "item ZDGZ field ZD_MDMC: disclosure 'public' is more open than the item's 'government'"),
    "persons published without basis": (
        "items/xzcf.yaml", "public_for: [enterprise, non_enterprise, individual_business]",
        "public_for: [enterprise, non_enterprise, individual_business, person]",
        ("public_for:", 0), "item XZCF: publishing natural persons' records needs "
                            "person_public_basis"),
    "subject kind value unmapped": (
        "items/xzcf.yaml", "  自然人: person\nseverity_field", "severity_field",
        ("法人及非法人组织: [enterprise, non_enterprise]", 0),
        "item XZCF: subject_kind_map does not map value '自然人' of CF_XDR_LB"),
    "unknown publicity family": (
        "items/xzcf.yaml", "publicity_rule: penalty", "publicity_rule: penalties",
        ("publicity_rule:", 0), "item XZCF: unknown publicity family 'penalties'"),
    "unknown category": (
        "items/qydj.yaml", "category: registration", "category: registry", ("category:", 0),
        "item QYDJ: unknown category 'registry'"),
    "two default publicity rules": (
        "publicity.yaml", "    in_force_from: 2026-04-01\n",
        "    in_force_from: 2026-04-01\n    default: true\n", ("in_force_from: 2026-04-01", 1),
        "publicity family 'penalty' needs exactly one rule with default: true (found 2)"),
    "min above max": (
        "publicity.yaml", "serious: {publish: true, min_months: 6, max_months: 36",
        "serious: {publish: true, min_months: 48, max_months: 36", ("min_months: 48", 0),
        "publicity rule ndrc_2019_527: serious: min_months 48 exceeds max_months 36"),
    "dishonest behaviour without severity": (
        "behaviours.yaml", "    severity: general\n    item: ZTB_WF", "    item: ZTB_WF",
        ("code: BIDDING_VIOLATION", 0),
        "behaviour BIDDING_VIOLATION: a dishonest behaviour needs a severity"),
    "behaviour match value not in enum": (
        "behaviours.yaml", "match: {field: CF_SXCD, equals: 轻微}",
        "match: {field: CF_SXCD, equals: 很轻}", ("很轻", 0),
        "behaviour XZCF_MINOR match: '很轻' is not a value of field CF_SXCD"),
    "incentive triggered by a black list": (
        "measures.yaml", "list_types: [NSXY_A]\n    matters: [tax_services]",
        "list_types: [SSWF]\n    matters: [tax_services]", ("纳税信用A级纳税人办税便利", 6),
        "measure TAX_A_FACILITATION: list type SSWF (black) cannot trigger a measure of "
        "category incentive"),
    "unknown division": (
        "departments.yaml", 'division: "370202"', 'division: "370299"', ("370299", 0),
        "department shinan: division 370299 is not a GB/T 2260 division code"),
    "invalid department uscc": (
        "departments.yaml", "short_name: 市科技局,",
        "short_name: 市科技局, uscc: 12370200ABCDEFGH12,",
        ("ABCDEFGH", 0), "department kjj: uscc '12370200ABCDEFGH12' is not a valid unified social "
                      "credit code"),
    "duplicate yaml key": (
        "catalog.yaml", "city: 青岛市\n", "city: 青岛市\ncity: 青岛\n", ("city: 青岛市", 1),
        "duplicate key 'city' (first at line"),
    "issuer not a department": (
        "catalog.yaml", "issuer: fgw", "issuer: ndrc", ("issuer:", 0),
        "catalog.yaml: issuer: unknown department 'ndrc'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_catalog_reports_file_and_line(catalog_copy, case):
    name, old, new, (marker, offset), message = CASES[case]
    path = catalog_copy / name
    edit(path, old, new)
    errors = [str(e) for e in check_catalog(catalog_copy)]
    expected = f"{path}:{line_of(path, marker) + offset}: {message}"
    assert any(e.startswith(expected) for e in errors), "\n".join(errors)


def test_all_errors_are_reported_at_once(catalog_copy):
    for name, old, new, _, _ in (CASES["unknown key"], CASES["unknown item"],
                                 CASES["enum without values"]):
        edit(catalog_copy / name, old, new)
    errors = check_catalog(catalog_copy)
    assert len(errors) >= 3
    assert {e.path.rsplit("/", 1)[-1] for e in errors} >= {"departments.yaml", "lists.yaml",
                                                           "nsxy_a.yaml"}
    assert all(re.match(r"^/.+\.yaml:\d+: .+", str(e)) for e in errors)


def test_syntax_error_gives_file_and_line(catalog_copy):
    path = catalog_copy / "departments.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "  - {code: bad, name: [unclosed\n  - {code: other}\n",
                    encoding="utf-8")
    errors = check_catalog(catalog_copy)
    assert len(errors) == 1
    error = errors[0]
    assert error.path == str(path)
    assert error.line >= len(text.splitlines()) + 1
    assert str(error).startswith(f"{path}:{error.line}: YAML syntax error")


def test_tab_indentation_is_a_syntax_error(catalog_copy):
    path = catalog_copy / "behaviours.yaml"
    edit(path, "    nature: dishonest\n    severity: minor\n",
         "    nature: dishonest\n\tseverity: minor\n")
    errors = [str(e) for e in check_catalog(catalog_copy)]
    assert errors == [f"{path}:{line_of(path, chr(9))}: YAML syntax error: "
                      "while scanning for the next token, found character '\\t' that cannot "
                      "start any token"]


def test_unexpected_missing_empty_and_binary_files(catalog_copy):
    (catalog_copy / "extra.yaml").write_text("a: 1\n", encoding="utf-8")
    (catalog_copy / "behaviours.yaml").unlink()
    (catalog_copy / "items" / "empty.yaml").write_text("", encoding="utf-8")
    latin = "code: X\nname: caf\xe9\n".encode("latin-1")
    (catalog_copy / "items" / "latin.yaml").write_bytes(latin)
    errors = {str(e) for e in check_catalog(catalog_copy)}
    root = catalog_copy
    assert any(e.startswith(f"{root}/extra.yaml:1: unexpected file") for e in errors)
    assert f"{root}/behaviours.yaml:1: required file is missing" in errors
    assert f"{root}/items/empty.yaml:1: file is empty" in errors
    assert any(e.startswith(f"{root}/items/latin.yaml:1: file is not UTF-8 text") for e in errors)


def test_item_file_that_is_not_a_mapping(catalog_copy):
    path = catalog_copy / "items" / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert f"{path}:1: item must be a mapping (key: value lines)" in {
        str(e) for e in check_catalog(catalog_copy)}


def test_missing_directory(tmp_path):
    errors = check_catalog(tmp_path / "nowhere")
    assert [str(e) for e in errors] == [f"{tmp_path / 'nowhere'}: catalog directory does not exist"]
