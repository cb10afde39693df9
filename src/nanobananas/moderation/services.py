"""Writes for content review: blocked attempts and the throttle, the review queue and its staff
actions, evidence (legal hold, audited views, release), user reports, known images, suspension.

The studio calls `turn_screen` before it stores a turn, `result_screen` before it stores a result and
`provider_refusal_review` when a provider refuses. Audit records name categories, rules and ids,
never prompt text or pixels.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import Conflict, InvalidInput, NotFound
from nanobananas.core.text import clean_text
from nanobananas.moderation.exceptions import ContentBlocked, ModerationThrottled
from nanobananas.moderation.imagehash import fingerprint
from nanobananas.moderation.models import (
    BlockedAddress,
    BlockedAttempt,
    Evidence,
    EvidenceAccess,
    KnownImage,
    ReviewItem,
)
from nanobananas.moderation.review import review_image, review_text, verdict_from_provider_refusal
from nanobananas.moderation.verdict import CATEGORIES, Verdict, category_label
from nanobananas.privacy.models import DeletionReceipt
from nanobananas.providers.base import ProviderRefused

__all__ = [
    "EVIDENCE_KEY",
    "EvidenceContent",
    "ResultReview",
    "TurnReview",
    "account_suspend",
    "blocked_addresses_purge",
    "blocked_attempt_record",
    "blocked_attempts_purge",
    "blocked_message",
    "evidence_release",
    "evidence_view",
    "known_image_add",
    "moderation_gate",
    "provider_refusal_review",
    "report_create",
    "result_screen",
    "review_item_allow",
    "review_item_create",
    "review_item_escalate",
    "review_item_remove",
    "review_items_erase",
    "review_items_purge",
    "turn_screen",
]

# Evidence text is sealed with this deployment-wide data key, not the owner's, so destroying the
# owner's key (account deletion, guest expiry) leaves evidence readable.
EVIDENCE_KEY = Evidence.sealing_key
REPORT_REASON_MIN = 3
REPORT_REASON_MAX = 1000
# Blocked-attempt records (the abuse score) are kept this long, then deleted by a daily job.
BLOCKED_ATTEMPT_RETENTION_DAYS = 365
WHY_MIN = 10
WHY_MAX = 500

logger = logging.getLogger(__name__)


def _fields(owner: Owner) -> dict[str, Any]:
    return {"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id}


def _actor(owner: Owner) -> str:
    return f"user:{owner.user_id}" if owner.user_id is not None else f"guest:{owner.guest_id}"


def _owner_of(row: Any) -> Owner:
    if row.owner_user_id is not None:
        return Owner(user_id=row.owner_user_id)
    return Owner(guest_id=row.owner_guest_id)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def blocked_message(verdict: Verdict, *, reference: str) -> str:
    """What the user reads: the category, that nothing was kept, and how to ask for a second look."""
    contact = settings.NANOBANANAS.get("MODERATION_APPEAL_CONTACT") or "the staff of this site"
    return (
        f"This request can't be done: it looks like {category_label(verdict.category)}, which this site "
        f"does not allow. Nothing was made or saved. If we got this wrong, ask {contact} to review it "
        f"and quote reference {reference}."
    )


def _throttle_window() -> timedelta:
    return timedelta(minutes=int(settings.NANOBANANAS["MODERATION_THROTTLE_MINUTES"]))


def moderation_gate(*, owner: Owner, address_key: str | None = None) -> None:
    """Refuse (429) an owner, or a network address, whose requests were blocked
    NANOBANANAS_MODERATION_THROTTLE_BLOCKS times within NANOBANANAS_MODERATION_THROTTLE_MINUTES, until
    the oldest of those blocks leaves the window. The address counts too (`address_key`, its keyed-hash
    pseudonym from `request_address_key`), so a guest who drops the session cookie stays paused."""
    limit = int(settings.NANOBANANAS["MODERATION_THROTTLE_BLOCKS"])
    window = _throttle_window()
    if limit <= 0:
        return
    since = timezone.now() - window
    series: list[QuerySet[Any]] = [BlockedAttempt.objects.filter(owner_filter(owner), at__gt=since)]
    if address_key:
        series.append(BlockedAddress.objects.filter(address_key=address_key, at__gt=since))
    oldest: list[datetime] = []
    for rows in series:
        recent: list[datetime] = list(rows.order_by("-at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            oldest.append(recent[-1])
    if oldest:
        resets_at = max(oldest) + window
        raise ModerationThrottled(
            f"Several recent requests could not be done because of this site's content rules, so new "
            f"requests are paused until {resets_at:%H:%M} UTC. If you think this is a mistake, contact "
            f"{settings.NANOBANANAS.get('MODERATION_APPEAL_CONTACT') or 'the staff of this site'}.",
            resets_at=resets_at,
        )


def blocked_attempt_record(
    *, owner: Owner, stage: str, verdict: Verdict, job_id: uuid.UUID | None = None, address_key: str | None = None
) -> BlockedAttempt:
    """Count a blocked request toward the owner's abuse score (and, with the request's address pseudonym,
    toward that address's throttle) and write it to the audit log."""
    with transaction.atomic():
        attempt = BlockedAttempt.objects.create(
            at=timezone.now(), stage=stage, category=verdict.category, verdict=verdict.as_dict(), **_fields(owner)
        )
        if address_key:
            BlockedAddress.objects.create(address_key=address_key, at=attempt.at)
        audit_record(
            kind="moderation.blocked",
            actor=_actor(owner),
            owner_key=owner.key,
            target_type="job" if job_id else "request",
            target_id=str(job_id or attempt.id),
            details={"attempt": attempt.id, "stage": stage, "review": verdict.as_dict()},
        )
    return attempt


