"""Validated, linked rows as the records app stores them (records.services.ROW_SCHEMA),
computed on the whole frame: the fields as JSON text, the business key, the decision and
validity dates, the severity."""

import polars as pl

from xinyong.records.services import KEY_SEPARATOR, ROW_SCHEMA


def record_rows(item: dict, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` has the item's field columns (canonical text), `__row__` and `__subject__`."""
    codes = [f["code"] for f in item["fields"]]
    return frame.select(
        subject_id=pl.col("__subject__"),
        fields=fields_json(codes),
        business_key=pl.concat_str([pl.col(c).fill_null("") for c in item["business_key"]],
                                   separator=KEY_SEPARATOR),
        source_row=pl.col("__row__"),
        decision_date=_date(item.get("decision_date_field")),
        validity_end=_date(item.get("validity_end_field")),
        severity=_severity(item),
    ).cast(ROW_SCHEMA)


def fields_json(codes: list[str]) -> pl.Expr:
    """A JSON object per row of the non-null fields, in catalog order (as json.dumps of the
    dict would write them)."""
    members = [pl.when(pl.col(c).is_not_null())
               .then(pl.struct(c).struct.json_encode().str.slice(1).str.strip_suffix("}"))
               for c in codes]
    return pl.concat_str([pl.lit("{"), pl.concat_str(members, separator=",",
                                                     ignore_nulls=True), pl.lit("}")])


def _date(code: str | None) -> pl.Expr:
    return pl.col(code).str.to_date() if code else pl.lit(None, pl.Date)


def _severity(item: dict) -> pl.Expr:
    code, mapping = item.get("severity_field"), item.get("severity_map") or {}
    if not code or not mapping:
        return pl.lit("")
    return pl.col(code).replace_strict(mapping, default="", return_dtype=pl.Utf8).fill_null("")
