"""Who is asking: the owner behind a request, as a signed-in user or a guest session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from nanobananas.accounts.counters import rate_limit_hit
from nanobananas.accounts.models import Guest
from nanobananas.accounts.ratelimits import address_key
from nanobananas.accounts.sessions import GUEST_SESSION_KEY

__all__ = [
    "GUEST_SESSION_KEY",
    "Owner",
    "guest_create",
    "owner_filter",
    "request_account",
    "request_address_key",
    "request_owner",
    "request_owner_for_write",
    "request_rate_limit",
]



@dataclass(frozen=True)
class Owner:
    """Exactly one of `user_id` and `guest_id` is set."""

    user_id: int | None = None
    guest_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.guest_id is None):
            raise ValueError("an owner is either a user or a guest")

    @property
    def is_guest(self) -> bool:
        return self.guest_id is not None

    @property
    def key(self) -> str:
        """A stable text form used in blob paths and audit records."""
        return f"u{self.user_id}" if self.user_id is not None else f"g{self.guest_id}"


def guest_create() -> Guest:
    return Guest.objects.create()


def owner_filter(owner: Owner, prefix: str = "") -> Q:
    """The queryset filter selecting rows owned by `owner` (`prefix` walks a relation)."""
    if owner.user_id is not None:
        return Q(**{f"{prefix}owner_user_id": owner.user_id})
    return Q(**{f"{prefix}owner_guest_id": owner.guest_id})


def _session_guest_id(request: HttpRequest) -> uuid.UUID | None:
    raw = request.session.get(GUEST_SESSION_KEY)
    if not raw:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def request_owner(request: HttpRequest) -> Owner | None:
    """The owner of this request, or None for a visitor who has not made anything yet."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Owner(user_id=user.pk)
    guest_id = _session_guest_id(request)
    return Owner(guest_id=guest_id) if guest_id else None


def request_owner_for_write(request: HttpRequest) -> Owner:
    """The owner of this request, creating a guest on a visitor's first write."""
    owner = request_owner(request)
    if owner is not None:
        return owner
    # A new cookie must not be a new quota: guests made per address are counted.
    request_rate_limit(request, scope="guest")
    guest = guest_create()
    request.session[GUEST_SESSION_KEY] = str(guest.id)
    return Owner(guest_id=guest.id)


def request_account(request: HttpRequest) -> User:
    """The signed-in user of a request that must have one (pages behind `login_required`)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to do this.")
    return user


def request_address_key(request: HttpRequest) -> str | None:
    """The pseudonym (keyed hash) of the request's client address for per-address limits; None when limits are off.

    The address is REMOTE_ADDR: behind a proxy, list the proxy in NANOBANANAS_TRUSTED_PROXIES so that `serve`
    takes the client's address from X-Forwarded-For.
    """
    if not settings.NANOBANANAS["RATE_LIMITS"]:
        return None  # switched off for a trusted single-user install or a benchmark (NANOBANANAS_RATE_LIMITS)
    address = request.META.get("REMOTE_ADDR")
    return address_key(address) if address else None


def request_rate_limit(request: HttpRequest, *, scope: str, owner: Owner | None = None) -> None:
    """Count this request against the `scope` rate limit of its owner and its address (429 when over).

    The owner is the session's unless given (an API token's user, whom the session does not know).
    """
    if not settings.NANOBANANAS["RATE_LIMITS"]:
        return
    rate_limit_hit(scope=scope, owner=owner or request_owner(request), address_key=request_address_key(request))