def blocked_addresses_purge(*, now: datetime | None = None) -> int:
    """Delete the address counts that have left the throttle window; returns how many went."""
    deleted, _ = BlockedAddress.objects.filter(at__lte=(now or timezone.now()) - _throttle_window()).delete()
    return deleted


def blocked_attempts_purge(*, now: datetime | None = None) -> int:
    """Delete blocked-attempt records older than BLOCKED_ATTEMPT_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=BLOCKED_ATTEMPT_RETENTION_DAYS)
    deleted, _ = BlockedAttempt.objects.filter(at__lt=cutoff).delete()
    return deleted


def _unheld_review_items(items: QuerySet[ReviewItem]) -> QuerySet[ReviewItem]:
    """Leave out items under an active legal hold (on the image, the conversation or the owner) and items
    whose evidence has not been released."""
    from nanobananas.privacy.models import LegalHold

    holds = LegalHold.objects.filter(released_at__isnull=True)
    held = (
        Q(Exists(holds.filter(asset_id=OuterRef("asset_id"))))
        | Q(Exists(holds.filter(conversation_id=OuterRef("conversation_id"))))
        | Q(Exists(holds.filter(owner_user_id=OuterRef("owner_user_id"))))
        | Q(Exists(holds.filter(owner_guest_id=OuterRef("owner_guest_id"))))
        | Q(Exists(Evidence.objects.filter(review_item_id=OuterRef("pk"), released_at__isnull=True)))
    )
    return items.exclude(held)


def review_items_purge(*, now: datetime | None = None) -> int:
    """Delete decided review items older than NANOBANANAS_REVIEW_RETENTION_DAYS (by decision time) that
    no legal hold or unreleased evidence keeps; open items stay. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=int(settings.NANOBANANAS["REVIEW_RETENTION_DAYS"]))
    decided = ReviewItem.objects.exclude(status=ReviewItem.Status.OPEN).filter(decided_at__lt=cutoff)
    with transaction.atomic():
        ids = list(_unheld_review_items(decided).values_list("id", flat=True))
        deleted, _ = ReviewItem.objects.filter(id__in=ids).delete()
        if deleted:
            audit_record(
                kind="moderation.review_items_purged", actor="system", target_type="review_item",
                details={"count": deleted, "decided_before": cutoff.isoformat()},
            )  # fmt: skip
    return deleted


