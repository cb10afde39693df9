"""Rate limits per owner (user or guest) and per client address: the scopes, and which scope each write uses."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.utils.crypto import salted_hmac

__all__ = [
    "COUNTED_BY_THE_SERVICE",
    "DEFAULT_WRITE_SCOPE",
    "GUEST_ADDRESS_ALLOWANCE",
    "RATE_LIMITS",
    "WRITE_METHODS",
    "WRITE_SCOPES",
    "RateLimit",
    "address_key",
    "write_scope",
]


@dataclass(frozen=True)
class RateLimit:
    """At most `per_owner` requests from one user or guest and `per_address` from one address per window."""

    per_owner: int
    per_address: int
    seconds: int
    what: str


RATE_LIMITS: dict[str, RateLimit] = {
    # Each message may start a generation: a burst faster than a person types is a script.
    "generate": RateLimit(per_owner=20, per_address=60, seconds=60, what="requests to make images"),
    # Sign-ups from one address: enough for a family or a classroom, not for a bot.
    "signup": RateLimit(per_owner=10, per_address=10, seconds=3600, what="sign-ups"),
    # Actions confirmed by the password (deleting the account, changing the email) must not become a way
    # to guess it from a stolen session: a few tries per quarter hour.
    "password": RateLimit(per_owner=5, per_address=20, seconds=900, what="password confirmations"),
    # A visitor's first write makes a guest (a new cookie): a family or an office makes a few an hour, a
    # script that drops its cookie to get a fresh quota makes one per request.
    "guest": RateLimit(per_owner=30, per_address=30, seconds=3600, what="new guest sessions"),
    # New things that cost storage or work: conversations, API tokens, data exports.
    "create": RateLimit(per_owner=30, per_address=60, seconds=60, what="new conversations or items"),
    # Any other change (delete, settings, consent): a person clicking fast, not a loop.
    "write": RateLimit(per_owner=60, per_address=240, seconds=60, what="changes"),
    # Sign-in forms and everything that checks a password or a reset link (django-axes locks an account
    # after failures; this bounds the attempts an address makes across accounts).
    "sign_in": RateLimit(per_owner=10, per_address=30, seconds=300, what="sign-in attempts"),
    # Each of these sends an email: keep the product from becoming a mail cannon.
    "email": RateLimit(per_owner=5, per_address=20, seconds=3600, what="emails"),
    # Reports of content go to people: plenty for honest use, not enough to bury the moderators.
    "report": RateLimit(per_owner=10, per_address=30, seconds=3600, what="reports"),
    # Checkout and the billing portal call the payment provider.
    "payment": RateLimit(per_owner=10, per_address=30, seconds=600, what="payment requests"),
    # The payment provider's webhooks come from a few addresses in bursts; it retries what we refuse.
    "webhook": RateLimit(per_owner=600, per_address=600, seconds=60, what="webhook deliveries"),
    # Staff work in the admin: bulk edits are many requests, still not a flood.
    "staff": RateLimit(per_owner=300, per_address=600, seconds=60, what="admin changes"),
}

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

DEFAULT_WRITE_SCOPE = "write"
"""The scope of a write to a path not in WRITE_SCOPES: no write is ever unlimited."""

WRITE_SCOPES: dict[str, str] = {
    # "METHOD /path/{param}" (path parameters as in the OpenAPI document) -> scope.
    "POST /api/v1/conversations": "create",
    "DELETE /api/v1/conversations/{conversation_id}": "write",
    # The view also counts "generate" once the conversation is known to be the sender's.
    "POST /api/v1/conversations/{conversation_id}/messages": "write",
    "POST /api/v1/jobs/{job_id}/retry": "generate",
    "POST /api/v1/jobs/{job_id}/cancel": "write",
    # A tool or a video starts a job: the views count "generate" too, once the request is read.
    "POST /api/v1/tools/{tool}": "write",
    "POST /api/v1/videos": "write",
    # A preview is rendered while the request waits (small, not stored): as costly as a generation.
    "POST /api/v1/videos/preview": "generate",
    "PUT /api/v1/assets/{asset_id}/feedback": "write",
    "DELETE /api/v1/assets/{asset_id}/feedback": "write",
    # A bug report goes to people, as a content report does.
    "POST /api/v1/bug-reports": "report",
    "DELETE /api/v1/assets/{asset_id}": "write",
    "PATCH /api/v1/me": "write",
    "PUT /api/v1/me/retention": "write",
    "POST /api/v1/me/sessions/end-others": "write",
    "POST /api/v1/auth/signup": "signup",
    "POST /api/v1/auth/login": "sign_in",
    "POST /api/v1/auth/logout": "write",
    "POST /api/v1/auth/password-reset": "email",
    "POST /api/v1/me/email": "email",
    "POST /api/v1/me/verification": "email",
    "POST /api/v1/me/delete": "sign_in",
    "POST /api/v1/tokens": "create",
    "DELETE /api/v1/tokens/{token_id}": "write",
    "POST /api/v1/me/exports": "create",
    "PATCH /api/v1/me/privacy": "write",
    "PUT /api/v1/me/images/{asset_id}/commercial": "write",
    "DELETE /api/v1/me/images/{asset_id}/commercial": "write",
    "POST /api/v1/reports": "report",
    "POST /api/v1/me/policy-acceptances": "write",
    "POST /api/v1/me/policy-notices/close": "write",
    # The OpenAI-compatible API: the views count "generate" too, per token owner and address.
    "POST /v1/images/generations": "write",
    "POST /v1/images/edits": "write",
    # Form pages.
    "POST /accounts/signup/": "signup",
    "POST /accounts/login/": "sign_in",
    "POST /accounts/logout/": "write",
    "POST /accounts/verify/resend/": "email",
    "POST /accounts/email/": "email",
    "POST /accounts/password/": "sign_in",
    "POST /accounts/password/reset/": "email",
    "POST /accounts/password/reset/{uidb64}/{token}/": "sign_in",
    "POST /accounts/profile/": "write",
    "POST /accounts/retention/": "write",
    "POST /accounts/sessions/end-others/": "write",
    "POST /me/preferences/reset/": "write",
    "POST /billing/upgrade/": "payment",
    "POST /billing/portal/": "payment",
    "POST /billing/test-mode/cancel/": "payment",
    "POST /billing/webhooks/stripe/": "webhook",
    "POST /policies/notice/": "write",
}

# Writes counted where counting is allowed, not by the middleware: a sign-up refused by the age gate leaves
# nothing behind, not even a counter, so a sign-up is counted (scope "signup") only once it has passed the gate.
COUNTED_BY_THE_SERVICE = frozenset({"POST /api/v1/auth/signup", "POST /accounts/signup/"})

# Every write under the admin is staff work.
WRITE_SCOPE_PREFIXES: dict[str, str] = {"/admin/": "staff"}

# How many guests' daily quota one address may use in a day, across all its guest cookies: a household or
# a small office behind one router shares an address; more people than that sign up (each account has its
# own quota, counted per account, not per address).
GUEST_ADDRESS_ALLOWANCE = 5

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def write_scope(*, method: str, route: str) -> str | None:
    """The rate-limit scope the middleware counts for a write to a URL pattern (`route` as Django resolved it,
    e.g. "api/v1/x/<id>"); None for a write its service counts (COUNTED_BY_THE_SERVICE)."""
    path = "/" + _PARAMETER.sub(r"{\1}", route)
    if f"{method} {path}" in COUNTED_BY_THE_SERVICE:
        return None
    scope = WRITE_SCOPES.get(f"{method} {path}")
    if scope is not None:
        return scope
    for prefix, prefixed_scope in WRITE_SCOPE_PREFIXES.items():
        if path.startswith(prefix):
            return prefixed_scope
    return DEFAULT_WRITE_SCOPE


def address_key(address: str) -> str:
    """A pseudonym of a client address for counters: a keyed hash (HMAC with the server secret), never the address.

    The same address gives the same pseudonym while SECRET_KEY stays; without the key it cannot be reversed
    by hashing the four billion IPv4 addresses. An IPv6 client is counted by its /64 network: one home or
    office gets a /64 and may pick any address in it, so counting single addresses would count nothing.
    """
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    except ValueError:
        network = address  # not an IP address (a test client's name): counted as it is
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        network = str(ipaddress.IPv6Network((ip, 64), strict=False)) if ip.version == 6 else str(ip)
    return salted_hmac("nanobananas.rate-limit-address", network, algorithm="sha256").hexdigest()[:32]
