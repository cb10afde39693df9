"""Privacy errors, on top of the shared trees in `core.exceptions` and `accounts.exceptions`.

DomainError
+-- LinkExpired (410)           a download link is invalid, past its time, or its archive is gone
+-- LimitReached (429)
    +-- ExportLimited (429)     one data export per user per 24 h; `resets_at` says when the next is allowed
"""

from __future__ import annotations

from nanobananas.accounts.exceptions import LimitReached
from nanobananas.core.exceptions import DomainError

__all__ = ["ExportLimited", "LinkExpired"]


class LinkExpired(DomainError):
    status_code = 410
    code = "link_expired"


class ExportLimited(LimitReached):
    code = "export_limited"
