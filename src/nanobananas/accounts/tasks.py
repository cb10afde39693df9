"""Account jobs: old login records, expired sessions, old rate-limit counters."""

from __future__ import annotations

from django.core.management import call_command
from huey import crontab

from nanobananas.accounts.services import login_logs_purge, rate_windows_purge
from nanobananas.core.periodic import once_per_interval

LOGIN_LOG_DAYS = 30


@once_per_interval(crontab(minute="17", hour="3"))
def purge_login_logs() -> None:
    """django-axes records older than 30 days go, every night."""
    login_logs_purge(older_than_days=LOGIN_LOG_DAYS)


@once_per_interval(crontab(minute="23", hour="*"))
def purge_expired_sessions() -> None:
    """Database sessions past their expiry go, every hour (Django's `clearsessions`)."""
    call_command("clearsessions")


@once_per_interval(crontab(minute="29", hour="*"))
def purge_rate_windows() -> None:
    """Rate-limit counters (and guest address days) whose window has ended go, every hour."""
    rate_windows_purge()
