"""Writes for single images: deletion (queued), and moving a carried-over guest's bytes under the account's key."""

from __future__ import annotations

import uuid

from django.core.files.storage import default_storage
from django.db import transaction

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.audit.services import audit_record
from nanobananas.registry.personal_data import GUEST_BLOB_NAME
from nanobananas.studio.blobs import blob_write, blobs_delete_on_commit
from nanobananas.studio.conversations import rows_queue_for_deletion
from nanobananas.studio.models import Asset
from nanobananas.studio.owners import actor_of
from nanobananas.studio.selectors import asset_get

__all__ = [
    "asset_blobs_reseal",
    "asset_blobs_reseal_all",
    "asset_delete",
]


def _resealed_name(blob_name: str, owner: Owner) -> str:
    kind, _, filename = blob_name.rsplit("/", 2)
    return f"{kind}/{owner.key}/{filename}"


def asset_blobs_reseal(*, owner: Owner) -> int:
    """Rewrite under `owner`'s key the bytes of their images still sealed under an earlier owner's (a
    guest's work carried over at sign-up). One image at a time: the bytes are written first under the
    new name, then the row is switched in a short transaction that checks it still names the old blob, and
    the old bytes go after that commits (a row that changed meanwhile keeps its blob and the copy goes).
    Safe to stop anywhere and to run again: every row names readable bytes at every moment, and a copy
    left by a run that stopped is replaced. Returns how many images were moved."""
    moved = 0
    pending = Asset.objects.filter(owner_filter(owner)).exclude(blob_name="")
    pending = pending.exclude(blob_name__contains=f"/{owner.key}/")
    for asset_id, old_name in list(pending.values_list("id", "blob_name")):
        with default_storage.open(old_name, "rb") as handle:
            new_name = blob_write(_resealed_name(old_name, owner), handle.read())
        with transaction.atomic():
            switched = Asset.objects.filter(id=asset_id, blob_name=old_name).update(blob_name=new_name)
            if switched:
                blobs_delete_on_commit([old_name])
        if not switched:
            default_storage.delete(new_name)
        moved += switched
    return moved


def asset_blobs_reseal_all(*, limit: int = 500) -> int:
    """The periodic pass: finish every carry-over whose job was lost (the queue was down, a worker died)."""
    pending = Asset.objects.filter(owner_user__isnull=False, blob_name__regex=GUEST_BLOB_NAME)
    moved = 0
    for user_id in pending.order_by().values_list("owner_user_id", flat=True).distinct()[:limit]:
        moved += asset_blobs_reseal(owner=Owner(user_id=user_id))
    return moved


def asset_delete(*, owner: Owner, asset_id: uuid.UUID) -> None:
    """Queue one image for deletion: hidden at once, purged next; versions made from it keep their pixels."""
    with transaction.atomic():
        asset = asset_get(owner=owner, asset_id=asset_id)
        audit_record(
            kind="deletion.requested", actor=actor_of(owner), owner_key=owner.key,
            target_type="image", target_id=str(asset.id), details={"sha256": asset.sha256},
        )  # fmt: skip
        rows_queue_for_deletion(Asset.objects.filter(id=asset.id), reason="user_request")