def review_items_erase(*, owner: Owner) -> dict[str, int]:
    """At account deletion (in its transaction): of the review items the person owns or reported, open
    ones go (what they point at is being deleted), decided ones keep only what the decision needs (the
    decision, its time, category and rule ids, and the SHA-256 of the reporter's words); items under a
    legal hold or unreleased evidence stay whole. Returns how many were deleted and redacted."""
    mine = ReviewItem.objects.filter(owner_filter(owner)) | ReviewItem.objects.filter(reported_by=owner.key)
    free = _unheld_review_items(mine)
    deleted, _ = free.filter(status=ReviewItem.Status.OPEN).delete()
    redacted = 0
    for item in free.exclude(status=ReviewItem.Status.OPEN).iterator():
        reason = item.reason if item.sealed_reason else ""
        rules = [check["rule"] for check in item.verdict.get("checks", []) if check.get("rule")]
        ReviewItem.objects.filter(id=item.id).update(
            sealed_reason="", reason_sha256=_sha256(reason) if reason else item.reason_sha256,
            verdict={"action": item.verdict.get("action", ""), "rules": rules},
            conversation_id=None, message_id=None, job_id=None,
        )  # fmt: skip
        redacted += 1
    return {"review_items_deleted": deleted, "review_items_redacted": redacted}


def review_item_create(
    *,
    owner: Owner,
    source: str,
    verdict: Verdict | None = None,
    stage: str = "",
    conversation_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    asset_id: uuid.UUID | None = None,
    job_id: uuid.UUID | None = None,
    reason: str = "",
    reported_by: str = "",
) -> ReviewItem:
    """Put an item in the staff review queue (in the caller's transaction)."""
    verdict = verdict or Verdict()
    item = ReviewItem(
        source=source,
        stage=stage,
        category=verdict.category or ("reported" if source == ReviewItem.Source.REPORT else ""),
        categories=verdict.categories,
        score=verdict.score,
        verdict=verdict.as_dict(),
        reported_by=reported_by,
        conversation_id=conversation_id,
        message_id=message_id,
        asset_id=asset_id,
        job_id=job_id,
        created_at=timezone.now(),
        **_fields(owner),
    )
    item.reason = reason  # sealed with the reporter's key, so set once the row knows the reporter
    item.save(force_insert=True)
    audit_record(
        kind="moderation.reported" if source == ReviewItem.Source.REPORT else "moderation.flagged",
        actor=_actor(owner) if source == ReviewItem.Source.REPORT else "system",
        owner_key=owner.key,
        target_type="review_item",
        target_id=str(item.id),
        details={"stage": stage, "asset": str(asset_id or ""), "message_id": str(message_id or ""),
                 "review": verdict.as_dict()},
    )  # fmt: skip
    return item


@dataclass
class TurnReview:
    """The verdicts on one turn (its text and each uploaded picture), allowed or flagged."""

    owner: Owner
    text: Verdict
    uploads: list[Verdict] = field(default_factory=list)

    def audit_details(self) -> dict[str, Any]:
        return {"text_verdict": self.text.as_dict(), "upload_verdicts": [v.as_dict() for v in self.uploads]}

    def queue(
        self,
        *,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        upload_ids: list[uuid.UUID],
        job_id: uuid.UUID | None,
    ) -> list[ReviewItem]:
        """Once the turn is stored: flagged parts enter the review queue (call inside its transaction)."""
        items = []
        if self.text.flagged:
            items.append(review_item_create(
                owner=self.owner, source=ReviewItem.Source.AUTOMATIC, verdict=self.text, stage="prompt",
                conversation_id=conversation_id, message_id=message_id, job_id=job_id,
            ))  # fmt: skip
        for verdict, asset_id in zip(self.uploads, upload_ids, strict=False):
            if verdict.flagged:
                items.append(review_item_create(
                    owner=self.owner, source=ReviewItem.Source.AUTOMATIC, verdict=verdict, stage="upload",
                    conversation_id=conversation_id, message_id=message_id, asset_id=asset_id,
                ))  # fmt: skip
        return items


