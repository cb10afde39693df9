"""Account errors, on top of the shared tree in `core.exceptions`.

DomainError
+-- QuotaExceeded (429)     the owner's plan allows no more of this kind until `resets_at`
"""

from __future__ import annotations

from datetime import datetime

from nanobananas.core.exceptions import DomainError

__all__ = ["QuotaExceeded"]


class QuotaExceeded(DomainError):
    status_code = 429
    code = "quota_exceeded"

    def __init__(self, message: str, *, resets_at: datetime) -> None:
        super().__init__(message)
        self.resets_at = resets_at
