"""Scheduled audit work: purge events past their retention, keeping the chain verifiable."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import lock_task

from nanobananas.audit.services import audit_purge
from nanobananas.core.periodic import once_per_interval


@once_per_interval(crontab(minute="41", hour="3"))
@lock_task("nanobananas-audit-purge")
def purge_old_audit_events() -> None:
    audit_purge()
