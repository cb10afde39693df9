"""A request this server cannot do (it needs an image-generation provider) gives its image back to the quota;
a guest who runs out is offered sign-up."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from nanobananas.accounts.exceptions import QuotaExceeded
from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan
from nanobananas.accounts.selectors import plan_get, quota_status
from nanobananas.accounts.services import quota_consume, quota_release
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Conversation
from nanobananas.studio.services import message_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def built_in_engine_only(settings: Any) -> None:
    """The embedded default: no image-generation provider, so a photo of a thing cannot be made."""
    settings.NANOBANANAS = {**settings.NANOBANANAS, "IMAGE_PROVIDER": "builtin"}


def _send_and_run(owner: Owner, conversation: Conversation, text: str, capture: object) -> tuple[str, str]:
    with capture(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    assert quota_status(owner=owner).daily_used >= 1
    job_run(job_id=job.id)
    job.refresh_from_db()
    return job.status, job.error_message


def test_a_request_that_needs_a_generative_provider_uses_no_quota(
    conversation: Conversation, guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    status, message = _send_and_run(guest_owner, conversation, "a photo of a cat", django_capture_on_commit_callbacks)
    assert status == "refused"
    assert "needs an image-generation provider" in message
    usage = quota_status(owner=guest_owner)
    assert (usage.daily_used, usage.monthly_used) == (0, 0)


def test_a_design_that_was_made_still_counts(
    conversation: Conversation, guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    status, _ = _send_and_run(guest_owner, conversation, "a poster for a bakery", django_capture_on_commit_callbacks)
    assert status == "done"
    usage = quota_status(owner=guest_owner)
    assert (usage.daily_used, usage.monthly_used) == (1, 1)


def test_the_refund_never_goes_below_zero_or_touches_other_owners(
    guest_owner: Owner, other_guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    quota_consume(owner=other_guest_owner)
    theirs = conversation_create(owner=other_guest_owner)
    status, _ = _send_and_run(other_guest_owner, theirs, "a photo of a dog", django_capture_on_commit_callbacks)
    assert status == "refused"
    assert quota_status(owner=other_guest_owner).daily_used == 1
    quota_release(owner=guest_owner, counted_at=timezone.now())
    assert quota_status(owner=guest_owner).daily_used == 0
    assert quota_status(owner=other_guest_owner).daily_used == 1


def test_a_guest_out_of_images_is_offered_sign_up_with_its_limit(guest_owner: Owner) -> None:
    free = plan_get(code=Plan.FREE).daily_images
    for _ in range(plan_get(code=Plan.GUEST).daily_images):
        quota_consume(owner=guest_owner)
    with pytest.raises(QuotaExceeded) as refused:
        quota_consume(owner=guest_owner)
    assert refused.value.message.endswith(f" Sign up for a free account to make {free} images a day.")


def test_a_signed_in_user_out_of_images_is_not_offered_sign_up(user_owner: Owner) -> None:
    for _ in range(plan_get(code=Plan.FREE).daily_images):
        quota_consume(owner=user_owner)
    with pytest.raises(QuotaExceeded) as refused:
        quota_consume(owner=user_owner)
    assert "Sign up" not in refused.value.message
