"""Queue entry points for the studio: thin, take ids, safe to run twice."""

from __future__ import annotations

import uuid

from huey import crontab
from huey.contrib.djhuey import db_task, lock_task

from nanobananas.accounts.identity import Owner
from nanobananas.core.periodic import once_per_interval
from nanobananas.registry.jobs import job_register
from nanobananas.studio import assets, conversations, jobs


@db_task()
def run_job(job_id: str) -> None:
    jobs.job_run(job_id=uuid.UUID(job_id))


@db_task(retries=6, retry_delay=5 * 60)
def reseal_carried_over_blobs(user_id: int) -> None:
    """After a sign-up with a guest's work: its images' bytes move under the account's key."""
    assets.asset_blobs_reseal(owner=Owner(user_id=user_id))


@once_per_interval(crontab(minute="*/10"))
@lock_task("nanobananas-reseal-carried-over")
def reseal_lost_carry_overs() -> None:
    """Every 10 minutes: a carry-over whose job was lost (queue down, worker gone) is finished."""
    assets.asset_blobs_reseal_all()


job_register(jobs.RUN_JOB, run_job)
job_register(conversations.RESEAL_JOB, reseal_carried_over_blobs)
