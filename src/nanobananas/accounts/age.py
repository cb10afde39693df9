"""The age gate: birth month and year decide whether an account may be created; nothing is stored."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse

__all__ = ["age_gate_passes", "retry_block_set", "retry_blocked"]

MINIMUM_AGE_MONTHS = 13 * 12
RETRY_COOKIE = "nanobananas_signup_pause"
RETRY_SALT = "nanobananas.accounts.age"
RETRY_SECONDS = 24 * 60 * 60


def age_gate_passes(*, birth_month: int, birth_year: int, today: date) -> bool:
    """Whether someone born in that month is 13 or older today; the birth month itself counts as reached."""
    months = (today.year - birth_year) * 12 + (today.month - birth_month)
    return months >= MINIMUM_AGE_MONTHS


def retry_blocked(request: HttpRequest) -> bool:
    """Whether this browser was just turned away by the age gate (the cookie holds no date, only a marker)."""
    return request.get_signed_cookie(RETRY_COOKIE, default=None, salt=RETRY_SALT, max_age=RETRY_SECONDS) == "1"


def retry_block_set(response: HttpResponse) -> None:
    response.set_signed_cookie(RETRY_COOKIE, "1", salt=RETRY_SALT, max_age=RETRY_SECONDS, httponly=True, samesite="Lax")
