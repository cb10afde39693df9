"""Policy jobs: the notice email of a newly published version (thin; the service is idempotent)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from nanobananas.policies.services import policy_notices_send


@db_task(retries=3, retry_delay=60)
def send_policy_notices(document_id: int, link_base: str = "") -> None:
    """Mail every active user about a published version; users already mailed are skipped."""
    policy_notices_send(document_id=document_id, link_base=link_base)
