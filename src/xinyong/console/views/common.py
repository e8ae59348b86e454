"""Helpers shared by the console pages."""

from django.core.paginator import Paginator

PAGE_SIZE = 25


def page_of(request, items, *, param="page", size=PAGE_SIZE):
    """One page of `items` from the query parameter `param` (a wrong number gives the
    nearest valid page)."""
    return Paginator(items, size).get_page(request.GET.get(param))


def labelled(item, values: dict) -> list[tuple[str, object]]:
    """A row's or record's values as (Chinese field name, value), in catalog order, then
    any value the catalog does not name."""
    names = {f["code"]: f["name"] for f in item.fields}
    known = [(names[code], values[code]) for code in names if values.get(code) not in (None, "")]
    extra = [(code, value) for code, value in values.items()
             if code not in names and value not in (None, "")]
    return known + extra
