"""HTTP details the cloud providers share: the wait a service asks for (Retry-After), and URLs safe to show."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from datetime import UTC
from urllib.parse import urlsplit, urlunsplit

__all__ = ["public_url", "retry_after_seconds"]


def public_url(url: str) -> str:
    """`url` without credentials or query, for listings and logs (a proxy URL may carry a password)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from `retry-after-ms` or `retry-after` (a number or an HTTP date), None when absent or bad."""
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / divisor)
        except ValueError:
            pass
        if name == "retry-after":
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:  # "-0000": a date in UTC with no stated zone
                when = when.replace(tzinfo=UTC)
            return max(0.0, when.timestamp() - time.time())
    return None
