"""Feedback on results, error reports of failed jobs, and bug reports with consented conversation access."""

from __future__ import annotations

import hashlib
import json
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.analytics.models import BugReport, ErrorReport, Feedback
from nanobananas.audit.services import audit_record
from nanobananas.core.exceptions import DomainError, InvalidInput, NotFound
from nanobananas.core.text import clean_text

__all__ = [
    "BUG_REPORT_SHARE_DAYS",
    "BUG_REPORT_TEXT_MAX",
    "ConversationNotShared",
    "SharedTurn",
    "bug_report_conversation_open",
    "bug_report_create",
    "error_report_create",
    "feedback_set",
    "feedback_withdraw",
    "plan_sha256",
    "reports_purge",
    "stack_frames",
]

BUG_REPORT_SHARE_DAYS = 14
BUG_REPORT_TEXT_MAX = 4000
PAGE_MAX = 200


class ConversationNotShared(DomainError):
    status_code = 403
    code = "not_shared"


def plan_sha256(plan: Any) -> str:
    """The hash of a plan as the audit log writes it (sorted keys), or "" without a plan."""
    if not plan:
        return ""
    return hashlib.sha256(json.dumps(plan, sort_keys=True, default=str).encode()).hexdigest()


def feedback_set(*, owner: Owner, asset_id: uuid.UUID, rating: str, reason: str = "") -> Feedback:
    """Rate one of the owner's results (a second vote replaces the first). Another owner's result, an
    upload or a result queued for deletion is 404; a bad rating or reason is 400 and changes nothing."""
    from nanobananas.studio.models import Asset
    from nanobananas.studio.selectors import asset_get

    if rating not in Feedback.Rating.values:
        raise InvalidInput("Rate a result with up or down.", code="bad_rating")
    if reason not in Feedback.Reason.values:
        choices = ", ".join(value for value in Feedback.Reason.values if value)
        raise InvalidInput(f"The reason is one of: {choices} (or none).", code="bad_reason")
    now = timezone.now()
    with transaction.atomic():
        asset = asset_get(owner=owner, asset_id=asset_id)
        if asset.kind != Asset.Kind.RESULT:
            raise NotFound("No result with this id.")
        made = {"plan_sha256": plan_sha256(asset.plan), "operation": str(asset.operation or "")[:40],
                "provider": (asset.provider or "")[:40]}  # fmt: skip
        feedback, created = Feedback.objects.select_for_update().get_or_create(
            asset_id=asset.id,
            defaults={"owner_user_id": owner.user_id, "owner_guest_id": owner.guest_id, "rating": rating,
                      "reason": reason, "created_at": now, "updated_at": now, **made},
        )  # fmt: skip
        if not created:
            feedback.rating, feedback.reason, feedback.updated_at = rating, reason, now
            feedback.save(update_fields=["rating", "reason", "updated_at"])
    return feedback


def feedback_withdraw(*, owner: Owner, asset_id: uuid.UUID) -> None:
    """Take back the owner's vote on a result; 404 when there is none."""
    deleted, _ = Feedback.objects.filter(owner_filter(owner), asset_id=asset_id).delete()
    if not deleted:
        raise NotFound("No feedback on this result.")


def stack_frames(exc: BaseException) -> list[dict[str, Any]]:
    """Where `exc` was raised: file (inside the package, or the library's own path), line and function of
    each frame. No values, no source text and no message: these are where a prompt could appear."""
    package = Path(__file__).resolve().parent.parent
    frames = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        try:
            where = f"nanobananas/{path.resolve().relative_to(package)}"
        except ValueError:
            parts = path.parts
            where = "/".join(parts[parts.index("site-packages") + 1 :]) if "site-packages" in parts else path.name
        frames.append({"file": where, "line": frame.lineno, "function": frame.name})
    return frames


