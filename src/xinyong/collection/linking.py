"""Linking (主体关联): which subject a validated row is about.

In order: a code the platform knows (primary code, then legacy codes such as 注册号 or
组织机构代码, then codes the credit centre confirmed in the linking queue); a valid new
USCC or resident ID creates the subject in the right base database; no usable code: the
normalised current or former name, when exactly one organisation has it or the credit centre
decided it. Anything else waits in the linking queue with the reason — the platform never
guesses.

Rows whose code is known are linked by joins on the whole frame; only the rest go through
the per-row rules.
"""

from dataclasses import dataclass

import polars as pl

from xinyong.core.bulkdb import select_in
from xinyong.core.identifiers import USCC_PLACEHOLDER, IdentifierError, parse_any
from xinyong.core.text import normalize_name
from xinyong.subjects.bulk import BulkSubject, bulk_register
from xinyong.subjects.models import Base, FormerName, LegacyIdentifier, Subject

from .models import LinkDecision

CHUNK = 5_000  # values per IN (...) query, under SQLite's variable limit
LINKABLE_SCHEMES = {"uscc", "resident_id", "id_document", "registration_no", "org_code",
                    "other"}


@dataclass
class Link:
    subject_id: int | None
    reason: str = ""  # why the row waits (Chinese), when subject_id is None


