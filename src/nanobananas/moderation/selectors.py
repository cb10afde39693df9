"""Reads for content review: the prompt behind a review item, an owner's abuse score, a person's reports."""

from __future__ import annotations

from typing import Any

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.moderation.models import BlockedAttempt, ReviewItem

__all__ = ["abuse_score", "reports_of", "review_item_prompt"]


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


def reports_of(*, owner: Owner) -> list[dict[str, Any]]:
    """The reports the person made, oldest first, with their words, for the data export."""
    reports = ReviewItem.objects.filter(source=ReviewItem.Source.REPORT, reported_by=owner.key).order_by("created_at")
    return [
        {
            "id": str(item.id),
            "image_id": str(item.asset_id) if item.asset_id else None,
            "reason": item.reason if item.sealed_reason else "",
            "status": item.status,
            "reported_at": item.created_at,
            "decided_at": item.decided_at,
        }
        for item in reports
    ]
