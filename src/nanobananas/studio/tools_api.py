"""AI Tools endpoints: the tools and their parameters, a tool run (a job with live events), a run's outputs as a ZIP."""

from __future__ import annotations

import json
import uuid
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Router, Schema, Status
from pydantic import Field

from nanobananas.accounts.identity import (
    request_address_key,
    request_owner,
    request_owner_for_write,
    request_rate_limit,
)
from nanobananas.core.exceptions import InvalidInput
from nanobananas.core.streaming import aiter_file
from nanobananas.studio import tools
from nanobananas.studio.outputs import job_out
from nanobananas.studio.requests import multipart_read
from nanobananas.studio.schemas import JobOut

router = Router(tags=["tools"])

# Form fields of a run that are not tool parameters.
RESERVED = {"image", "asset_id", "mask", "params", "conversation_id", "preview", "csrfmiddlewaretoken"}
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


class ToolOut(Schema):
    name: str = Field(description="The tool's slug, as in POST /api/v1/tools/{tool} and `nanobananas tool NAME`.")
    title: str
    summary: str
    params: dict[str, Any] = Field(description="JSON schema of the tool's parameters (all have defaults).")
    min_images: int
    max_images: int
    needs_mask: bool = Field(description="Takes a mask image: white marks the area to remove.")
    generative: bool = Field(description="Needs a generative image provider; refused without one (costs nothing).")
    slow: bool = Field(description="Offers `preview`: a fast small render before the full one.")


RUN_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "image": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "asset_id": {
                        "type": "array",
                        "items": {"type": "string", "format": "uuid"},
                        "description": "Earlier pictures of yours to use (they come before the uploaded images).",
                    },
                    "mask": {"type": "string", "format": "binary", "description": "White = the area to remove."},
                    "params": {"type": "string", "description": "The tool's parameters as a JSON object."},
                    "conversation_id": {
                        "type": "string",
                        "format": "uuid",
                        "description": "Run in this conversation; by default in your own AI Tools conversation.",
                    },
                    "preview": {"type": "boolean", "description": "A fast small render (slow tools only)."},
                },
                "additionalProperties": {"type": "string", "description": "A tool parameter, e.g. factor=4."},
            }
        }
    },
    "required": True,
}


@router.get("/tools", response=list[ToolOut])
def list_tools(request: HttpRequest) -> list[dict[str, Any]]:
    return tools.tool_catalog()


def _params(request: HttpRequest, name: str) -> dict[str, Any]:
    """The tool's parameters: the JSON `params` field, then each other form field as its type says."""
    from nanobananas.engine.tools.command import form_value

    raw = request.POST.get("params", "").strip()
    params: dict[str, Any] = {}
    if raw:
        try:
            params = json.loads(raw)
        except ValueError:
            raise InvalidInput("params: not a JSON object.", code="bad_parameter") from None
        if not isinstance(params, dict):
            raise InvalidInput("params: not a JSON object.", code="bad_parameter")
    schema: dict[str, Any] = next((tool["params"] for tool in tools.tool_catalog() if tool["name"] == name), {})
    for key in request.POST:
        if key not in RESERVED:
            params[key] = form_value(schema, key, request.POST.getlist(key))
    return params


def _uuids(values: list[str], field: str) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value.strip()) for value in values if value.strip()]
    except ValueError:
        raise InvalidInput(f"{field}: not an id.", code="invalid_input") from None


@router.post("/tools/{tool}", response={202: JobOut}, openapi_extra={"requestBody": RUN_BODY})
def run_tool(request: HttpRequest, tool: str) -> Status[JobOut]:
    """Run a tool on pictures: `image` files and/or `asset_id`s of earlier pictures. Answers the queued job;
    follow it at its `events_url`, its reply message holds the outputs as versions."""
    if (request.content_type or "") not in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        raise InvalidInput("Send a tool run as multipart/form-data.", code="unsupported_media_type")
    body = multipart_read(request, file_fields={"image": "image", "mask": "mask"})
    params = _params(request, tool)
    asset_ids = _uuids(request.POST.getlist("asset_id"), "asset_id")
    conversations = _uuids([request.POST.get("conversation_id", "")], "conversation_id")
    conversation_id = conversations[0] if conversations else None
    preview_word = request.POST.get("preview", "").strip().lower()
    if preview_word not in TRUE_WORDS | FALSE_WORDS:
        raise InvalidInput("preview: true or false.", code="invalid_input")
    preview = preview_word in TRUE_WORDS
    files, masks = body.files_of("image"), body.files_of("mask")
    if len(masks) > 1:
        raise InvalidInput("Send one mask.", code="invalid_input")
    # Checked before the visitor becomes a guest: a request that cannot run changes nothing at all.
    tools.tool_request_check(
        name=tool, params=params, images=len(files) + len(asset_ids), mask=bool(masks), preview=preview
    )
    owner = request_owner_for_write(request)
    request_rate_limit(request, scope="generate")
    _, job = tools.tool_run_start(
        owner=owner,
        name=tool,
        params=params,
        files=files,
        asset_ids=asset_ids,
        mask=masks[0] if masks else None,
        conversation_id=conversation_id,
        preview=preview,
        address_key=request_address_key(request),
    )
    return Status(202, job_out(job))


@router.get(
    "/tools/jobs/{job_id}/download",
    response={200: None},
    # The int 200, as in `response=`: ninja merges the two; a "200" string would be a second "200" key.
    openapi_extra={
        "responses": {
            200: {
                "description": "A ZIP of every output of one tool run, named by what each is, with a manifest.json.",
                "content": {"application/zip": {}},
            }
        }
    },
)
async def download_tool_outputs(request: HttpRequest, job_id: uuid.UUID) -> StreamingHttpResponse:
    owner = await sync_to_async(request_owner)(request)
    archive, filename = await sync_to_async(tools.tool_job_archive)(owner=owner, job_id=job_id)
    response = StreamingHttpResponse(aiter_file(archive), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