def error_report_create(
    *, job_id: uuid.UUID, exc: BaseException, provider: str = "", operation: str = "", plan: Any = None,
    duration_ms: int | None = None,
) -> ErrorReport | None:  # fmt: skip
    """Record what went wrong in a failed job; once per job (a second call for the same job is ignored)."""
    report = ErrorReport(
        job_id=job_id,
        exception_class=f"{type(exc).__module__}.{type(exc).__qualname__}"[:120],
        operation=operation[:40],
        provider=provider[:40],
        plan_sha256=plan_sha256(plan),
        duration_ms=duration_ms,
        frames=stack_frames(exc),
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            report.save(force_insert=True)
    except IntegrityError:
        return None
    return report


def reports_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Error reports, feedback (by its last change) and bug reports older than NANOBANANAS_ANALYTICS_RAW_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NANOBANANAS["ANALYTICS_RAW_DAYS"])
    return {
        "error_reports": ErrorReport.objects.filter(created_at__lt=cutoff).delete()[0],
        "feedback": Feedback.objects.filter(updated_at__lt=cutoff).delete()[0],
        "bug_reports": BugReport.objects.filter(created_at__lt=cutoff).delete()[0],
    }


def bug_report_create(
    *, owner: Owner, text: str, page: str = "", conversation_id: uuid.UUID | None = None,
    share_conversation: bool = False,
) -> BugReport:  # fmt: skip
    """A person reports a problem. With `share_conversation` (their explicit consent) staff may open the
    named conversation, which must be theirs, for BUG_REPORT_SHARE_DAYS days."""
    from nanobananas.studio.selectors import conversation_get

    text = clean_text(text or "").strip()
    if not 1 <= len(text) <= BUG_REPORT_TEXT_MAX:
        raise InvalidInput(f"Say in 1 to {BUG_REPORT_TEXT_MAX} characters what went wrong.", code="bad_text")
    page = (page or "").strip()
    if len(page) > PAGE_MAX or (page and not page.startswith("/")):
        raise InvalidInput("The page is a path of this site, such as /image/.", code="bad_page")
    if share_conversation and conversation_id is None:
        raise InvalidInput("Name the conversation you agree to share.", code="no_conversation")
    now = timezone.now()
    shared_until = now + timedelta(days=BUG_REPORT_SHARE_DAYS) if share_conversation else None
    with transaction.atomic():
        conversation = conversation_get(owner=owner, conversation_id=conversation_id) if conversation_id else None
        report = BugReport(
            owner_user_id=owner.user_id, owner_guest_id=owner.guest_id, page=page, created_at=now,
            conversation=conversation if share_conversation else None,
            shared_until=shared_until,
        )  # fmt: skip
        report.text = text
        report.save(force_insert=True)
        if shared_until is not None:
            audit_record(
                kind="bug_report.conversation_shared", actor=f"user:{owner.user_id}" if owner.user_id else "guest",
                owner_key=owner.key, target_type="bug_report", target_id=str(report.id),
                details={"conversation_id": str(conversation_id), "until": shared_until.isoformat()},
            )  # fmt: skip
    return report


@dataclass(frozen=True)
class SharedTurn:
    role: str
    text: str
    at: datetime


def bug_report_conversation_open(*, report_id: uuid.UUID, staff_user_id: int) -> list[SharedTurn]:
    """The shared conversation of a bug report, for a staff member, while the consent lasts. Every opening
    is written to the audit log; an expired or absent consent is refused (403) and recorded as nothing."""
    from nanobananas.studio.models import Lifecycle, Message

    report = BugReport.objects.filter(id=report_id).first()
    if report is None:
        raise NotFound("No bug report with this id.")
    if report.conversation_id is None or report.shared_until is None or report.shared_until <= timezone.now():
        raise ConversationNotShared("The reporter did not share a conversation, or the time they allowed is over.")
    turns = [
        SharedTurn(role=m.role, text=m.text, at=m.created_at)
        for m in Message.objects.filter(conversation_id=report.conversation_id, state=Lifecycle.ACTIVE).order_by(
            "created_at", "id"
        )
    ]
    audit_record(
        kind="bug_report.conversation_viewed", actor=f"staff:{staff_user_id}", owner_key=report.sealing_owner,
        target_type="bug_report", target_id=str(report.id),
        details={"conversation_id": str(report.conversation_id), "messages": len(turns)},
    )  # fmt: skip
    return turns
