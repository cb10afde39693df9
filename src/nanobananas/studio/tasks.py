"""Queue entry points for the studio: thin, take ids, safe to run twice."""

from __future__ import annotations

import uuid

from huey.contrib.djhuey import db_task

from nanobananas.studio import services


@db_task()
def run_job(job_id: str) -> None:
    services.job_run(job_id=uuid.UUID(job_id))