def turn_screen(
    *, owner: Owner, text: str, images: list[Image.Image], address_key: str | None = None
) -> TurnReview:
    """Before a turn is stored: the throttle, then the text and every picture. A block is recorded
    (abuse score, audit) and raised as ContentBlocked; nothing of the turn is stored."""
    moderation_gate(owner=owner, address_key=address_key)
    text_verdict = review_text(text, owner=owner)
    upload_verdicts = [review_image(image, owner=owner) for image in images]
    for stage, verdict in [("prompt", text_verdict), *(("upload", v) for v in upload_verdicts)]:
        if verdict.blocked:
            attempt = blocked_attempt_record(owner=owner, stage=stage, verdict=verdict, address_key=address_key)
            raise ContentBlocked(blocked_message(verdict, reference=f"B{attempt.id}"), category=verdict.category)
    return TurnReview(owner=owner, text=text_verdict, uploads=upload_verdicts)


@dataclass
class ResultReview:
    owner: Owner
    verdict: Verdict
    message: str = ""

    @property
    def blocked(self) -> bool:
        return self.verdict.blocked

    def audit_details(self) -> dict[str, Any]:
        return self.verdict.as_dict()

    def queue(self, *, conversation_id: uuid.UUID, message_id: uuid.UUID, asset_id: uuid.UUID,
              job_id: uuid.UUID) -> ReviewItem | None:  # fmt: skip
        if not self.verdict.flagged:
            return None
        return review_item_create(
            owner=self.owner, source=ReviewItem.Source.AUTOMATIC, verdict=self.verdict, stage="result",
            conversation_id=conversation_id, message_id=message_id, asset_id=asset_id, job_id=job_id,
        )  # fmt: skip


def result_screen(*, owner: Owner, job_id: uuid.UUID, image: Image.Image) -> ResultReview:
    """Before a result is stored: a block is recorded and carries the message for the refused job."""
    verdict = review_image(image, owner=owner)
    if not verdict.blocked:
        return ResultReview(owner=owner, verdict=verdict)
    attempt = blocked_attempt_record(owner=owner, stage=BlockedAttempt.Stage.RESULT, verdict=verdict, job_id=job_id)
    return ResultReview(owner=owner, verdict=verdict, message=blocked_message(verdict, reference=f"B{attempt.id}"))


def provider_refusal_review(*, owner: Owner, job_id: uuid.UUID, exc: ProviderRefused) -> Verdict:
    """A provider's safety refusal counts like our own block; other refusals are not content verdicts."""
    verdict = verdict_from_provider_refusal(exc)
    if verdict.blocked:
        blocked_attempt_record(owner=owner, stage=BlockedAttempt.Stage.PROVIDER, verdict=verdict, job_id=job_id)
    return verdict


def _decide(item_id: uuid.UUID, staff_id: int, status: str) -> ReviewItem:
    item = ReviewItem.objects.select_for_update().filter(id=item_id).first()
    if item is None:
        raise NotFound("No such review item.")
    if item.status != ReviewItem.Status.OPEN:
        raise Conflict(f"This item was already decided ({item.status}).", code="already_decided")
    item.status, item.decided_at, item.decided_by_id = status, timezone.now(), staff_id
    item.save(update_fields=["status", "decided_at", "decided_by"])
    return item


def _audit_decision(item: ReviewItem, staff_id: int, kind: str, **extra: Any) -> None:
    audit_record(
        kind=kind, actor=f"staff:{staff_id}", owner_key=item.owner_key, target_type="review_item",
        target_id=str(item.id), details={"asset": str(item.asset_id or ""), **extra},
    )  # fmt: skip


def review_item_allow(*, item_id: uuid.UUID, staff_id: int) -> ReviewItem:
    """The item is fine: it leaves the queue and stays as it is."""
    with transaction.atomic():
        item = _decide(item_id, staff_id, ReviewItem.Status.ALLOWED)
        _audit_decision(item, staff_id, "moderation.allowed")
    return item


