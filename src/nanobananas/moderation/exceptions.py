"""Content review errors, on top of the shared tree in `core.exceptions` and `accounts.exceptions`.

DomainError
+-- ContentBlocked (422)          the request looks like prohibited content; nothing was stored or made
+-- LimitReached (429)
    +-- ModerationThrottled (429) too many blocked requests in a short time; wait until `resets_at`
"""

from __future__ import annotations

from nanobananas.accounts.exceptions import LimitReached
from nanobananas.core.exceptions import DomainError

__all__ = ["ContentBlocked", "ModerationThrottled"]


class ContentBlocked(DomainError):
    status_code = 422
    code = "content_blocked"

    def __init__(self, message: str, *, category: str) -> None:
        super().__init__(message)
        self.category = category


class ModerationThrottled(LimitReached):
    code = "moderation_throttled"
