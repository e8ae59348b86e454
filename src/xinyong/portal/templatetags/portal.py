"""Template helpers of the public site."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from xinyong.core.text import normalize_name

register = template.Library()


@register.filter
def highlight(name: str, query_norm: str):
    """The name with the query's letters and digits marked, matched as the search matches:
    after normalisation (width, brackets, case) and with punctuation between them ignored."""
    wanted = [ch for ch in query_norm if ch.isalnum()]
    # (normalised character, index in the name) of the name's letters and digits
    chars = [(n, i) for i, ch in enumerate(name) for n in normalize_name(ch) if n.isalnum()]
    marked = set()
    size = len(wanted)
    if size:
        for start in range(len(chars) - size + 1):
            if [c for c, _ in chars[start:start + size]] == wanted:
                marked.update(range(chars[start][1], chars[start + size - 1][1] + 1))
    html, open_ = [], False
    for i, ch in enumerate(name):
        if (i in marked) != open_:
            html.append("<mark>" if not open_ else "</mark>")
            open_ = not open_
        html.append(escape(ch))
    return mark_safe("".join(html) + ("</mark>" if open_ else ""))