def _hide(item: ReviewItem) -> int:
    """Queue the item's image (or, for a prompt, its message and that message's uploads) for deletion,
    exactly like a user's own deletion: hidden at once, purged by the next cleanup unless held."""
    from nanobananas.studio.models import Asset, Lifecycle, Message

    now = timezone.now()
    changes = {"state": Lifecycle.QUEUED, "queued_at": now, "deletion_reason": DeletionReceipt.Reason.MODERATION}
    if item.asset_id is not None:
        return Asset.objects.filter(id=item.asset_id, state=Lifecycle.ACTIVE).update(**changes)
    if item.message_id is not None:
        hidden = Asset.objects.filter(message_id=item.message_id, state=Lifecycle.ACTIVE).update(**changes)
        return hidden + Message.objects.filter(id=item.message_id, state=Lifecycle.ACTIVE).update(**changes)
    return 0


def review_item_remove(*, item_id: uuid.UUID, staff_id: int) -> ReviewItem:
    """The item breaks the rules: it goes to the cleanup queue (404 for its owner at once)."""
    with transaction.atomic():
        item = _decide(item_id, staff_id, ReviewItem.Status.REMOVED)
        hidden = _hide(item)
        _audit_decision(item, staff_id, "moderation.removed", hidden=hidden)
    return item


def _evidence_context(item: ReviewItem) -> tuple[dict[str, Any], str, uuid.UUID | None]:
    """Ids, hashes and times of the item, its prompt, inputs and outputs; and the prompt's text."""
    from nanobananas.studio.models import Asset, Job, Message

    def asset_facts(asset: Asset) -> dict[str, Any]:
        return {
            "id": str(asset.id), "kind": asset.kind, "number": asset.number, "operation": asset.operation,
            "sha256": asset.sha256, "width": asset.width, "height": asset.height,
            "provider": asset.provider, "model": asset.model, "created_at": asset.created_at.isoformat(),
            "blob_name": asset.blob_name,
        }  # fmt: skip

    asset = Asset.objects.filter(id=item.asset_id).first() if item.asset_id else None
    job = Job.objects.filter(id=item.job_id).first() if item.job_id else None
    if job is None and asset is not None and asset.job_id is not None:
        job = Job.objects.filter(id=asset.job_id).first()
    prompt_id = job.request_id if job is not None else (asset.message_id if asset else item.message_id)
    prompt = Message.objects.select_related("conversation").filter(id=prompt_id).first() if prompt_id else None
    conversation_id = item.conversation_id or (asset.conversation_id if asset else None)
    inputs = list(Asset.objects.filter(id__in=(asset.inputs if asset else [])))
    outputs = list(Asset.objects.filter(job_id=job.id)) if job is not None else ([asset] if asset else [])
    uploads = list(Asset.objects.filter(message_id=prompt_id, kind=Asset.Kind.UPLOAD)) if prompt_id else []
    context = {
        "owner_key": item.owner_key,
        "conversation_id": str(conversation_id or ""),
        "prompt_message_id": str(prompt_id or ""),
        "prompt_sha256": _sha256(prompt.text) if prompt is not None else "",
        "prompt_sent_at": prompt.created_at.isoformat() if prompt is not None else "",
        "job_id": str(job.id) if job is not None else "",
        "job_provider": job.provider if job is not None else "",
        "job_finished_at": job.finished_at.isoformat() if job is not None and job.finished_at else "",
        "item": asset_facts(asset) if asset is not None else None,
        "inputs": [asset_facts(a) for a in inputs],
        "uploads": [asset_facts(a) for a in uploads],
        "outputs": [asset_facts(a) for a in outputs],
        "flagged_at": item.created_at.isoformat(),
        "source": item.source,
        "stage": item.stage,
        "verdict": item.verdict,
    }
    return context, (prompt.text if prompt is not None else ""), conversation_id


