"""What the studio's endpoints answer: signed links to image bytes and the output schemas of assets, messages
and jobs, shared by the studio, tools, video and history endpoints."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.utils.crypto import constant_time_compare, salted_hmac

from nanobananas.core.exceptions import DomainError, NotFound
from nanobananas.providers.labels import made_with
from nanobananas.studio.models import Asset, Job, Lifecycle, Message
from nanobananas.studio.schemas import AssetOut, DeletedImageOut, JobOut, MessageOut

__all__ = [
    "ASSET_URL_SALT",
    "LinkExpired",
    "asset_content_url",
    "asset_from_token",
    "asset_out",
    "job_out",
    "live_assets",
    "message_out",
]

ASSET_URL_SALT = "nanobananas.asset-content"


def _owner_tag(asset: Asset) -> str:
    """The owner in a link, opaque: a keyed hash of the owner's key, so the link's readable payload names no
    account or guest, yet stops matching when the image changes owner."""
    owner_key = f"u{asset.owner_user_id}" if asset.owner_user_id is not None else f"g{asset.owner_guest_id}"
    return salted_hmac(ASSET_URL_SALT, owner_key, algorithm="sha256").hexdigest()[:24]


def asset_content_url(asset: Asset) -> str:
    """A link to the image bytes, signed for this image and its owner, valid for
    NANOBANANAS_ASSET_URL_SECONDS: it works in an <img> without a session, and stops working when it
    expires, when the image is deleted or when it changes owner."""
    token = signing.dumps([str(asset.id), _owner_tag(asset)], salt=ASSET_URL_SALT)
    return f"/api/v1/assets/{asset.id}/content?token={token}"


def asset_from_token(asset_id: uuid.UUID, token: str) -> Asset:
    try:
        signed_id, owner_tag = signing.loads(
            token, salt=ASSET_URL_SALT, max_age=settings.NANOBANANAS["ASSET_URL_SECONDS"]
        )
    except signing.SignatureExpired:
        raise LinkExpired("This image link has expired; reload the page for a fresh one.") from None
    except (signing.BadSignature, ValueError):
        raise NotFound("No image with this id.") from None
    asset = Asset.objects.filter(id=asset_id, state=Lifecycle.ACTIVE, conversation__state=Lifecycle.ACTIVE).first()
    if asset is None or signed_id != str(asset_id) or not constant_time_compare(_owner_tag(asset), owner_tag):
        raise NotFound("No image with this id.")
    return asset


class LinkExpired(DomainError):
    status_code = 410
    code = "link_expired"


def asset_out(asset: Asset) -> AssetOut:
    return AssetOut(
        id=asset.id,
        kind=asset.kind,
        number=asset.number,
        label={"result": "Version", "video": "Video"}.get(asset.kind, "Picture") + f" {asset.number}",
        operation=asset.operation,
        parent_id=asset.parent_id,
        inputs=[uuid.UUID(str(i)) for i in asset.inputs],
        plan=asset.plan,
        steps=asset.steps,
        duration_ms=asset.duration_ms,
        original_name=asset.original_name,
        content_type=asset.content_type,
        width=asset.width,
        height=asset.height,
        byte_size=asset.byte_size,
        sha256=asset.sha256,
        provider=asset.provider,
        model=asset.model,
        made_with=made_with(asset.provider, asset.model),
        sent_to_provider=asset.sent,
        created_at=asset.created_at,
        expires_at=asset.expires_at,
        content_url=asset_content_url(asset),
    )


def message_out(message: Message, deleted: list[DeletedImageOut] | None = None) -> MessageOut:
    """`message.assets` must hold live images only (prefetch them with live_assets())."""
    return MessageOut(
        id=message.id,
        role=message.role,
        text=message.text,
        created_at=message.created_at,
        expires_at=message.expires_at,
        assets=[asset_out(a) for a in message.assets.all()],
        deleted_images=deleted or [],
    )


def live_assets() -> Prefetch:
    return Prefetch("assets", queryset=Asset.objects.filter(state=Lifecycle.ACTIVE).order_by("created_at"))


def job_out(job: Job) -> JobOut:
    return JobOut(
        id=job.id,
        conversation_id=job.conversation_id,
        request_id=job.request_id,
        result_id=job.result_id,
        reply_message_id=job.result_id,
        status=job.status,
        progress=job.progress,
        stage=job.stage,
        error_code=job.error_code,
        error_message=job.error_message,
        provider=job.provider,
        queued_at=job.queued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        events_url=f"/api/v1/jobs/{job.id}/events",
    )
