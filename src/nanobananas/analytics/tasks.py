"""Analytics jobs: store one queued event; hourly aggregates, the raw-event purge and the salt destruction."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_task, lock_task

from nanobananas.analytics import feedback, services
from nanobananas.core.periodic import once_per_interval
from nanobananas.registry.jobs import job_register


@db_task()
def store_event(payload: dict[str, Any]) -> None:
    """Safe to run twice: the event's id is chosen when it happens and stored once."""
    services.event_store(payload=payload)


job_register(services.STORE_EVENT_JOB, store_event)


@once_per_interval(crontab(minute="20"))
@lock_task("nanobananas-analytics")
def run_analytics_upkeep() -> None:
    """Hourly: today's and yesterday's aggregates; raw events, error reports, feedback and bug reports past
    their days; salts of finished months."""
    services.aggregates_refresh()
    services.events_purge()
    services.salts_destroy()
    feedback.reports_purge()