def review_item_escalate(*, item_id: uuid.UUID, staff_id: int) -> Evidence:
    """Keep the item as evidence: legal holds on the image and its conversation, the item hidden from
    its owner, and its context (with a sealed copy of the prompt) kept for staff with view_evidence."""
    from nanobananas.privacy.services import legal_hold_place

    with transaction.atomic():
        item = _decide(item_id, staff_id, ReviewItem.Status.ESCALATED)
        context, prompt_text, conversation_id = _evidence_context(item)
        evidence = Evidence(
            review_item=item, owner_key=item.owner_key, category=item.category or "reported",
            conversation_id=conversation_id, message_id=item.message_id or None, asset_id=item.asset_id,
            context=context, escalated_by_id=staff_id, escalated_at=timezone.now(),
        )  # fmt: skip
        evidence.prompt = prompt_text
        why = f"moderation evidence {evidence.id} ({evidence.category})"
        holds = []
        if item.asset_id is not None:
            holds.append(legal_hold_place(reason=why, placed_by_id=staff_id, asset_id=item.asset_id))
        if conversation_id is not None:
            holds.append(legal_hold_place(reason=why, placed_by_id=staff_id, conversation_id=conversation_id))
        evidence.holds = [str(h.id) for h in holds]
        evidence.save(force_insert=True)
        hidden = _hide(item)
        _audit_decision(item, staff_id, "moderation.escalated", evidence=str(evidence.id), holds=evidence.holds,
                        hidden=hidden)  # fmt: skip
    return evidence


@dataclass(frozen=True)
class EvidenceContent:
    evidence: Evidence
    prompt: str
    image: bytes | None
    image_type: str
    access: EvidenceAccess


def _require(user: Any, permission: str) -> None:
    if user is None or not user.is_active or not user.is_staff:
        raise NotFound("No such evidence.")
    if not user.has_perm(permission):
        raise PermissionDenied(f"Viewing evidence needs the {permission} permission.")


def evidence_view(*, evidence_id: uuid.UUID, viewer: Any, why: str) -> EvidenceContent:
    """Open evidence for a staff member with `moderation.view_evidence` who says why; the view is
    recorded and audited (viewer, time, why). Others: NotFound (not staff) or PermissionDenied."""
    from nanobananas.studio.models import Asset

    _require(viewer, "moderation.view_evidence")
    why = clean_text(why or "")
    if not WHY_MIN <= len(why) <= WHY_MAX:
        raise InvalidInput(f"Say why you need to view this ({WHY_MIN} to {WHY_MAX} characters).", code="why_required")
    evidence = Evidence.objects.filter(id=evidence_id).first()
    if evidence is None:
        raise NotFound("No such evidence.")
    with transaction.atomic():
        access = EvidenceAccess.objects.create(evidence=evidence, viewer=viewer, why=why, at=timezone.now())
        audit_record(
            kind="evidence.viewed", actor=f"staff:{viewer.pk}", owner_key=evidence.owner_key,
            target_type="evidence", target_id=str(evidence.id), details={"access": access.id, "why": why},
        )  # fmt: skip
    prompt = evidence.prompt
    image, image_type = None, ""
    asset = Asset.objects.filter(id=evidence.asset_id).first() if evidence.asset_id else None
    if asset is not None:
        from django.core.files.storage import default_storage

        try:
            with default_storage.open(asset.blob_name) as handle:
                image, image_type = handle.read(), asset.content_type
        except (OSError, ValueError):
            logger.warning("evidence %s: the image %s could not be read", evidence.id, asset.id)
    return EvidenceContent(evidence=evidence, prompt=prompt, image=image, image_type=image_type, access=access)


def evidence_release(*, evidence_id: uuid.UUID, staff: Any) -> Evidence:
    """Release evidence explicitly: its legal holds end (items past their time go at the next sweep)."""
    from nanobananas.privacy.services import legal_hold_release

    _require(staff, "moderation.release_evidence")
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().filter(id=evidence_id).first()
        if evidence is None:
            raise NotFound("No such evidence.")
        if evidence.released_at is not None:
            raise Conflict("This evidence was already released.", code="already_released")
        for hold_id in evidence.holds:
            legal_hold_release(hold_id=uuid.UUID(hold_id), released_by_id=staff.pk)
        evidence.released_at, evidence.released_by_id = timezone.now(), staff.pk
        evidence.save(update_fields=["released_at", "released_by"])
        audit_record(
            kind="evidence.released", actor=f"staff:{staff.pk}", owner_key=evidence.owner_key,
            target_type="evidence", target_id=str(evidence.id), details={"holds": evidence.holds},
        )  # fmt: skip
    return evidence


