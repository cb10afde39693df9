"""Lifecycle jobs: cleanup (sweep + purge) every few minutes, storage integrity daily; data export builds."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_task, lock_task

from nanobananas.core.periodic import once_per_interval
from nanobananas.privacy import export, services
from nanobananas.privacy.models import CleanupRun
from nanobananas.registry.jobs import job_register


@once_per_interval(crontab(minute="*"))
@lock_task("nanobananas-cleanup")
def run_cleanup() -> None:
    """Checks every minute; runs when the configured interval (NANOBANANAS_SWEEP_MINUTES) has passed."""
    latest = CleanupRun.objects.filter(kind=CleanupRun.Kind.PURGE).order_by("-finished_at").first()
    interval = timedelta(minutes=settings.NANOBANANAS["SWEEP_MINUTES"])
    if latest is None or timezone.now() - latest.finished_at >= interval - timedelta(seconds=30):
        services.cleanup_run()


@once_per_interval(crontab(minute="17", hour="3"))
@lock_task("nanobananas-integrity")
def run_integrity_check() -> None:
    services.integrity_check(repair=True)


@db_task()
def build_export(export_id: str) -> None:
    export.export_build(export_id=uuid.UUID(export_id))


job_register(export.BUILD_JOB, build_export)


@once_per_interval(crontab(minute="*/15"))
def rescue_stalled_exports() -> None:
    """A failed, lost or crashed build is enqueued again while builds are left (building twice is harmless:
    the build claims its export); one whose last build died is given up and the operator alerted."""
    export.exports_give_up()
    for export_id in export.exports_stalled():
        build_export(str(export_id))
