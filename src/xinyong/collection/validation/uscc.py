"""Unified social credit codes (统一社会信用代码, GB 32100). A malformed code is an error; a
wrong check character, of the code or of the organisation code it embeds, is the warning
"check_char", and an unknown registration authority / category pair the warning
"authority". The placeholder 17×"0"+"X" an individual business without a code uses is an
error except on fields the item's conditions compare with it, and there, on subject code
fields, only for the subject kinds mapped to `individual_business`. Check characters are
verified per distinct value with the numpy batch check of `core.identifiers`; only the few
failures are parsed one by one for their message.
"""

import polars as pl

from xinyong.core.identifiers import (
    USCC_PLACEHOLDER,
    IdentifierError,
    org_code_check_char,
    parse_uscc,
    uscc_check_char,
    validate_uscc_array,
)

from .context import Context
from .fields import Field, enum_col
from .identifier_forms import as_unicode_array, form_col, length_col
from .issues import Check, about_value, compose, flagged_values, invalid, quoted, value_list


def uscc_checks(f: Field, ctx: Context) -> list[Check]:
    form, length = pl.col(form_col(f.code)), pl.col(length_col(f.code))
    why = pl.when(length != 18).then(compose("长度为", length.cast(pl.Utf8), "位，应为18位")) \
        .otherwise(pl.lit("含有不允许的字符（应为数字和除I、O、S、V、Z以外的大写字母，第3至8位为数字）"))
    check_chars, authorities = _uscc_findings(
        ctx.distinct_values(f, form & (f.canon != USCC_PLACEHOLDER)))
    return [invalid(f, ~form, compose("不是有效的统一社会信用代码：", why)),
            _placeholder_check(f, ctx),
            flagged_values(f, check_chars, "check_char"),
            flagged_values(f, authorities, "authority")]


def _uscc_findings(values: pl.Series) -> tuple[dict, dict]:
    """Well-formed USCCs that fail GB 32100: {code: detail} for wrong check characters and
    for unknown registration authority / category pairs."""
    ok = validate_uscc_array(as_unicode_array(values, 18))
    check_chars, authorities = {}, {}
    for code in values.filter(~pl.Series(ok)).to_list():
        try:
            parse_uscc(code)
        except IdentifierError as exc:
            if exc.code == "check_char":
                check_chars[code] = f"校验位应为{uscc_check_char(code[:17])}，实为{code[17]}"
            elif exc.code == "org_check_char":
                expected = org_code_check_char(code[8:16])
                check_chars[code] = (f"第17位（所含组织机构代码的校验位）应为{expected}，"
                                     f"实为{code[16]}")
            else:
                authorities[code] = f"前两位“{code[:2]}”不是已知的登记管理部门和机构类别代码"
    return check_chars, authorities


def _placeholder_check(f: Field, ctx: Context) -> Check:
    is_placeholder = f.canon == USCC_PLACEHOLDER
    opening = about_value(f, "是个体工商户没有统一社会信用代码时使用的占位代码，")
    if f.code not in _placeholder_fields(ctx.item):
        return Check(f.code, "placeholder", is_placeholder, compose(opening, "本字段不能使用"))
    kind_field = ctx.fields.get(ctx.item.get("subject_kind_field") or "")
    if kind_field is None or f.code not in ctx.item.get("subject_code_fields", []):
        return Check(f.code, "placeholder", pl.lit(False), opening)
    kinds = _individual_kinds(ctx.item)
    failed = is_placeholder & ~pl.col(enum_col(kind_field.code)).is_in(kinds).fill_null(False)
    message = compose(opening, f"只能用于{value_list(kinds)}，本行{kind_field.spec['name']}为",
                      quoted(kind_field.orig))
    return Check(f.code, "placeholder", failed, message)


def _placeholder_fields(item: dict) -> set[str]:
    """Fields the item's conditions compare with the USCC placeholder: where it may occur."""
    found = set()

    def walk(p):
        if isinstance(p, dict):
            if USCC_PLACEHOLDER in (p.get("equals"), *(p.get("in") or ())):
                found.add(p.get("field"))
            for value in p.values():
                walk(value)
        elif isinstance(p, list):
            for value in p:
                walk(value)

    for f in item["fields"]:
        walk(f.get("condition"))
    return found


def _individual_kinds(item: dict) -> list[str]:
    """The subject kinds (values of the item's subject kind field) of individual businesses."""
    kinds = []
    for value, mapped in (item.get("subject_kind_map") or {}).items():
        if "individual_business" in (mapped if isinstance(mapped, list) else [mapped]):
            kinds.append(value)
    return kinds
