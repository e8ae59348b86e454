"""Finding organisations by code or name (the public search box and the linking queue).

Ranking: exact code (USCC or a legacy code), exact name, name prefix, name substring; current
names before former ones, shorter names first. Names match after normalisation, so full- and
half-width characters, bracket variants, spaces and Latin case make no difference; substrings
match on letters and digits, punctuation aside, through a character-bigram index
(`SearchName`: SQLite FTS5, PostgreSQL GIN). Each tier fetches at most `CANDIDATES` names, so
a query as broad as 青岛 costs about what a rare one does, and the page says there are more.
Natural persons are never indexed, so never found.
"""

import re
from dataclasses import dataclass, field

from django.db import connection

from xinyong.core.text import name_bigrams, normalize_code, normalize_name

from .models import Base, Subject
from .services import find_by_code

__all__ = ["CODE_SHAPE", "MIN_QUERY", "Hit", "Results", "search_organisations"]

CODE_SHAPE = re.compile(r"^[0-9A-Z]{8,18}$")
MIN_QUERY = 2  # letters or digits; one character would match a large share of all names
CANDIDATES = 1000  # per tier; a query matching more is asked to be narrowed
TIERS = ("code", "name", "prefix", "substring")  # how a hit matched, best first


@dataclass(frozen=True)
class Hit:
    subject: Subject
    name: str  # the name that matched: the current one or a former one
    current: bool
    tier: str


@dataclass
class Results:
    query: str
    norm: str  # the normalised query, for highlighting
    hits: list[Hit] = field(default_factory=list)  # this page
    total: int = 0
    more: bool = False  # some tier hit CANDIDATES: there are more matches than counted
    too_short: bool = False
    page: int = 1
    per_page: int = 20

    @property
    def start(self) -> int:
        """The rank of this page's first hit."""
        return (self.page - 1) * self.per_page + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def search_organisations(query: str, *, page: int = 1, per_page: int = 20) -> Results:
    query = " ".join((query or "").split())[:100]
    norm = normalize_name(query)
    results = Results(query=query, norm=norm, page=max(1, page), per_page=per_page)
    if not query:
        return results
    ranked = _ranked(query, norm, results)
    results.total = len(ranked)
    results.page = min(results.page, results.pages)
    start = (results.page - 1) * per_page
    results.hits = _load(ranked[start:start + per_page])
    return results


def _ranked(query: str, norm: str, results: Results) -> list[tuple]:
    """(tier, current, name, subject_id) of every match, best first, one per subject."""
    found = []
    code = normalize_code(query)
    if CODE_SHAPE.match(code):
        subject = find_by_code(code)
        if subject and subject.base != Base.PERSON:
            found.append((0, True, subject.name, subject.pk))
    if sum(ch.isalnum() for ch in norm) < MIN_QUERY:
        results.too_short = not found
        return found
    for tier, rows in enumerate(_name_tiers(norm), start=1):
        results.more |= len(rows) >= CANDIDATES
        found += [(tier, current, name, sid) for sid, name, current in rows]
    found.sort(key=lambda hit: (hit[0], not hit[1], len(hit[2]), hit[2], hit[3]))
    seen, ranked = set(), []
    for hit in found:
        if hit[3] not in seen:
            seen.add(hit[3])
            ranked.append(hit)
    return ranked


def _name_tiers(norm: str) -> list[list[tuple]]:
    """Exact, prefix and substring matches of a normalised name. Substrings are matched on
    letters and digits only (the bigrams), so 海尔集团 finds 海尔（集团）."""
    columns = "s.subject_id, s.name, s.current"
    grams = name_bigrams(norm)
    exact = (f"SELECT {columns} FROM subjects_searchname s WHERE s.name_norm = %s "
             f"LIMIT {CANDIDATES}", [norm])
    if connection.vendor == "postgresql":
        prefix = (f"SELECT {columns} FROM subjects_searchname s "
                  f"WHERE s.name_norm LIKE %s LIMIT {CANDIDATES}", [_escape_like(norm) + "%"])
        # The array test uses the GIN index; the LIKE keeps only adjacent bigrams (grams hold
        # letters and digits only, so the pattern needs no escaping).
        substring = (f"SELECT {columns} FROM subjects_searchname s "
                     "WHERE string_to_array(s.grams, ' ') @> %s::text[] "
                     f"AND s.grams LIKE %s LIMIT {CANDIDATES}", [grams, f"%{' '.join(grams)}%"])
    else:
        # A range on the name index (binary order): LIKE would not use it on SQLite.
        prefix = (f"SELECT {columns} FROM subjects_searchname s "
                  f"WHERE s.name_norm >= %s AND s.name_norm < %s LIMIT {CANDIDATES}",
                  [norm, norm + "\U0010ffff"])
        # An FTS5 phrase: the bigrams adjacent and in order, i.e. the substring.
        substring = (f"SELECT {columns} FROM subjects_searchname_fts f "
                     "JOIN subjects_searchname s ON s.id = f.rowid "
                     f"WHERE subjects_searchname_fts MATCH %s LIMIT {CANDIDATES}",
                     [f'"{" ".join(grams)}"'])
    tiers = []
    with connection.cursor() as cursor:
        for sql, params in (exact, prefix, substring):
            cursor.execute(sql, params)
            tiers.append([(sid, name, bool(current)) for sid, name, current in cursor.fetchall()])
    return tiers


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _load(ranked: list[tuple]) -> list[Hit]:
    subjects = Subject.objects.select_related("organisation").in_bulk([h[3] for h in ranked])
    return [Hit(subjects[sid], name, current, TIERS[tier])
            for tier, current, name, sid in ranked if sid in subjects]
