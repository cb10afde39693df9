"""OpenAI-compatible image endpoints at /v1, so existing tools can use this server as their backend.

`POST /v1/images/generations` and `POST /v1/images/edits` take the request shapes of OpenAI's
images API, authenticate with `Authorization: Bearer <personal API token>` (scope images:write),
and answer with `{"created", "data": [{"b64_json"} or {"url"}]}`. Each request becomes a
conversation of the token's owner, so it shows up in their history, follows their plan's quota
and retention, and runs on the same queue as the chat. Errors use OpenAI's error shape.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from nanobananas.accounts.identity import Owner, request_rate_limit
from nanobananas.core.exceptions import DomainError
from nanobananas.core.streaming import aiter_file
from nanobananas.studio import downloads
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Job
from nanobananas.studio.requests import multipart_read
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.tokens.models import ApiToken
from nanobananas.tokens.services import token_authenticate

__all__ = ["openai_api"]

URL_SALT = "nanobananas.openai.image-url"
URL_MAX_AGE_SECONDS = 3600
WAIT_SECONDS = 300
POLL_SECONDS = 0.1


class TokenBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return token_authenticate(raw=token, scope=ApiToken.Scope.IMAGES_WRITE)


openai_api = NinjaAPI(
    title="Nanobananas OpenAI-compatible images API",
    version="1",
    description="The request and response shapes of OpenAI's images API, served by this studio.",
    auth=TokenBearer(),
    urls_namespace="openai",
)


class OpenAIError(Exception):
    def __init__(self, status: int, message: str, *, code: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.kind = status, message, code, kind


def _error(request: HttpRequest, status: int, message: str, code: str, kind: str) -> HttpResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    return openai_api.create_response(request, body, status=status)


@openai_api.exception_handler(OpenAIError)
def _openai_error(request: HttpRequest, exc: OpenAIError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.code, exc.kind)


@openai_api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    kind = "rate_limit_error" if exc.status_code == 429 else "invalid_request_error"
    return _error(request, exc.status_code, exc.message, exc.code, kind)


@openai_api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p not in {"body", "payload"})
    return _error(
        request, 400, f"{where}: {first.get('msg', 'invalid request')}", "invalid_value", "invalid_request_error"
    )


@openai_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    message = "Send a valid personal API token with the images:write scope as 'Authorization: Bearer <token>'."
    return _error(request, 401, message, "invalid_api_key", "invalid_request_error")


@openai_api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "The request is too large.", "payload_too_large", "invalid_request_error")


@openai_api.exception_handler(TooManyFilesSent)
def _too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
    """More files than DATA_UPLOAD_MAX_NUMBER_FILES: refused while Django parses the body, answered in OpenAI's
    error shape instead of an HTML 400 and an error report in the log."""
    message = f"Send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES} images at once."
    return _error(request, 400, message, "too_many_files", "invalid_request_error")


ResponseFormat = Literal["b64_json", "url"]
OutputFormat = Literal["png", "jpeg", "webp"]


class GenerationIn(Schema):
    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1)
    model: str | None = None
    n: int | None = Field(default=1, ge=1, le=10)
    size: str | None = None
    response_format: ResponseFormat | None = None
    output_format: OutputFormat | None = None


class ImageDataOut(Schema):
    b64_json: str | None = None
    url: str | None = None
    revised_prompt: str | None = None


class ImagesOut(Schema):
    created: int
    data: list[ImageDataOut]
    output_format: str | None = None


def _size(raw: str | None) -> tuple[int, int] | None:
    if raw is None or raw == "auto":
        return None
    width, sep, height = raw.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit():
        raise OpenAIError(400, f"size must be 'auto' or WIDTHxHEIGHT, e.g. 1024x1024; got {raw!r}", code="invalid_size")
    return int(width), int(height)


def _one_image(n: int | None) -> None:
    if (n or 1) != 1:
        raise OpenAIError(400, "This server makes one image per request (n=1).", code="invalid_n")


def _submit(owner: Owner, prompt: str, **options: Any) -> uuid.UUID:
    conversation = conversation_create(owner=owner, title=f"API: {prompt}"[:200])
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=prompt, **options)
    assert job is not None  # a turn with text always has a job
    return job.id


async def _wait(job_id: uuid.UUID) -> Job:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job = await Job.objects.select_related("result").aget(id=job_id)
        if job.status in Job.TERMINAL:
            return job
        if time.monotonic() > deadline:
            raise OpenAIError(
                504, "The image is still being made; try again later.", code="timeout", kind="server_error"
            )
        await asyncio.sleep(POLL_SECONDS)


def _result_payload(request: HttpRequest, job: Job, response_format: str, output_format: str) -> ImagesOut:
    if job.status == Job.Status.REFUSED:
        raise OpenAIError(400, job.error_message, code="generation_unavailable")
    if job.status == Job.Status.FAILED:
        raise OpenAIError(500, job.error_message, code="generation_failed", kind="server_error")
    asset = Asset.objects.filter(job=job).first()
    if asset is None:
        # Done without a picture: the engine answered with a question instead.
        reply = job.result.text if job.result else "The request was not understood."
        raise OpenAIError(400, reply, code="instruction_not_understood")
    if response_format == "url":
        token = signing.dumps({"asset": str(asset.id), "format": output_format}, salt=URL_SALT)
        return ImagesOut(
            created=int(time.time()),
            data=[ImageDataOut(url=request.build_absolute_uri(f"/v1/images/content/{token}"))],
            output_format=output_format,
        )
    handle, _, _ = downloads.asset_content(asset=asset, format=output_format)  # type: ignore[arg-type]
    with handle:
        encoded = base64.b64encode(handle.read()).decode()
    return ImagesOut(created=int(time.time()), data=[ImageDataOut(b64_json=encoded)], output_format=output_format)


@openai_api.post("/images/generations", response=ImagesOut, tags=["images"])
async def create_image(request: HttpRequest, payload: GenerationIn) -> ImagesOut:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    _one_image(payload.n)
    size = _size(payload.size)
    owner = Owner(user_id=token.user_id)
    await sync_to_async(request_rate_limit)(request, scope="generate", owner=owner)
    job_id = await sync_to_async(_submit)(owner, payload.prompt, size=size)
    job = await _wait(job_id)
    return await sync_to_async(_result_payload)(
        request, job, payload.response_format or "b64_json", payload.output_format or "png"
    )


EDIT_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["image", "prompt"],
                "properties": {
                    "image": {"type": "string", "format": "binary", "description": "or image[] for several"},
                    "mask": {"type": "string", "format": "binary", "description": "transparent = area to edit"},
                    "prompt": {"type": "string"},
                    "n": {"type": "integer", "minimum": 1, "maximum": 1},
                    "size": {"type": "string"},
                    "response_format": {"type": "string", "enum": ["b64_json", "url"]},
                    "output_format": {"type": "string", "enum": ["png", "jpeg", "webp"]},
                },
            }
        }
    },
    "required": True,
}


def _read_edit(request: HttpRequest) -> tuple[str, list[IncomingFile], IncomingFile | None, dict[str, str]]:
    if request.content_type != "multipart/form-data":
        raise OpenAIError(400, "Send the edit as multipart/form-data.", code="invalid_content_type")
    body = multipart_read(request, file_fields={"image": "image", "image[]": "image", "mask": "mask"})
    prompt = body.fields.get("prompt", "").strip()
    if not prompt:
        raise OpenAIError(400, "prompt is required.", code="missing_prompt")
    images = body.files_of("image", "image[]")
    if not images:
        raise OpenAIError(400, "image is required.", code="missing_image")
    masks = body.files_of("mask")
    mask = masks[-1] if masks else None  # one mask; of several sent, the last counts (as Django's FILES.get)
    fields = {key: body.fields.get(key, "") for key in ("n", "size", "response_format", "output_format")}
    return prompt, images, mask, fields


@openai_api.post("/images/edits", response=ImagesOut, tags=["images"], openapi_extra={"requestBody": EDIT_BODY})
async def edit_image(request: HttpRequest) -> ImagesOut:
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    prompt, images, mask, fields = _read_edit(request)
    _one_image(int(fields["n"]) if fields["n"].isdigit() else 1)
    owner = Owner(user_id=token.user_id)
    await sync_to_async(request_rate_limit)(request, scope="generate", owner=owner)
    response_format = fields["response_format"] or "b64_json"
    output_format = fields["output_format"] or "png"
    if response_format not in {"b64_json", "url"} or output_format not in {"png", "jpeg", "webp"}:
        raise OpenAIError(
            400, "response_format is b64_json or url; output_format png, jpeg or webp.", code="invalid_value"
        )
    job_id = await sync_to_async(_submit)(owner, prompt, files=images, mask=mask, size=_size(fields["size"] or None))
    job = await _wait(job_id)
    return await sync_to_async(_result_payload)(request, job, response_format, output_format)


@openai_api.get("/images/content/{token}", auth=None, response={200: None}, tags=["images"])
async def image_by_url(request: HttpRequest, token: str) -> StreamingHttpResponse:
    """The `url` of a result: signed, bound to one image and format, valid for an hour."""
    try:
        claims = signing.loads(token, salt=URL_SALT, max_age=URL_MAX_AGE_SECONDS)
    except signing.BadSignature:
        raise OpenAIError(404, "This link is unknown or has expired.", code="not_found") from None
    asset = await Asset.objects.filter(id=claims["asset"], state="active", conversation__state="active").afirst()
    if asset is None:
        raise OpenAIError(404, "This link is unknown or has expired.", code="not_found")
    handle, content_type, _ = await sync_to_async(downloads.asset_content)(asset=asset, format=claims["format"])
    return StreamingHttpResponse(aiter_file(handle), content_type=content_type)
