"""Account errors, on top of the shared tree in `core.exceptions`.

DomainError
+-- SignupUnavailable (403)     the age gate refused, now or earlier today in this browser; says nothing more
+-- LimitReached (429)          a limit is used up until `resets_at`; the API adds it to the body and Retry-After
    +-- QuotaExceeded (429)     the owner's plan allows no more of this kind today or this month
    +-- RateLimited (429)       too many expensive requests from this owner or address in a short time
"""

from __future__ import annotations

from datetime import datetime

from nanobananas.core.exceptions import DomainError

__all__ = ["LimitReached", "QuotaExceeded", "RateLimited", "SignupUnavailable"]

# Shown for an age-gate refusal: kind, and without a hint of the cutoff.
SIGNUP_CLOSED = "We are not able to create an account with the information given. Nothing you sent has been saved."


class SignupUnavailable(DomainError):
    """A web caller answers it by setting the retry-block cookie (`age.retry_block_set`) for a day."""

    status_code = 403
    code = "signup_unavailable"

    def __init__(self) -> None:
        super().__init__(SIGNUP_CLOSED)


class LimitReached(DomainError):
    status_code = 429
    code = "limit_reached"

    def __init__(self, message: str, *, resets_at: datetime) -> None:
        super().__init__(message)
        self.resets_at = resets_at


class QuotaExceeded(LimitReached):
    code = "quota_exceeded"


class RateLimited(LimitReached):
    code = "rate_limited"
