"""Feedback on a result (PUT/DELETE /api/v1/assets/{id}/feedback) and bug reports (POST /api/v1/bug-reports)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Status

from nanobananas.accounts.identity import request_owner, request_owner_for_write
from nanobananas.analytics.feedback import bug_report_create, feedback_set, feedback_withdraw
from nanobananas.analytics.schemas import BugReportIn, BugReportOut, FeedbackIn, FeedbackOut
from nanobananas.core.exceptions import NotFound

router = Router(tags=["feedback"])


@router.put("/assets/{asset_id}/feedback", response=FeedbackOut)
def rate_result(request: HttpRequest, asset_id: uuid.UUID, payload: FeedbackIn) -> FeedbackOut:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No image with this id.")
    feedback = feedback_set(owner=owner, asset_id=asset_id, rating=payload.rating, reason=payload.reason)
    return FeedbackOut(asset_id=feedback.asset_id, rating=feedback.rating, reason=feedback.reason)


@router.delete("/assets/{asset_id}/feedback", response={204: None})
def withdraw_rating(request: HttpRequest, asset_id: uuid.UUID) -> Status[None]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No feedback on this result.")
    feedback_withdraw(owner=owner, asset_id=asset_id)
    return Status(204, None)


@router.post("/bug-reports", response={201: BugReportOut})
def report_bug(request: HttpRequest, payload: BugReportIn) -> Status[BugReportOut]:
    report = bug_report_create(
        owner=request_owner_for_write(request), text=payload.text, page=payload.page,
        conversation_id=payload.conversation_id, share_conversation=payload.share_conversation,
    )  # fmt: skip
    return Status(
        201,
        BugReportOut(
            id=report.id, page=report.page, conversation_id=report.conversation_id,
            shared_until=report.shared_until, created_at=report.created_at,
        ),
    )  # fmt: skip
