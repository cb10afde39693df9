"""Privacy endpoints: privacy settings, the consent ledger and commercial-use images (guests and users);
data exports (signed-in users: ask for one, follow its progress, download it)."""

from __future__ import annotations

import uuid

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Status
from ninja.errors import AuthenticationError

from nanobananas.accounts.identity import Owner, request_account, request_owner, request_owner_for_write
from nanobananas.core.exceptions import NotFound
from nanobananas.core.streaming import aiter_file
from nanobananas.privacy import export as exports
from nanobananas.privacy import selectors, services
from nanobananas.privacy.models import DataExport
from nanobananas.privacy.schemas import CommercialOut, ConsentOut, ExportOut, PrivacyOut, PrivacyPatch

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
    # The int 200, as in `response=`: ninja merges the two; a "200" string would be a second "200" key.
    openapi_extra={
        "responses": {
            200: {
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


def privacy_out(owner: Owner | None) -> PrivacyOut:
    chosen = selectors.privacy_settings_get(owner)
    return PrivacyOut(
        **{name: getattr(chosen, name) for name in selectors.SETTING_NAMES},
        is_guest=owner is None or owner.is_guest,
        updated_at=chosen.updated_at,
    )


@router.get("/me/privacy", response=PrivacyOut)
def get_privacy(request: HttpRequest) -> PrivacyOut:
    return privacy_out(request_owner(request))


@router.patch("/me/privacy", response=PrivacyOut)
def update_privacy(request: HttpRequest, payload: PrivacyPatch) -> PrivacyOut:
    changes = payload.model_dump(exclude_unset=True)
    owner = request_owner(request)
    if owner is None:
        # A visitor becomes a guest by choosing; a choice a guest cannot make must not create one first.
        services.privacy_settings_check(owner=Owner(guest_id=uuid.UUID(int=0)), changes=changes)
        owner = request_owner_for_write(request)
    services.privacy_settings_update(owner, **changes)
    return privacy_out(owner)


@router.get("/me/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest) -> list[ConsentOut]:
    owner = request_owner(request)
    if owner is None:
        return []
    return [
        ConsentOut(
            setting=e.setting, subject=e.subject, old=e.old_value, new=e.new_value, at=e.at,
            policy_version=e.policy_version, source=e.source,
        )
        for e in selectors.consent_events(owner=owner)
    ]  # fmt: skip


@router.put("/me/images/{asset_id}/commercial", response=CommercialOut)
def mark_commercial(request: HttpRequest, asset_id: uuid.UUID) -> CommercialOut:
    return _commercial(request, asset_id, commercial=True)


@router.delete("/me/images/{asset_id}/commercial", response=CommercialOut)
def unmark_commercial(request: HttpRequest, asset_id: uuid.UUID) -> CommercialOut:
    return _commercial(request, asset_id, commercial=False)


def _commercial(request: HttpRequest, asset_id: uuid.UUID, *, commercial: bool) -> CommercialOut:
    owner = request_owner(request)
    if owner is None:
        raise NotFound("No image with this id.")
    flag = services.commercial_image_set(owner=owner, asset_id=asset_id, commercial=commercial)
    return CommercialOut(asset_id=asset_id, commercial=flag)
