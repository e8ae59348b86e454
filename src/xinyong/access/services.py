"""Staff users and API clients (接口客户端): the only place that creates or changes them.

Every creation, role change and revocation is journaled; passwords, tokens and token digests
never are. Errors are `django.core.exceptions.ValidationError` with a message fit for one line.
"""

import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from xinyong.catalog.models import Department
from xinyong.journal.services import log_create, log_event, log_update

from .models import ApiClient, StaffProfile
from .roles import ROLE_LABELS, STAFF_SITE_ROLES

__all__ = [
    "LAST_USED_RESOLUTION",
    "TOKEN_BYTES",
    "change_client",
    "create_client",
    "create_staff_user",
    "find_client",
    "issue_client",
    "revoke_client",
    "sync_role_group",
    "touch_client",
    "user_snapshot",
]

TOKEN_BYTES = 32
PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


# --- staff users ----------------------------------------------------------------------------

def _department(code: str | None, *, required: bool = False) -> Department | None:
    if not code:
        if required:
            raise ValidationError("a department code is required")
        return None
    department = Department.objects.filter(code=code).first()
    if department is None:
        raise ValidationError(f"unknown department {code!r}")
    if not department.active:
        raise ValidationError(f"department {code} ({department.name}) is no longer active")
    return department


def _check_role(role: str) -> None:
    if role not in ROLE_LABELS:
        raise ValidationError(f"unknown role {role!r}; roles: {', '.join(ROLE_LABELS)}")


def user_snapshot(user) -> dict:
    """What the journal records about a staff user (never the password)."""
    profile = StaffProfile.objects.filter(user=user).select_related("department").first()
    return {
        "username": user.get_username(),
        "role": profile.role if profile else None,
        "department": profile.department.code if profile and profile.department else None,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def sync_role_group(user) -> None:
    """Make the user a member of exactly the group of the role in their StaffProfile."""
    profile = StaffProfile.objects.filter(user=user).first()
    role = profile.role if profile else None
    user.groups.remove(*Group.objects.filter(name__in=ROLE_LABELS).exclude(name=role))
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])


def create_staff_user(*, username: str, password: str, role: str,
                      department_code: str | None = None, actor: str):
    """Create a staff login with one role (and its department, for department roles)."""
    _check_role(role)
    user = get_user_model()(username=username, is_staff=role in STAFF_SITE_ROLES)
    user.full_clean(exclude=["password"])
    profile = StaffProfile(user=user, role=role, department=_department(department_code))
    profile.full_clean(exclude=["user"])
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save()
        profile.user = user
        profile.save()
        sync_role_group(user)
        log_create(actor=actor, object_type="user", object_id=username, new=user_snapshot(user))
    return user


# --- API clients ----------------------------------------------------------------------------

def _digest(token: str) -> str:
    # A fast hash is enough: the token carries 256 random bits, so it cannot be guessed or
    # brute-forced from its digest. Slow password hashes (Argon2) exist for low-entropy
    # secrets and would add tens of milliseconds to every API call.
    return hashlib.sha256(token.encode()).hexdigest()


def _client_snapshot(client: ApiClient) -> dict:
    """What the journal records about a client (never the token or its digest)."""
    return {"name": client.name, "department": client.department.code,
            "scopes": list(client.scopes)}


def issue_client(client: ApiClient, *, actor: str) -> str:
    """Give an unsaved client a fresh token, save and journal it; return the token.

    The token is returned once and never stored: show it to the caller now.
    """
    client.scopes = list(dict.fromkeys(client.scopes or []))
    client.full_clean(exclude=["token_prefix", "token_hash"])
    token = secrets.token_urlsafe(TOKEN_BYTES)
    client.token_prefix, client.token_hash = token[:PREFIX_LENGTH], _digest(token)
    with transaction.atomic():
        client.save()
        log_create(actor=actor, object_type="api_client", object_id=client.pk,
                   new=_client_snapshot(client))
    return token


def create_client(*, name: str, department_code: str, scopes, actor: str
                  ) -> tuple[ApiClient, str]:
    """Create an API client for a department; returns (client, token), the token shown once."""
    department = _department(department_code, required=True)
    client = ApiClient(name=name, department=department, scopes=list(scopes))
    return client, issue_client(client, actor=actor)


def change_client(client: ApiClient, *, name: str, scopes, actor: str) -> ApiClient:
    """Rename a client or change its scopes (its token and department stay)."""
    old = _client_snapshot(ApiClient.objects.get(pk=client.pk))
    client.name, client.scopes = name, list(dict.fromkeys(scopes))
    client.full_clean()
    with transaction.atomic():
        client.save(update_fields=["name", "scopes"])
        _forget(client)
        log_update(actor=actor, object_type="api_client", object_id=client.pk, old=old,
                   new=_client_snapshot(client))
    return client


def revoke_client(*, client_id: int, actor: str, reason: str = "") -> ApiClient:
    """Revoke a client's token for good; a revoked client is kept for the record."""
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise ValidationError(f"no API client with id {client_id}")
        if client.revoked_at is not None:
            raise ValidationError(f"API client {client_id} was already revoked at "
                                  f"{client.revoked_at:%Y-%m-%d %H:%M}")
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        _forget(client)
        log_event(actor=actor, action="revoke", object_type="api_client", object_id=client.pk,
                  new={"revoked_at": client.revoked_at}, reason=reason)
    return client


# Checks and batches authenticate on every call; a client found by its token is remembered
# for a few seconds (the lookup costs about as much as a whole check). Revoking or changing a
# client forgets it in this process at once and in the others within CLIENT_CACHE_SECONDS.
CLIENT_CACHE_SECONDS = 5
_found: dict[str, tuple[float, ApiClient]] = {}


def find_client(token: str) -> ApiClient | None:
    """The active client holding `token`, or None. Compares digests in constant time."""
    if not token or not PREFIX_LENGTH <= len(token) <= 200:
        return None
    digest = _digest(token)
    remembered = _found.get(digest)
    if remembered and remembered[0] > time.monotonic():
        return remembered[1]
    candidates = ApiClient.objects.filter(token_prefix=token[:PREFIX_LENGTH],
                                          revoked_at__isnull=True).select_related("department")
    for client in candidates:
        if hmac.compare_digest(client.token_hash, digest):
            _found[digest] = (time.monotonic() + CLIENT_CACHE_SECONDS, client)
            return client
    _found.pop(digest, None)
    return None


def _forget(client: ApiClient) -> None:
    for digest in [d for d, (_until, c) in list(_found.items()) if c.pk == client.pk]:
        _found.pop(digest, None)


def touch_client(client: ApiClient) -> None:
    """Record use of the client, writing at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
