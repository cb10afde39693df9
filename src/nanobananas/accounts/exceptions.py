"""Account errors, on top of the shared tree in `core.exceptions`.

DomainError
+-- LimitReached (429)          a limit is used up until `resets_at`; the API adds it to the body and Retry-After
    +-- QuotaExceeded (429)     the owner's plan allows no more of this kind today or this month
    +-- RateLimited (429)       too many expensive requests from this owner or address in a short time
"""

from __future__ import annotations

from datetime import datetime

from nanobananas.core.exceptions import DomainError

__all__ = ["LimitReached", "QuotaExceeded", "RateLimited"]


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
