"""Policy jobs: the notice email of a newly published version (thin; the service is idempotent)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from nanobananas.policies.services import NOTICES_JOB, policy_notices_send
from nanobananas.registry.jobs import job_register


class NoticesIncomplete(Exception):
    """Some notice emails failed; raising makes huey run the job again later (users already mailed are skipped)."""


@db_task(retries=5, retry_delay=300)
def send_policy_notices(document_id: int, link_base: str = "") -> None:
    """Mail every active user about a published version; users already mailed are skipped."""
    run = policy_notices_send(document_id=document_id, link_base=link_base)
    if run.failed:
        raise NoticesIncomplete(f"{run.failed} notice email(s) of policy {document_id} failed; {run.sent} sent")


job_register(NOTICES_JOB, send_policy_notices)
