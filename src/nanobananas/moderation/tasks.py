"""Scheduled content review work: blocked-attempt records expire after a year, address counts when they
leave the throttle window, decided review items after NANOBANANAS_REVIEW_RETENTION_DAYS."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import lock_task

from nanobananas.core.periodic import once_per_interval
from nanobananas.moderation.services import blocked_addresses_purge, blocked_attempts_purge, review_items_purge


@once_per_interval(crontab(minute="17", hour="4"))
@lock_task("nanobananas-blocked-attempts-purge")
def purge_old_blocked_attempts() -> None:
    blocked_attempts_purge()


@once_per_interval(crontab(minute="*/5"))
@lock_task("nanobananas-blocked-addresses-purge")
def purge_old_blocked_addresses() -> None:
    blocked_addresses_purge()


@once_per_interval(crontab(minute="37", hour="4"))
@lock_task("nanobananas-review-items-purge")
def purge_old_review_items() -> None:
    review_items_purge()
