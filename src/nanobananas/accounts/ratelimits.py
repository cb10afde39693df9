"""Rate limits on expensive endpoints, per owner (user or guest) and per client address."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RATE_LIMITS", "RateLimit"]


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
}