def _in_chunks(queryset_for, values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield from queryset_for(values[start:start + CHUNK])


def _code_fields(item: dict) -> list[str]:
    specs = {f["code"]: f for f in item["fields"]}
    return [code for code in item.get("subject_code_fields") or []
            if specs.get(code, {}).get("scheme") in LINKABLE_SCHEMES]


def _codes(row: dict, fields: list[str]) -> list[str]:
    return [row[f] for f in fields if row.get(f) and row[f] != USCC_PLACEHOLDER]


def link_frame(item: dict, rows: pl.DataFrame, *, actor: str, reason: str) -> pl.DataFrame:
    """`rows` (a validated frame) with `__subject__` (the subject id, null when the row
    waits) and `__link__` (why it waits). New subjects are registered."""
    fields = [f for f in _code_fields(item) if rows[f].null_count() < rows.height]
    codes = [pl.col(f).replace(USCC_PLACEHOLDER, None) for f in fields]
    wanted = rows.select(pl.concat_list(codes).explode().drop_nulls().unique()).to_series() \
        if fields else pl.Series(dtype=pl.Utf8)
    known = _known_codes(wanted.to_list())
    table = pl.DataFrame({"__code__": list(known), "__id__": list(known.values())},
                         schema={"__code__": pl.Utf8, "__id__": pl.Int64})
    ids = [rows.select(f).join(table, left_on=f, right_on="__code__", how="left",
                               maintain_order="left")["__id__"] for f in fields]
    linked = rows.with_columns(__subject__=pl.coalesce(ids) if ids
                               else pl.lit(None, pl.Int64), __link__=pl.lit(None, pl.Utf8))
    rest = linked.filter(pl.col("__subject__").is_null())
    if rest.is_empty():
        return linked
    links = link_rows(item, rest.to_dicts(), known=known, actor=actor, reason=reason)
    rest = rest.with_columns(
        __subject__=pl.Series([link.subject_id for link in links], dtype=pl.Int64),
        __link__=pl.Series([link.reason or None for link in links], dtype=pl.Utf8))
    return pl.concat([linked.filter(pl.col("__subject__").is_not_null()), rest])


def _known_codes(values: list[str]) -> dict[str, int]:
    """code → subject id for the codes the platform knows: primary, legacy, decided."""
    known = dict(select_in(f'SELECT code, id FROM "{Subject._meta.db_table}" '
                           "WHERE code {in_values}", values))
    for table, column in ((LegacyIdentifier._meta.db_table, "value"),
                          (LinkDecision._meta.db_table, "value")):
        rest = [v for v in values if v not in known]
        if not rest:
            break
        extra = " AND kind = 'code'" if table == LinkDecision._meta.db_table else ""
        known.update(select_in(f'SELECT {column}, subject_id FROM "{table}" '
                               f"WHERE {column} {{in_values}}{extra}", rest))
    return known


def link_rows(item: dict, rows: list[dict], *, known: dict | None = None, actor: str,
              reason: str) -> list[Link]:
    """One Link per row (rows are validated field dicts); new subjects are registered."""
    fields = _code_fields(item)
    if known is None:
        known = _known_codes(list({code for row in rows for code in _codes(row, fields)}))
    _register_new(item, rows, fields, known, actor=actor, reason=reason)
    names = _names_to_look_up(item, rows, fields, known)
    return [_link(item, row, fields, known, names) for row in rows]


def _register_new(item, rows, fields, known: dict, *, actor: str, reason: str) -> None:
    new: dict[str, BulkSubject] = {}
    for row in rows:
        for code in _codes(row, fields):
            if code in known or code in new:
                break
            subject = _new_subject(code, row.get(item.get("subject_name_field")))
            if subject is not None:
                new[code] = subject
                break
    if new:
        bulk_register(list(new.values()), actor=actor, reason=reason)
        known.update(Subject.objects.filter(code__in=list(new)).values_list("code", "id"))


def _new_subject(code: str, name: str | None) -> BulkSubject | None:
    try:
        ident = parse_any(code)
    except IdentifierError:
        return None  # a check-character failure or a legacy code: cannot key a subject
    if ident.kind not in ("uscc", "resident_id") or ident.value != code or not name:
        return None
    if ident.kind == "resident_id":
        return BulkSubject(Base.PERSON, "自然人", code, name, ident.parts["division"])
    organisation = ("", None, None, "", "", "")
    return BulkSubject(ident.subject_base, ident.subject_type, code, name,
                       ident.parts["division"], organisation=organisation)


def _names_to_look_up(item, rows, fields, known) -> dict[str, list[int]]:
    name_field = item.get("subject_name_field")
    wanted = {normalize_name(row[name_field]) for row in rows
              if name_field and row.get(name_field)
              and not any(code in known for code in _codes(row, fields))}
    decided = dict(_in_chunks(lambda chunk: LinkDecision.objects.filter(
        kind=LinkDecision.Kind.NAME, value__in=chunk).values_list("value", "subject_id"),
        wanted))
    wanted -= set(decided)
    found: dict[str, set[int]] = {name: {sid} for name, sid in decided.items()}
    organisations = Subject.objects.exclude(base=Base.PERSON)
    for name, sid in _in_chunks(lambda chunk: organisations.filter(name_norm__in=chunk)
                                .values_list("name_norm", "id"), wanted):
        found.setdefault(name, set()).add(sid)
    for name, sid in _in_chunks(lambda chunk: FormerName.objects.filter(name_norm__in=chunk)
                                .exclude(subject__base=Base.PERSON)
                                .values_list("name_norm", "subject_id"), wanted):
        found.setdefault(name, set()).add(sid)
    return {name: sorted(ids) for name, ids in found.items()}


def _link(item, row, fields, known, names) -> Link:
    for code in _codes(row, fields):
        if code in known:
            return Link(known[code])
    codes = _codes(row, fields)
    name_field = item.get("subject_name_field")
    name = row.get(name_field) if name_field else None
    if not codes and name:
        matches = names.get(normalize_name(name), [])
        if len(matches) == 1:
            return Link(matches[0])
        if len(matches) > 1:
            return Link(None, f"名称“{name}”对应{len(matches)}个主体，需人工确认")
        return Link(None, f"没有代码，且名称“{name}”在主体库中无唯一匹配")
    if codes:
        return Link(None, f"代码“{codes[0]}”不在主体库中，且不能据以新建主体"
                          "（如校验位错误），需人工确认")
    return Link(None, "没有可用于关联主体的代码或名称")
