"""Scheduled billing work: test-mode subscriptions past their period end expire."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from nanobananas.billing.services import subscriptions_expire


@db_periodic_task(crontab(minute="41"))
def expire_subscriptions() -> None:
    subscriptions_expire()
