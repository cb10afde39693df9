"""Privacy endpoints for signed-in users: ask for a data export, follow its progress, download it."""

from __future__ import annotations

import uuid

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Status
from ninja.errors import AuthenticationError

from nanobananas.accounts.identity import request_account
from nanobananas.core.streaming import aiter_file
from nanobananas.privacy import export as exports
from nanobananas.privacy.models import DataExport
from nanobananas.privacy.schemas import ExportOut

router = Router(tags=["privacy"])


def _user(request: HttpRequest) -> User:
    if not request.user.is_authenticated:
        raise AuthenticationError()
    return request_account(request)


def _user_id(request: HttpRequest) -> int:
    return int(_user(request).pk)


def export_out(export: DataExport) -> ExportOut:
    return ExportOut(
        id=export.id,
        status=export.status,
        progress=export.progress,
        stage=export.stage,
        byte_size=export.byte_size,
        sha256=export.sha256,
        requested_at=export.requested_at,
        ready_at=export.ready_at,
        expires_at=export.expires_at,
        error=export.error,
        download_url=exports.export_download_url(export=export),
    )


@router.post("/me/exports", response={202: ExportOut})
def request_export(request: HttpRequest) -> Status[ExportOut]:
    export = exports.export_request(user=_user(request), link_base=request.build_absolute_uri("/"))
    return Status(202, export_out(export))


@router.get("/me/exports", response=list[ExportOut])
def list_exports(request: HttpRequest) -> list[ExportOut]:
    return [export_out(e) for e in exports.export_list(user_id=_user_id(request))]


@router.get("/me/exports/{export_id}", response=ExportOut)
def get_export(request: HttpRequest, export_id: uuid.UUID) -> ExportOut:
    return export_out(exports.export_get(user_id=_user_id(request), export_id=export_id))


@router.get(
    "/exports/download/{token}",
    response={200: None},
    url_name="export_download",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The archive (decrypted), for its owner only; 410 `link_expired` when the link "
                "or the archive is gone.",
                "content": {"application/zip": {}},
            }
        }
    },
)
async def download_export(request: HttpRequest, token: str) -> StreamingHttpResponse:
    user_id = await sync_to_async(_user_id)(request)
    export = await sync_to_async(exports.export_link_open)(token=token, user_id=user_id)
    handle = await sync_to_async(default_storage.open)(export.blob_name, "rb")
    response = StreamingHttpResponse(aiter_file(handle), content_type="application/zip")
    response["Content-Length"] = str(export.byte_size)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="nanobananas-export-{export.requested_at:%Y-%m-%d}.zip"'
    return response
