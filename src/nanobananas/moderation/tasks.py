"""Scheduled content review work: blocked-attempt records expire after a year."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from nanobananas.moderation.services import blocked_attempts_purge


@db_periodic_task(crontab(minute="17", hour="4"))
@lock_task("nanobananas-blocked-attempts-purge")
def purge_old_blocked_attempts() -> None:
    blocked_attempts_purge()
