"""What the studio stores about a person (conversations, their messages and jobs, images and videos), for the
registry."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import F

from nanobananas.accounts.identity import Owner
from nanobananas.registry.personal_data import (
    AccountClosing,
    Blobs,
    CarryOver,
    Deletion,
    Exporter,
    Link,
    PersonalData,
    reference,
    register,
)
from nanobananas.studio.conversations import conversations_transfer_owner
from nanobananas.studio.data_export import studio_export, studio_export_count, studio_recipients
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message

__all__ = ["studio_close", "studio_retention_changed", "studio_transfer"]


def studio_close(closing: AccountClosing) -> dict[str, int]:
    """Queue every live image, upload, message and conversation of the user (hidden at once, purged next),
    except what a legal hold covers; unfinished jobs stop, so nothing new is made for a closed account."""
    user_id = closing.user_id
    queued = {"state": Lifecycle.QUEUED, "queued_at": closing.now, "deletion_reason": "user_request"}
    active = {"state": Lifecycle.ACTIVE}
    counts = {
        "images": closing.unheld(Asset.objects.filter(owner_user_id=user_id, **active), "asset").update(**queued),
        "messages": closing.unheld(
            Message.objects.filter(conversation__owner_user_id=user_id, **active), "message"
        ).update(**queued),
        "conversations": closing.unheld(
            Conversation.objects.filter(owner_user_id=user_id, **active), "conversation"
        ).update(**queued),
    }
    # A running job's result is thrown away when it finds its job no longer running (outcomes.outcome_store).
    counts["jobs_stopped"] = Job.objects.filter(
        conversation__owner_user_id=user_id, status__in=(Job.Status.QUEUED, Job.Status.RUNNING)
    ).update(
        status=Job.Status.FAILED,
        error_code="account_deleted",
        sealed_error_message="",  # no message: the error code says it, and the text would need the shredded key
        stage="Stopped",
        finished_at=closing.now,
    )
    return counts


def studio_retention_changed(user_id: int, hours: int) -> None:
    """Live images of the account now expire `hours` after they were made (the retention sweep does the rest)."""
    Asset.objects.filter(owner_user_id=user_id, state=Lifecycle.ACTIVE).update(
        expires_at=F("created_at") + timedelta(hours=hours)
    )


def studio_transfer(guest_id: uuid.UUID, user_id: int) -> None:
    conversations_transfer_owner(source=Owner(guest_id=guest_id), target=Owner(user_id=user_id))


_GUEST_SWEEP = "the sweep queues a guest's work after 24 h"

register(
    PersonalData(
        app_label="studio",
        close=studio_close,
        transfer=studio_transfer,
        retention_changed=studio_retention_changed,
        export=Exporter(files=studio_export, count=studio_export_count, recipients=studio_recipients),
        blobs=(Blobs(model="studio.Asset", name_field="blob_name", user_field="owner_user"),),
        references=(
            reference("studio.Conversation.owner_user", Link.USER, Deletion.QUEUED,
                      "with its messages and jobs; legal holds apply",
                      exported="conversations/<id>.json (with its live messages and jobs)", sealed=True),
            reference("studio.Conversation.owner_guest", Link.GUEST, Deletion.QUEUED, _GUEST_SWEEP,
                      carry_over=CarryOver.TRANSFER, sealed=True),
            reference("studio.Asset.owner_user", Link.USER, Deletion.QUEUED,
                      "images, uploads and videos, blobs through the pending-blob queue",
                      exported="images/<conversation id>/ (videos as video-<n>.mp4/.gif/.webp; and the images of "
                               "conversations/<id>.json)", sealed=True),
            reference("studio.Asset.owner_guest", Link.GUEST, Deletion.QUEUED, _GUEST_SWEEP,
                      carry_over=CarryOver.TRANSFER, sealed=True),
        ),
    )
)  # fmt: skip
