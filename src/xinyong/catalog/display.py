"""Plain-text and JSON renderings of catalog entries for the `xinyong catalog` command."""

import unicodedata

from .conditions import describe
from .models import Behaviour, Department, InformationItem, ListType, Measure, PublicityRule, Term


def width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Rows aligned in columns under a header line."""
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    return [lines[0], "  ".join("-" * w for w in widths), *lines[1:]]


def codes(values, limit: int = 6) -> str:
    values = list(values)
    shown = ", ".join(values[:limit])
    return f"{shown} … (+{len(values) - limit})" if len(values) > limit else shown


def term_name(vocabulary: str, code: str) -> str:
    term = Term.objects.filter(vocabulary=vocabulary, code=code).first()
    return f"{code} ({term.name})" if term else code


# ---- list -------------------------------------------------------------------------------

def catalog_listing() -> dict:
    """Items, list types and measures as JSON-ready rows."""
    items = InformationItem.objects.filter(active=True).prefetch_related("providers")
    lists = ListType.objects.filter(active=True).select_related("department", "item")
    measures = Measure.objects.filter(active=True).prefetch_related("departments", "list_types")
    return {
        "items": [{"code": i.code, "name": i.name, "nature": i.nature, "category": i.category,
                   "providers": sorted(d.code for d in i.providers.all())} for i in items],
        "list_types": [{"code": t.code, "name": t.name, "nature": t.kind,
                        "providers": [t.department.code] if t.department else [],
                        "item": t.item.code if t.item else None} for t in lists],
        "measures": [{"code": m.code, "name": m.name, "nature": m.category, "type": m.type,
                      "providers": sorted(d.code for d in m.departments.all()),
                      "triggers": sorted(t.code for t in m.list_types.all())} for m in measures],
    }


def listing_lines(listing: dict) -> list[str]:
    lines = []
    titles = {"items": "Information items (信息事项)", "list_types": "List types (名单类型)",
              "measures": "Measures (奖惩措施)"}
    for section, title in titles.items():
        rows = [[r["code"], r["name"], r["nature"], codes(r["providers"])]
                for r in listing[section]]
        lines += [f"{title}: {len(rows)}", *table(["code", "name", "nature", "providers"], rows),
                  ""]
    return lines[:-1]


# ---- show -------------------------------------------------------------------------------

def _pairs(pairs: list[tuple[str, object]]) -> list[str]:
    size = max(width(k) for k, _ in pairs)
    lines = []
    for key, value in pairs:
        text = str(value if value not in (None, "") else "—").strip()
        first, *rest = text.splitlines() or [""]
        lines.append(f"{pad(key, size)}  {first}")
        lines += [f"{' ' * size}  {line}" for line in rest]
    return lines


def _requirement(field: dict, limit: int = 48) -> str:
    if field["required"] != "conditional":
        return "yes" if field["required"] else "no"
    text = f"if {describe(field['condition'])}"
    return text if width(text) <= limit else text[: limit // 2 - 1] + "…"


def _field_rows(item: InformationItem) -> list[list[str]]:
    rows = []
    for f in item.fields:
        extra = codes(f["values"], 4) if f["values"] else (f["unit"] or f["scheme"] or "")
        flags = " ".join(x for x in ("personal" if f["personal"] else "",
                                     f"mask:{f['mask']}" if f["mask"] else "") if x)
        rows.append([f["code"], f["name"], f["type"], _requirement(f), f["disclosure"],
                     f"{extra} {flags}".strip()])
    return rows


def item_lines(item: InformationItem) -> list[str]:
    providers = [f"{d.code} {d.name}" for d in item.providers.all()]
    pairs = [("item", f"{item.code} {item.name}"), ("nature", item.nature),
             ("category", term_name("category", item.category)),
             ("subject kinds", ", ".join(item.subject_kinds)),
             ("disclosure", item.disclosure), ("public for", ", ".join(item.public_for)),
             ("business key", ", ".join(item.business_key)),
             ("publicity rule", item.publicity_rule),
             ("update frequency", term_name("update_frequency", item.update_frequency)),
             ("providers", codes(providers, 8)), ("legal basis", item.legal_basis),
             ("version", f"{item.version}{'' if item.active else ' (inactive)'}")]
    headers = ["code", "name", "type", "required", "disclosure", "values / notes"]
    return _pairs(pairs) + ["", f"fields: {len(item.fields)}", *table(headers, _field_rows(item))]


def _escalation(escalation: dict | None) -> str | None:
    if not escalation:
        return None
    return (f"to {escalation['to']} after {escalation['after_months']} months\n"
            f"{escalation['basis']}")


def list_type_lines(t: ListType) -> list[str]:
    exits = "\n".join(f"{r['kind']}: {r['text']}" for r in t.exit_rules)
    validity = f"{t.default_validity_months} months" if t.default_validity_months else \
        "until an exit rule applies"
    return _pairs([("list type", f"{t.code} {t.name}"), ("kind", t.kind),
                   ("department", t.department or "set per entry"),
                   ("item", t.item.code if t.item else None), ("public", t.public),
                   ("validity", validity), ("subject kinds", ", ".join(t.subject_kinds)),
                   ("legal basis", t.legal_basis), ("exit rules", exits),
                   ("escalation", _escalation(t.escalation)), ("measures", codes(
                       m.code for m in t.measures.filter(active=True)))])


def measure_lines(m: Measure) -> list[str]:
    units = [d.name for d in m.departments.all()] + ([m.implementers] if m.implementers else [])
    return _pairs([("measure", f"{m.code} {m.name}"), ("措施 measure", m.content),
                   ("依据 basis", m.legal_basis), ("实施单位 implementing", "、".join(units)),
                   ("category", m.category), ("type", term_name("measure_type", m.type)),
                   ("triggered by lists", codes((t.code for t in m.list_types.all()), 12)),
                   ("triggered by behaviours", codes((b.code for b in m.behaviours.all()), 12)),
                   ("business matters", ", ".join(m.matters)),
                   ("applies to", ", ".join(m.applies_to))])


def behaviour_lines(b: Behaviour) -> list[str]:
    return _pairs([("behaviour", f"{b.code} {b.name}"), ("nature", b.nature),
                   ("severity", b.severity), ("item", b.item.code),
                   ("match", describe(b.match) if b.match else None),
                   ("legal basis", b.legal_basis), ("description", b.description)])


def department_lines(d: Department) -> list[str]:
    return _pairs([("department", f"{d.code} {d.name}"), ("short name", d.short_name),
                   ("kind", d.kind), ("division", d.division), ("parent", d.parent),
                   ("uscc", d.uscc), ("active", d.active), ("note", d.note),
                   ("items", codes(i.code for i in d.items.filter(active=True)))])


def publicity_rule_lines(r: PublicityRule) -> list[str]:
    periods = "\n".join(f"{k}: {v}" for k, v in r.periods.items())
    return _pairs([("publicity rule", f"{r.code} {r.name}"), ("family", r.family),
                   ("scope", r.scope), ("in force", f"{r.in_force_from or '…'} – "
                                                    f"{r.in_force_to or '…'}"),
                   ("default", r.default), ("starts at", r.start_event),
                   ("periods", periods), ("basis", r.basis), ("note", r.note)])


RENDERERS = {InformationItem: item_lines, ListType: list_type_lines, Measure: measure_lines,
             Behaviour: behaviour_lines, Department: department_lines,
             PublicityRule: publicity_rule_lines}


def entry_lines(obj) -> list[str]:
    return RENDERERS[type(obj)](obj)