def report_create(*, owner: Owner, asset_id: uuid.UUID, reason: str) -> ReviewItem:
    """A user reports an image they can see (their own, for now) with a reason; it enters the queue."""
    from nanobananas.studio.selectors import asset_get

    reason = clean_text(reason or "")
    if not REPORT_REASON_MIN <= len(reason) <= REPORT_REASON_MAX:
        raise InvalidInput(
            f"Say in {REPORT_REASON_MIN} to {REPORT_REASON_MAX} characters what is wrong with the image.",
            code="bad_reason",
        )
    with transaction.atomic():
        asset = asset_get(owner=owner, asset_id=asset_id)
        already = ReviewItem.objects.filter(
            asset_id=asset.id, source=ReviewItem.Source.REPORT, reported_by=owner.key, status=ReviewItem.Status.OPEN
        )
        if already.exists():
            raise Conflict("You already reported this image; staff will look at it.", code="already_reported")
        return review_item_create(
            owner=_owner_of(asset), source=ReviewItem.Source.REPORT, stage=asset.kind,
            conversation_id=asset.conversation_id, message_id=asset.message_id, asset_id=asset.id,
            job_id=asset.job_id, reason=reason, reported_by=owner.key,
        )  # fmt: skip


def known_image_add(*, data: bytes, category: str, note: str, added_by_id: int | None) -> KnownImage:
    """List a prohibited image by its fingerprints; the image itself is not kept."""
    from nanobananas.engine.errors import ImageInputError
    from nanobananas.engine.safety import decode_image

    if category not in CATEGORIES:
        raise InvalidInput(f"Unknown category {category!r}.", code="bad_category")
    try:
        image = decode_image(data)
    except ImageInputError as exc:
        raise InvalidInput(f"The file is not a usable image: {exc}", code="bad_image") from None
    prints = fingerprint(image)
    with transaction.atomic():
        listed = KnownImage.objects.select_for_update().filter(sha256=prints.sha256).first()
        if listed is not None and listed.hash_algorithm == prints.algorithm:
            raise Conflict("This image is already on the list.", code="already_listed")
        if listed is not None:
            # Listed before the hash algorithm changed: the same pixels give it hashes that copies match again.
            listed.phash, listed.dhash, listed.hash_algorithm = prints.phash, prints.dhash, prints.algorithm
            listed.save()
            audit_record(
                kind="moderation.known_image_rehashed", actor=f"staff:{added_by_id}" if added_by_id else "system",
                target_type="known_image", target_id=str(listed.id),
                details={"sha256": prints.sha256, "hash_algorithm": prints.algorithm},
            )  # fmt: skip
            return listed
        known = KnownImage.objects.create(
            sha256=prints.sha256, phash=prints.phash, dhash=prints.dhash, hash_algorithm=prints.algorithm,
            category=category, note=note, added_by_id=added_by_id,
        )  # fmt: skip
        audit_record(
            kind="moderation.known_image_added", actor=f"staff:{added_by_id}" if added_by_id else "system",
            target_type="known_image", target_id=str(known.id), details={"sha256": prints.sha256, "category": category},
        )  # fmt: skip
    return known


def account_suspend(*, user_id: int, staff_id: int) -> None:
    """Suspend an account: it cannot sign in, every session ends, and the action is audited."""
    from nanobananas.accounts.models import UserSession

    if user_id == staff_id:
        raise Conflict("You cannot suspend your own account.", code="own_account")
    with transaction.atomic():
        updated = get_user_model().objects.filter(pk=user_id).update(is_active=False)
        if not updated:
            raise NotFound("No such account.")
        ended, _ = UserSession.objects.filter(user_id=user_id).delete()
        audit_record(
            kind="account.suspended", actor=f"staff:{staff_id}", owner_key=f"u{user_id}", target_type="user",
            target_id=str(user_id), details={"sessions_ended": ended},
        )  # fmt: skip
