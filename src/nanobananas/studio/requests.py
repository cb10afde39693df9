"""Reading a chat turn from an HTTP request: JSON or multipart, with the size limit checked first."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from pydantic import ValidationError

from nanobananas.core.exceptions import InvalidInput
from nanobananas.studio.schemas import MessageIn
from nanobananas.studio.services import IncomingFile

__all__ = ["Turn", "parse_message_request"]

FILE_FIELDS = ("files[]", "files")


@dataclass
class Turn:
    text: str
    files: list[IncomingFile] = field(default_factory=list)
    base_version: int | None = None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise InvalidInput("The Content-Length header is not a number.", code="invalid_input") from None


def parse_message_request(request: HttpRequest) -> Turn:
    """The turn's text, pictures and base version. Oversized bodies are refused before any is read."""
    if _declared_length(request) > settings.MAX_REQUEST_BYTES:
        raise RequestDataTooBig("request body exceeds MAX_REQUEST_BYTES")
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            payload = MessageIn.model_validate(json.loads(request.body or b"null"))
        except (ValueError, ValidationError) as exc:
            detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "the body is not valid JSON"
            raise InvalidInput(f"text: {detail}", code="invalid_input") from None
        return Turn(text=payload.text)
    if content_type not in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        raise InvalidInput("Send the message as JSON or as multipart/form-data.", code="unsupported_media_type")
    uploads = [f for name in FILE_FIELDS for f in request.FILES.getlist(name)]
    files = [IncomingFile(name=f.name or "", data=f.read()) for f in uploads]
    raw_base = (request.POST.get("base_version") or "").strip()
    if raw_base and not raw_base.isdigit():
        raise InvalidInput("base_version must be a version number (1 or more).", code="bad_base_version")
    return Turn(text=request.POST.get("text", ""), files=files, base_version=int(raw_base) if raw_base else None)
