"""Validated, linked rows as the records app stores them (records.services.ROW_SCHEMA),
computed on the whole frame: the fields as JSON text, the business key, the decision and
validity dates, the severity."""

import polars as pl

from xinyong.records.services import KEY_SEPARATOR, ROW_SCHEMA

PREFIX = "__record_"


def with_record_columns(item: dict, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (validated: the item's field columns in canonical text, `__row__`) with the
    record columns that do not depend on linking, prefixed `__record_`. Computed in the
    read-ahead thread, before the frame is linked."""
    codes = [f["code"] for f in item["fields"]]
    columns = {
        "fields": fields_json(codes),
        "business_key": pl.concat_str([pl.col(c).fill_null("") for c in item["business_key"]],
                                      separator=KEY_SEPARATOR),
        "source_row": pl.col("__row__"),
        "decision_date": _date(item.get("decision_date_field")),
        "validity_end": _date(item.get("validity_end_field")),
        "severity": _severity(item),
    }
    return frame.with_columns(expr.alias(PREFIX + name) for name, expr in columns.items())


def record_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The linked rows (`__subject__`) of a frame `with_record_columns` in ROW_SCHEMA."""
    return frame.select(pl.col("__subject__").alias("subject_id"),
                        *(pl.col(PREFIX + name).alias(name)
                          for name in ROW_SCHEMA if name != "subject_id")).cast(ROW_SCHEMA)


def fields_json(codes: list[str]) -> pl.Expr:
    """A JSON object per row of the non-null fields, in catalog order (as json.dumps of the
    dict would write them)."""
    members = [pl.when(pl.col(c).is_not_null())
               .then(pl.struct(c).struct.json_encode().str.slice(1).str.strip_suffix("}"))
               for c in codes]
    return pl.concat_str([pl.lit("{"), pl.concat_str(members, separator=",",
                                                     ignore_nulls=True), pl.lit("}")])


def _date(code: str | None) -> pl.Expr:
    # Rejected rows get these columns too (they are never stored): no error on their values.
    return pl.col(code).str.to_date("%Y-%m-%d", strict=False) if code else pl.lit(None, pl.Date)


def _severity(item: dict) -> pl.Expr:
    code, mapping = item.get("severity_field"), item.get("severity_map") or {}
    if not code or not mapping:
        return pl.lit("")
    return pl.col(code).replace_strict(mapping, default="", return_dtype=pl.Utf8).fill_null("")
