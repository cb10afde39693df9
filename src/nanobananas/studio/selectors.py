"""Reads for the studio. Every read is scoped to an owner and to live rows: someone else's id, or
anything queued for deletion, is simply not found."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.core.exceptions import NotFound
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle

__all__ = ["asset_get", "conversation_get", "conversation_list", "job_get"]


def conversation_list(*, owner: Owner | None) -> QuerySet[Conversation]:
    if owner is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(owner_filter(owner), state=Lifecycle.ACTIVE).order_by(
        "-updated_at", "-created_at"
    )


def conversation_get(*, owner: Owner | None, conversation_id: uuid.UUID) -> Conversation:
    found = conversation_list(owner=owner).filter(id=conversation_id).first()
    if found is None:
        raise NotFound("No conversation with this id.")
    return found


def job_get(*, owner: Owner | None, job_id: uuid.UUID) -> Job:
    if owner is not None:
        found = Job.objects.filter(
            owner_filter(owner, "conversation__"), conversation__state=Lifecycle.ACTIVE, id=job_id
        ).first()
        if found is not None:
            return found
    raise NotFound("No job with this id.")


def asset_get(*, owner: Owner | None, asset_id: uuid.UUID) -> Asset:
    if owner is not None:
        found = Asset.objects.filter(
            owner_filter(owner), id=asset_id, state=Lifecycle.ACTIVE, conversation__state=Lifecycle.ACTIVE
        ).first()
        if found is not None:
            return found
    raise NotFound("No image with this id.")
