"""Duplicate rows: a row whose business key (the item's `business_key` fields, canonical and
all present) equals that of an earlier row of the batch, or of an earlier batch of the same
file when a `SeenKeys` is passed along, gets the row-level error "duplicate" naming that
row. Keys are compared by a 64-bit hash per row, so earlier batches cost 16 bytes a key.
"""

import numpy as np
import polars as pl

from .issues import compose


class SeenKeys:
    """Business keys seen in earlier batches of one file: a 64-bit hash and the source row
    number per distinct key (16 bytes a key, in polars memory; a Python set costs ~70)."""

    def __init__(self):
        self.keys = pl.DataFrame(schema={"__h__": pl.UInt64, "__first__": pl.Int64})

    def __len__(self) -> int:
        return self.keys.height


def mark_duplicates(frame: pl.DataFrame, item: dict,
                    seen: "SeenKeys | set | None" = None) -> pl.DataFrame:
    """Add the error "duplicate" to rows whose business key (canonical values, all present)
    equals that of an earlier row of the frame or of an earlier batch recorded in `seen`
    (updated in place). `frame` is a validated batch (`__row__`, `__errors__`). A `SeenKeys`
    names the earlier row; a plain set of hashes (one Python int per key, ~70 bytes) cannot
    name it across batches. Keys are compared by a 64-bit hash: the chance of a false
    duplicate among 10 M rows is about 3·10⁻⁶."""
    keys = list(item.get("business_key") or [])
    if not keys:
        return frame
    prior, h = _prior(seen), pl.col("__h__")
    row = pl.col("__row__") if "__row__" in frame.columns else pl.int_range(1, pl.len() + 1)
    rows = frame.select(_key_hash(keys), row.cast(pl.Int64).alias("__own__")).with_columns(
        __fresh__=h.is_first_distinct() & h.is_not_null())
    rows = rows.with_columns(__again__=h.is_not_null() & (
        ~pl.col("__fresh__") | h.is_in(prior["__h__"].implode())))
    firsts = rows.filter(pl.col("__fresh__") & ~pl.col("__again__"))
    _remember(firsts.select("__h__", __first__="__own__"), seen)
    if not rows["__again__"].any():
        return frame
    earlier = _earlier_rows(rows, prior)
    return _append_duplicates(frame, earlier, item)


def _key_hash(keys: list[str]) -> pl.Expr:
    complete = pl.all_horizontal([pl.col(k).is_not_null() for k in keys])
    return pl.when(complete).then(pl.struct(keys).hash()).alias("__h__")


def _prior(seen) -> pl.DataFrame:
    """The keys of earlier batches with their first row (-1 when unknown: a plain set)."""
    if isinstance(seen, set):
        before = pl.Series("__h__", list(seen), dtype=pl.UInt64)
        return pl.DataFrame([before, pl.repeat(-1, len(before), dtype=pl.Int64, eager=True)
                             .alias("__first__")])
    return seen.keys if seen is not None else SeenKeys().keys


def _earlier_rows(rows: pl.DataFrame, prior: pl.DataFrame) -> pl.Series:
    """For each row, the row that had its key first when that is another row, else null."""
    again = rows.with_row_index("__i__").filter(pl.col("__again__"))
    repeated = again["__h__"].unique().implode()
    mine = rows.filter(pl.col("__h__").is_in(repeated)).select("__h__", __first__="__own__")
    known = pl.concat([prior.filter(pl.col("__h__").is_in(repeated)), mine])
    known = known.unique("__h__", keep="first", maintain_order=True)
    found = again.join(known, on="__h__", how="left")
    first = pl.repeat(None, rows.height, dtype=pl.Int64, eager=True).alias("__first__")
    return first.scatter(found["__i__"], found["__first__"])


def _remember(firsts: pl.DataFrame, seen) -> None:
    if isinstance(seen, set):
        seen.update(firsts["__h__"].to_list())
    elif seen is not None:
        seen.keys = pl.concat([seen.keys, firsts])


def _append_duplicates(frame: pl.DataFrame, first: pl.Series, item: dict) -> pl.DataFrame:
    """Append the duplicate error to the rows with an earlier row (`first` not null); the new
    lists are built for those rows only and gathered into place."""
    names = {f["code"]: f["name"] for f in item["fields"]}
    keys = "、".join(names.get(k, k) for k in item["business_key"])
    first_row = pl.col("__first__")
    where = pl.when(first_row == -1).then(pl.lit("与此前批次中的一行重复")).otherwise(
        compose("与第", first_row.cast(pl.Utf8), "行重复"))
    entry = pl.struct(field=pl.lit(None, pl.Utf8), code=pl.lit("duplicate"),
                      message=compose(where, f"（{keys}相同）"))
    marked = frame.select("__errors__", first.alias("__first__"))
    updated = marked.filter(first_row.is_not_null()).select(
        pl.col("__errors__").list.concat(pl.concat_list(entry)))["__errors__"]
    index = np.arange(frame.height, dtype=np.uint32)
    index[first.is_not_null().to_numpy()] = np.arange(frame.height, frame.height + updated.len())
    errors = pl.concat([frame["__errors__"], updated]).rechunk().gather(pl.Series(index))
    return frame.with_columns(errors.alias("__errors__"))
