"""HTTP details the cloud providers share: how long to wait before a retry, and URLs safe to show."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC
from urllib.parse import urlsplit, urlunsplit

__all__ = ["MAX_BACKOFF_SECONDS", "MAX_RETRY_AFTER_SECONDS", "public_url", "retry_after_seconds", "retry_delay"]

MAX_RETRY_AFTER_SECONDS = 60.0
"""A service asking for a longer wait than this ends the tries: waiting here is worse than failing now."""
MAX_BACKOFF_SECONDS = 30.0


def retry_delay(
    attempt: int,
    *,
    retry_after: float | None,
    base_seconds: float,
    jitter: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number `attempt` (0 for the first retry).

    The server's Retry-After wins when it gives one (capped at a minute); otherwise exponential
    backoff, base * 2**attempt plus up to one base of jitter so that many workers do not retry in step.
    """
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, MAX_RETRY_AFTER_SECONDS)
    return min(base_seconds * (2**attempt) + base_seconds * jitter(), MAX_BACKOFF_SECONDS)


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
