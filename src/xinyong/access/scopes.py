"""API scopes (接口权限范围): what an API client may do. Each endpoint names the scopes it needs."""

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "subjects:read": _("Look up subjects (persons, enterprises, other organisations)"),
    "batches:write": _("Submit data batches for the client's department"),
    "batches:read": _("Read the status and error reports of the department's batches"),
    "checks:write": _("Run joint reward and punishment checks"),
    "checks:read": _("Read earlier checks"),
    "feedback:write": _("Report the measures taken after a check"),
    "exchange:read": _("Read the change feed and exports for higher-level platforms"),
}


def unknown_scopes(scopes) -> list[str]:
    return [scope for scope in scopes if not isinstance(scope, str) or scope not in SCOPES]
