"""Reads for content review: the prompt behind a review item, an owner's abuse score."""

from __future__ import annotations

from typing import Any

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.moderation.models import BlockedAttempt, ReviewItem

__all__ = ["abuse_score", "review_item_prompt"]


def review_item_prompt(*, item: ReviewItem) -> Any:
    """The user's message that led to the item: the job's request for a result, else the item's message."""
    from nanobananas.studio.models import Job, Message

    messages = Message.objects.select_related("conversation")
    if item.job_id is not None:
        request_id = Job.objects.filter(id=item.job_id).values_list("request_id", flat=True).first()
        if request_id is not None:
            return messages.filter(id=request_id).first()
    return messages.filter(id=item.message_id).first() if item.message_id else None


def abuse_score(*, owner: Owner) -> int:
    """How many of the owner's requests were blocked (all that are kept)."""
    return BlockedAttempt.objects.filter(owner_filter(owner)).count()
