"""Writes for conversations and their messages: create, delete (queued), carry over to a new owner; the rows of a
turn (a message, the next image number)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import InvalidInput
from nanobananas.core.text import clean_text
from nanobananas.privacy.retention import retention_deadline, text_deadline
from nanobananas.registry.jobs import job_enqueue_on_commit
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.owners import actor_of, owner_fields
from nanobananas.studio.selectors import conversation_get
from nanobananas.vault.fields import sealed_columns_for

__all__ = [
    "RESEAL_JOB",
    "asset_number_next",
    "conversation_create",
    "conversation_delete",
    "conversations_transfer_owner",
    "message_create",
    "rows_queue_for_deletion",
]

# The job (studio/tasks.py) that moves a carried-over guest's bytes under the account's key, by this name.
RESEAL_JOB = "studio.reseal_carried_over_blobs"


def message_create(conversation: Conversation, role: str, text: str, *, expires_at: datetime) -> Message:
    message = Message(conversation=conversation, role=role, expires_at=expires_at)
    message.text = text  # sealed with the conversation owner's key
    message.save(force_insert=True)
    return message


def asset_number_next(conversation: Conversation, kind: str) -> int:
    current = Asset.objects.filter(conversation=conversation, kind=kind).aggregate(top=Max("number"))["top"]
    return int(current or 0) + 1


def conversation_create(*, owner: Owner, title: str = "") -> Conversation:
    title = clean_text(title)
    if len(title) > 200:
        raise InvalidInput("A title can be at most 200 characters.", code="title_too_long")
    conversation = Conversation(expires_at=text_deadline(owner=owner, created_at=timezone.now()), **owner_fields(owner))
    conversation.title = title  # sealed for the owner
    conversation.save(force_insert=True)
    return conversation


def rows_queue_for_deletion(queryset: Any, *, reason: str) -> int:
    return int(
        queryset.filter(state=Lifecycle.ACTIVE).update(
            state=Lifecycle.QUEUED, queued_at=timezone.now(), deletion_reason=reason
        )
    )


def conversation_delete(*, owner: Owner, conversation_id: uuid.UUID) -> None:
    """Queue a conversation with all its text and images for deletion: hidden at once, purged next."""
    with transaction.atomic():
        conversation = conversation_get(owner=owner, conversation_id=conversation_id)
        audit_record(
            kind="deletion.requested", actor=actor_of(owner), owner_key=owner.key,
            target_type="conversation", target_id=str(conversation.id),
        )  # fmt: skip
        rows_queue_for_deletion(Asset.objects.filter(conversation=conversation), reason="user_request")
        rows_queue_for_deletion(Message.objects.filter(conversation=conversation), reason="user_request")
        rows_queue_for_deletion(Conversation.objects.filter(id=conversation.id), reason="user_request")


def conversations_transfer_owner(*, source: Owner, target: Owner) -> int:
    """Give everything `source` made to `target` (a guest signing up): rows change owner, text is sealed
    again under the new owner's key and expiry follows the new owner's tier, all in the caller's
    transaction and without touching storage, so a sign-up that fails moves nothing and writes nothing.
    The bytes follow after commit (`RESEAL_JOB`, `asset_blobs_reseal`): until then each image still names
    its blob under the guest's key, which the guest purge keeps while any row names it. Returns how many
    conversations moved."""
    if source == target:
        return 0
    with transaction.atomic():
        conversation_ids = list(
            Conversation.objects.select_for_update().filter(owner_filter(source)).values_list("id", flat=True)
        )
        count = len(conversation_ids)
        for asset in Asset.objects.select_for_update().filter(owner_filter(source)).iterator():
            Asset.objects.filter(id=asset.id).update(
                expires_at=retention_deadline(owner=target, created_at=asset.created_at),
                **sealed_columns_for(asset, owner_key=target.key),
                **owner_fields(target),
            )
        # Text is sealed for its owner: open it with the guest's key, seal it again with the account's.
        for message in Message.objects.filter(conversation_id__in=conversation_ids).select_related("conversation"):
            Message.objects.filter(id=message.id).update(
                expires_at=text_deadline(owner=target, created_at=message.created_at),
                **sealed_columns_for(message, owner_key=target.key),
            )
        for job in Job.objects.filter(conversation_id__in=conversation_ids).select_related("conversation"):
            if sealed := sealed_columns_for(job, owner_key=target.key):
                Job.objects.filter(id=job.id).update(**sealed)
        for conversation in Conversation.objects.filter(id__in=conversation_ids):
            Conversation.objects.filter(id=conversation.id).update(
                expires_at=text_deadline(owner=target, created_at=conversation.updated_at),
                **sealed_columns_for(conversation, owner_key=target.key),
                **owner_fields(target),
            )
        audit_record(
            kind="owner.transferred", actor=actor_of(target), owner_key=target.key,
            target_type="owner", target_id=source.key, details={"conversations": count},
        )  # fmt: skip
        if count and target.user_id is not None:
            job_enqueue_on_commit(RESEAL_JOB, target.user_id)
    return count
