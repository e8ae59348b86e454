"""A catalog field as the checks see it, and the names of its working columns. A field's
value is read from its source column (`Field.orig`, Utf8 as the reader gave it) and prepared
into columns named after its code — the canonical value, the parsed date, the allowed value
an enum stands for, whether the value is of its type... — which the checks then read; only
the canonical value is kept in the result. Columns made by `scratch_col` are dropped as soon
as a field's preparation is done.
"""

from dataclasses import dataclass

import polars as pl

from .characters import HALFWIDTH

FIELD_TYPES = ("string", "text", "date", "decimal", "integer", "enum", "multi_enum",
               "identifier", "boolean")
# Every type but free text is prepared once per distinct value (see `prepare`).
PER_VALUE_TYPES = frozenset(FIELD_TYPES) - {"string", "text"}
SCRATCH_PREFIX = "__t_"


@dataclass(frozen=True)
class Field:
    """A catalog field spec (one of the item's `fields`)."""

    spec: dict

    @property
    def code(self) -> str:
        return self.spec["code"]

    @property
    def label(self) -> str:
        return f"{self.spec['name']}（{self.code}）"

    @property
    def per_value(self) -> bool:
        return self.spec["type"] in PER_VALUE_TYPES

    @property
    def orig(self) -> pl.Expr:
        return pl.col(self.code)

    @property
    def canon(self) -> pl.Expr:
        return pl.col(canonical_col(self.code))


def canonical_col(code: str) -> str:
    return f"__c_{code}"


def date_col(code: str) -> str:
    """The parsed value of a date field (null when it is no date)."""
    return f"__d_{code}"


def parts_col(code: str) -> str:
    """A multi_enum value split into its values (`List(Utf8)`)."""
    return f"__l_{code}"


def enum_col(code: str) -> str:
    """The allowed value an enum value stands for (null when none)."""
    return f"__e_{code}"


def valid_col(code: str) -> str:
    """Whether the value is of the field's type."""
    return f"__ok_{code}"


def control_col(code: str) -> str:
    """Whether the value holds a control character."""
    return f"__ctl_{code}"


def scratch_col(f: Field, name: str) -> str:
    return f"{SCRATCH_PREFIX}{name}_{f.code}"


def short_value(f: Field) -> pl.Expr:
    """A short value (date, number, boolean) stripped and half-width; blank → null."""
    return pl.when(f.orig.str.contains(r"\S")).then(
        f.orig.str.strip_chars().str.replace_many(HALFWIDTH))


def as_found(f: Field) -> pl.Expr:
    """The value as the file has it (the canonical form of a value that fails its type);
    blank → null."""
    return pl.when(f.orig.str.strip_chars() != "").then(f.orig)
