"""Validation (校验) of collected rows against their catalog item, vectorised with polars.

`validate(frame, item, today=...)` takes one batch of a department file as read (one Utf8
column per field code, values stripped, empty → null; `__row__` the source row number) and
returns it with every field column in its canonical form plus two columns, `__errors__` and
`__warnings__`, each a list of `{field, code, message}` structs (empty when there is nothing
to say). A row is valid iff `__errors__` is empty. Messages are Chinese and quote the value
found (cut to 50 characters with "…"; control characters shown as `[U+001F]`).

Every rule comes from the catalog item (required / conditional fields, types, values,
lengths, scales, identifier schemes, `long_term`, `not_before`), plus a few generic rules:
the decision date is not after `today` nor before 1949-10-01, the validity end is not before
the decision date, and rows repeating an earlier row's business key are duplicates. A value
that fails its type check is kept as found.

Issue codes. Errors: required, invalid (not of the field's type or scheme), too_long,
control_char, negative, scale, date_range, future_date, too_early (decision date before
1949-10-01), date_order (validity end or a `not_before` field earlier than its reference),
placeholder, duplicate. Warnings (an officer may confirm the row with a reason): check_char,
authority, division, serial_date. `field` is the field code; None for duplicate (a row-level
finding).

Where things are: `pipeline` runs `validate`; `prepare` computes canonical values once per
distinct value; the rules and canonical forms of each kind of field are in `text` (every
field: control characters, lengths; free text), `numbers`, `dates`, `enums` (also boolean),
`identifier_forms` (code normalisation and shapes), `identifiers`, `uscc` and
`resident_ids`; `rules` holds required fields and the order of dates, `duplicates` the
business-key check; `issues` the issue struct, the messages and the issue lists;
`conditions` the catalog's condition language in polars; `fields`, `context` and
`characters` what they all share.
"""

from .conditions import compile_condition
from .dates import DECISION_DATE_MIN
from .duplicates import SeenKeys, mark_duplicates
from .fields import FIELD_TYPES
from .identifier_forms import normalise_codes
from .issues import ISSUE, ISSUES, Check
from .pipeline import validate

__all__ = ["DECISION_DATE_MIN", "FIELD_TYPES", "ISSUE", "ISSUES", "Check", "SeenKeys",
           "compile_condition", "mark_duplicates", "normalise_codes", "validate"]
