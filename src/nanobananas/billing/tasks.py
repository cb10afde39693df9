"""Billing jobs: test-mode subscriptions expire; a deleted account's records end at the payment provider."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_task

from nanobananas.billing.services import ERASURE_JOB, payment_data_erase, payment_erasures_retry, subscriptions_expire
from nanobananas.core.periodic import once_per_interval
from nanobananas.registry.jobs import job_register


@once_per_interval(crontab(minute="41"))
def expire_subscriptions() -> None:
    subscriptions_expire()


@db_task(retries=12, retry_delay=30 * 60)
def erase_closed_account_payments(user_id: int) -> None:
    """A deleted account's subscriptions are canceled, then its customers deleted; retried for 6 hours."""
    payment_data_erase(user_id=user_id)


job_register(ERASURE_JOB, erase_closed_account_payments)


@once_per_interval(crontab(minute="53", hour="*/6"))
def retry_payment_erasures() -> None:
    """Every 6 hours: what the job could not finish is tried again, and old done records go."""
    payment_erasures_retry()
