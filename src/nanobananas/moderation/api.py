"""User reports: POST /api/v1/reports for an image the user can see; it enters the staff review queue."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from nanobananas.accounts.identity import request_owner
from nanobananas.core.exceptions import NotFound
from nanobananas.moderation.schemas import ReportIn, ReportOut
from nanobananas.moderation.services import report_create

router = Router(tags=["reports"])


@router.post("/reports", response={201: ReportOut})
def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No image with this id.")
    item = report_create(owner=owner, asset_id=payload.asset_id, reason=payload.reason)
    return Status(201, ReportOut(id=item.id, asset_id=payload.asset_id, status=item.status, created_at=item.created_at))
