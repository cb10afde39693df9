"""Reading uploads from HTTP requests: the one size rule and multipart reader of the studio and OpenAI-compatible APIs.

Both APIs take pictures in a multipart body. The size rule is checked before a byte of the body is read by
the view: a declared Content-Length over MAX_REQUEST_BYTES raises Django's own `RequestDataTooBig` (each API
answers it 413 `payload_too_large` in its error shape, as it does when Django refuses a body itself), and a
Content-Length that is not a whole number is `InvalidInput` (400 `invalid_input`, a `DomainError` both APIs
render). The parts are then read once, in the order they were sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from pydantic import ValidationError

from nanobananas.core.exceptions import InvalidInput
from nanobananas.studio.schemas import MessageIn
from nanobananas.studio.services import IncomingFile

__all__ = ["Multipart", "Turn", "multipart_read", "parse_message_request", "request_size_check"]

FILE_FIELDS = ("files[]", "files")


@dataclass
class Turn:
    text: str
    files: list[IncomingFile] = field(default_factory=list)
    base_version: int | None = None
    mask: IncomingFile | None = None


@dataclass(frozen=True)
class Multipart:
    """A multipart body as read: its text fields and, per field name, its files in the order sent."""

    fields: Mapping[str, str]
    files: Mapping[str, list[IncomingFile]]

    def files_of(self, *names: str) -> list[IncomingFile]:
        """The files of each field in `names`, in that order (one API field may have two spellings)."""
        return [incoming for name in names for incoming in self.files.get(name, [])]


def request_size_check(request: HttpRequest) -> None:
    """The one size rule for requests that carry pictures: refuse a declared body over MAX_REQUEST_BYTES
    before it is read, and a Content-Length that is not a whole number."""
    raw = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    if not raw.isdigit():
        raise InvalidInput("The Content-Length header is not a number.", code="invalid_input")
    if int(raw) > settings.MAX_REQUEST_BYTES:
        raise RequestDataTooBig("request body exceeds MAX_REQUEST_BYTES")


def multipart_read(request: HttpRequest, *, file_fields: Mapping[str, str]) -> Multipart:
    """A form body's text fields and the files of `file_fields` (field name -> the name a file sent without
    one gets), after the size rule; each file is read into memory once."""
    request_size_check(request)
    files = {
        field_name: [IncomingFile(name=upload.name or default_name, data=upload.read()) for upload in uploads]
        for field_name, default_name in file_fields.items()
        if (uploads := request.FILES.getlist(field_name))
    }
    return Multipart(fields={key: request.POST.get(key, "") for key in request.POST}, files=files)


def parse_message_request(request: HttpRequest) -> Turn:
    """The turn's text, pictures, base version and mask (transparent where the picture may change).
    Oversized bodies are refused before any is read."""
    content_type = request.content_type or ""
    if content_type == "application/json":
        request_size_check(request)
        try:
            payload = MessageIn.model_validate(json.loads(request.body or b"null"))
        except (ValueError, ValidationError) as exc:
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "the body is not valid JSON"
            raise InvalidInput(f"text: {detail}", code="invalid_input") from None
        return Turn(text=payload.text)
    if content_type not in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        raise InvalidInput("Send the message as JSON or as multipart/form-data.", code="unsupported_media_type")
    body = multipart_read(request, file_fields={**dict.fromkeys(FILE_FIELDS, ""), "mask": "mask.png"})
    raw_base = body.fields.get("base_version", "").strip()
    if raw_base and not raw_base.isdigit():
        raise InvalidInput("base_version must be a version number (1 or more).", code="bad_base_version")
    base_version = int(raw_base) if raw_base else None
    masks = body.files_of("mask")
    if len(masks) > 1:
        raise InvalidInput("Send one mask.", code="too_many_masks")
    return Turn(
        text=body.fields.get("text", ""),
        files=body.files_of(*FILE_FIELDS),
        base_version=base_version,
        mask=masks[0] if masks else None,
    )
