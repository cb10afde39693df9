"""Writing, verifying and purging the audit log. Callers pass ids and hashes, never content."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from nanobananas.audit.chain import GENESIS, event_hash
from nanobananas.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

__all__ = ["VerifyResult", "audit_purge", "audit_record", "audit_verify"]

logger = logging.getLogger(__name__)
FORBIDDEN_DETAIL_KEYS = {"text", "prompt", "title", "content", "message", "email", "password", "reason"}


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    """Keep content out by construction: keys that name content are refused."""
    details = dict(details or {})
    leaked = FORBIDDEN_DETAIL_KEYS & set(details)
    if leaked:
        raise ValueError(f"audit details must hold ids and hashes, not {', '.join(sorted(leaked))}")
    return details


def audit_record(
    *,
    kind: str,
    actor: str,
    owner_key: str = "",
    target_type: str = "",
    target_id: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (it rolls back with it)."""
    clean = _clean(details)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now().astimezone(UTC)
        event_id = head.last_id + 1
        digest = event_hash(
            prev_hash=head.last_hash, event_id=event_id, at=at, kind=kind, actor=actor, owner_key=owner_key,
            target_type=target_type, target_id=str(target_id), details=clean,
        )  # fmt: skip
        event = AuditEvent.objects.create(
            id=event_id, at=at, kind=kind, actor=actor, owner_key=owner_key, target_type=target_type,
            target_id=str(target_id), details=clean, prev_hash=head.last_hash, hash=digest,
        )  # fmt: skip
        AuditChainHead.objects.filter(id=1).update(last_id=event_id, last_hash=digest)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def audit_verify() -> VerifyResult:
    """Walk the chain from the latest checkpoint (or the start) and recompute every hash."""
    checkpoint = AuditCheckpoint.objects.order_by("-through_id").first()
    expected_prev = checkpoint.through_hash if checkpoint else GENESIS
    expected_id = (checkpoint.through_id if checkpoint else 0) + 1
    checked = 0
    for event in AuditEvent.objects.filter(id__gte=expected_id).order_by("id").iterator(chunk_size=2000):
        if event.id != expected_id:
            return VerifyResult(False, checked, expected_id, f"event #{expected_id} is missing")
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.id, "the link to the previous event is broken")
        digest = event_hash(
            prev_hash=event.prev_hash, event_id=event.id, at=event.at.astimezone(UTC), kind=event.kind,
            actor=event.actor, owner_key=event.owner_key, target_type=event.target_type,
            target_id=event.target_id, details=event.details,
        )  # fmt: skip
        if digest != event.hash:
            return VerifyResult(False, checked, event.id, "the event was changed after it was written")
        expected_prev, expected_id = event.hash, event.id + 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_id != expected_id - 1 or head.last_hash != expected_prev):
        return VerifyResult(False, checked, expected_id, "events at the end of the chain are missing")
    return VerifyResult(True, checked)


def audit_purge(*, now: datetime | None = None) -> int:
    """Remove events older than the audit retention (NANOBANANAS_AUDIT_RETENTION_DAYS), leaving a
    checkpoint with the last removed event's hash so the rest of the chain still verifies."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NANOBANANAS["AUDIT_RETENTION_DAYS"])
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(id=1)
        last = AuditEvent.objects.filter(at__lt=cutoff).order_by("-id").first()
        if last is None:
            return 0
        AuditCheckpoint.objects.create(through_id=last.id, through_hash=last.hash, at=now)
        with connection.cursor() as cursor:
            # The one sanctioned delete: only sealed events (the triggers allow nothing else).
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id <= %s", [last.id])
            removed = cursor.rowcount
    logger.info("audit: purged %d events through #%d", removed, last.id)
    return int(removed)
