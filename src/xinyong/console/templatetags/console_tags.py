"""Small display helpers for console templates."""

from django import template

from xinyong.records.services import KEY_SEPARATOR

register = template.Library()


@register.simple_tag(takes_context=True)
def with_param(context, name, value):
    """The current query string with `name` set to `value` (for pagination links)."""
    params = context["request"].GET.copy()
    params[name] = value
    return "?" + params.urlencode()


@register.filter
def percent(rate):
    """A 0..1 rate as "97.5%", or "—" when there is none."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


@register.filter
def key_text(business_key):
    """A record's business key with its parts separated by " / "."""
    return " / ".join(part for part in str(business_key).split(KEY_SEPARATOR) if part)


@register.filter
def messages_of(errors):
    """The messages of a row's errors or warnings, in order, without repeats."""
    return list(dict.fromkeys(str(e.get("message") or e.get("code") or "")
                              for e in errors or [] if isinstance(e, dict)))
