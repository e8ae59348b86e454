"""What the checks of one batch share: the catalog item, its fields, `today`, each field's
table of prepared distinct values, and which comparisons of the fields' conditions were
computed on those tables (so conditional rules read a ready boolean column instead of
comparing every row again).
"""

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from .conditions import comparison_key, comparisons
from .fields import Field, canonical_col, enum_col, parts_col


@dataclass
class Context:
    item: dict
    fields: dict[str, Field]
    today: date
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)  # field → distinct values
    computed: dict[str, str] = field(default_factory=dict)  # comparison key → bool column

    def condition_comparisons(self) -> dict[str, list[tuple[str, dict]]]:
        """The comparisons of the fields' conditions on fields prepared per distinct value
        (all but text), by compared field, each with the name of the column that will hold
        its outcome."""
        found: dict[str, list[tuple[str, dict]]] = {}
        for f in self.fields.values():
            for p in comparisons(f.spec.get("condition") or {"all": []}):
                key, other = comparison_key(p), self.fields.get(p["field"])
                if other and other.per_value and key not in self.computed:
                    self.computed[key] = f"__p{len(self.computed)}_{p['field']}"
                    found.setdefault(p["field"], []).append((self.computed[key], p))
        return found

    def condition_columns(self) -> tuple[frozenset, dict]:
        """Which column each field's conditions read, and which of them are lists."""
        lists, columns = set(), {}
        for code, f in self.fields.items():
            kind = f.spec["type"]
            if kind == "multi_enum":
                lists.add(code)
                columns[code] = parts_col(code)
            else:
                columns[code] = enum_col(code) if kind == "enum" else canonical_col(code)
        return frozenset(lists), columns

    def distinct_values(self, f: Field, where: pl.Expr) -> pl.Series:
        """The field's distinct canonical values where `where` (over its prepared columns)."""
        return self.tables[f.code].filter(where.fill_null(False))[canonical_col(f.code)]
