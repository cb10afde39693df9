"""AI Tools in the studio: a tool run is a job in a conversation of its owner, and its outputs are versions.

A run is an ordinary turn (studio/services.py `message_send`): a user message naming the tool and its
parameters, the pictures stored as uploads, and a job whose options say what to run:
`{"tool": NAME, "params": {...}, "assets": [ids of earlier pictures], "preview": bool, "mask": upload id}`.
The worker runs the engine's tool (engine/tools) with progress and stores every output as a result asset,
so retention, export, deletion, history and the conversation's ZIP apply unchanged. A job holds one asset:
the main output is linked to the job, further outputs (an ID photo's print sheet, one picture per social
format) to the job's reply message.

The image quota is counted once per run, whatever the number of outputs; a preview (a small fast render of a
slow tool) and a refusal decided before any work (a generative tool without a generative provider) cost none.
"""

from __future__ import annotations

import json
import tempfile
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.analytics.services import analytics_record
from nanobananas.core.exceptions import DomainError, NotFound
from nanobananas.providers.routing import Providers, providers_for
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import images_load, job_progress
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.outcomes import Outcome, OutcomeFile, sent_details
from nanobananas.studio.selectors import asset_get, conversation_get, job_get
from nanobananas.studio.services import IncomingFile, message_send

__all__ = [
    "TOOLS_CONVERSATION_TITLE",
    "ToolCheck",
    "ToolRequestInvalid",
    "tool_catalog",
    "tool_job_archive",
    "tool_job_carry_out",
    "tool_outcome",
    "tool_request_check",
    "tool_run_start",
]

TOOLS_CONVERSATION_TITLE = "AI Tools"
ENGINE_MODEL = "nanobananas-engine"
SPOOL_BYTES = 16 * 1024 * 1024
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif"}

Progress = Callable[[int, str], None]


class ToolRequestInvalid(DomainError):
    """A tool request that cannot run as sent (a parameter, the number of pictures, the mask): 422, nothing changed."""

    status_code = 422
    code = "bad_parameter"


@dataclass(frozen=True)
class ToolCheck:
    """A tool request that passed the checks: the tool and its parameters, validated and as JSON."""

    tool: Any  # nanobananas.engine.tools.Tool, imported lazily (the engine's tools load OpenCV)
    params: dict[str, Any]


def _engine_tools() -> Any:
    from nanobananas.engine import tools

    return tools


def tool_catalog() -> list[dict[str, Any]]:
    """Every tool as the page and `GET /api/v1/tools` show it, in the page's order."""
    return [
        {
            "name": tool.name,
            "title": tool.title,
            "summary": tool.summary,
            "params": tool.params.model_json_schema(),
            "min_images": tool.min_images,
            "max_images": tool.max_images,
            "needs_mask": tool.needs_mask,
            "generative": tool.generative,
            "slow": tool.slow,
        }
        for tool in _engine_tools().TOOLS.values()
    ]


def _tool(name: str) -> Any:
    tools = _engine_tools()
    try:
        return tools.get_tool(name)
    except tools.ToolError:
        raise NotFound(
            f"There is no tool called {name!r}; the tools are {', '.join(tools.TOOLS)}.", code="unknown_tool"
        ) from None


def tool_request_check(*, name: str, params: dict[str, Any], images: int, mask: bool, preview: bool) -> ToolCheck:
    """Check a tool request before anything is stored: NotFound for an unknown tool, ToolRequestInvalid (422)
    for a bad parameter (the message names it), a wrong number of pictures, a missing or unexpected mask,
    or a preview of a tool that has none."""
    tool = _tool(name)
    tools = _engine_tools()
    try:
        validated = tool.parse_params(params)
    except tools.ToolError as exc:
        raise ToolRequestInvalid(_sentence(str(exc)), code="bad_parameter") from None
    if not tool.min_images <= images <= tool.max_images:
        wanted = (
            str(tool.min_images) if tool.min_images == tool.max_images else f"{tool.min_images} to {tool.max_images}"
        )
        noun = "picture" if tool.max_images == 1 else "pictures"
        raise ToolRequestInvalid(f"{tool.title} takes {wanted} {noun}, not {images}.", code="wrong_image_count")
    if tool.needs_mask and not mask:
        raise ToolRequestInvalid(f"{tool.title} needs a mask: paint over what to remove.", code="mask_required")
    if mask and not tool.needs_mask:
        raise ToolRequestInvalid(f"{tool.title} takes no mask.", code="mask_not_used")
    if preview and not tool.slow:
        raise ToolRequestInvalid(f"{tool.title} is quick and has no preview; run it.", code="no_preview")
    return ToolCheck(tool=tool, params=validated.model_dump(mode="json"))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _describe(tool: Any, given: dict[str, Any], check: ToolCheck) -> str:
    """The user message of a run: the tool and the parameters the request gave (validated values)."""
    shown = [f"{key}: {_shown(check.params.get(key))}" for key in given if key in check.params]
    return f"{tool.title} ({', '.join(shown)})" if shown else tool.title


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "default" if value is None else str(value)


def _tools_conversation(owner: Owner) -> Conversation:
    """The owner's own "AI Tools" conversation (the newest one that a tool run made), or a new one."""
    candidates = (
        Conversation.objects.filter(owner_filter(owner), state=Lifecycle.ACTIVE, jobs__options__has_key="tool")
        .distinct()
        .order_by("-updated_at")[:20]
    )
    for conversation in candidates:
        if conversation.title == TOOLS_CONVERSATION_TITLE:
            return conversation
    return conversation_create(owner=owner, title=TOOLS_CONVERSATION_TITLE)


def tool_run_start(
    *,
    owner: Owner,
    name: str,
    params: dict[str, Any],
    files: Sequence[IncomingFile] = (),
    asset_ids: Sequence[uuid.UUID] = (),
    mask: IncomingFile | None = None,
    conversation_id: uuid.UUID | None = None,
    preview: bool = False,
    address_key: str | None = None,
) -> tuple[Message, Job]:
    """Store a tool run as a turn of `conversation_id` (or of the owner's "AI Tools" conversation, made on
    demand) and queue its job. The pictures are the earlier pictures `asset_ids` (the owner's own; another
    owner's id is not found), then `files`, in that order. Every check runs before anything is written, and
    a request that fails one changes nothing (not even an "AI Tools" conversation)."""
    check = tool_request_check(
        name=name, params=params, images=len(asset_ids) + len(files), mask=mask is not None, preview=preview
    )
    tool = check.tool
    earlier = [asset_get(owner=owner, asset_id=asset_id) for asset_id in asset_ids]
    if any(asset.kind not in (Asset.Kind.UPLOAD, Asset.Kind.RESULT) for asset in earlier):
        raise ToolRequestInvalid("A tool works on pictures, not videos.", code="not_a_picture")
    refusal = ""
    if tool.generative:
        route = providers_for(owner)
        if route.generative is None:
            refusal = f"{tool.title} paints new content into the picture. {route.unavailable}".strip()
    options = {"tool": tool.name, "params": check.params, "assets": [str(a.id) for a in earlier], "preview": preview}
    with transaction.atomic():
        if conversation_id is not None:
            conversation = conversation_get(owner=owner, conversation_id=conversation_id)
        else:
            conversation = _tools_conversation(owner)
        message, job = message_send(
            owner=owner,
            conversation_id=conversation.id,
            text=("Preview: " if preview else "") + _describe(tool, params, check),
            files=files,
            mask=mask,
            address_key=address_key,
            options=options,
            charge=not preview,
            refusal=refusal,
        )
        analytics_record(owner, "tool_used", tool=tool.name)
    assert job is not None  # a turn with text always has a job
    return message, job


def _request_inputs(job: Job) -> list[uuid.UUID]:
    """The pictures of a tool run, in order: the earlier pictures it named, then the ones sent with it."""
    named = [uuid.UUID(str(value)) for value in job.options.get("assets", [])]
    uploads = Asset.objects.filter(message_id=job.request_id, kind=Asset.Kind.UPLOAD).order_by("number")
    if mask := job.options.get("mask"):
        uploads = uploads.exclude(id=mask)
    return [*named, *uploads.values_list("id", flat=True)]


def tool_job_carry_out(job: Job, route: Providers) -> Outcome:
    """Run the tool a tool job names (the worker's part of `tool_run_start`)."""

    def progress(percent: int, stage: str) -> None:
        job_progress(job_id=job.id, percent=percent, stage=stage, attempt=job.attempts)

    mask = job.options.get("mask")
    return tool_outcome(
        job=job,
        route=route,
        name=str(job.options["tool"]),
        params=dict(job.options.get("params") or {}),
        inputs=_request_inputs(job),
        mask_id=uuid.UUID(str(mask)) if mask else None,
        preview=bool(job.options.get("preview")),
        progress=progress,
    )


def _decoded(data: bytes) -> Image.Image:
    from nanobananas.engine.safety import decode_image

    return decode_image(data)


def tool_outcome(
    *,
    job: Job,
    route: Providers,
    name: str,
    params: dict[str, Any],
    inputs: list[uuid.UUID],
    progress: Progress,
    mask_id: uuid.UUID | None = None,
    preview: bool = False,
) -> Outcome:
    """Run tool `name` on the pictures `inputs` (asset ids) for a job: from the AI Tools page, the API, or a
    chat turn that named a tool ("make a US passport photo"). Engine errors (ToolError: no face found...) and
    provider refusals propagate for the job to record."""
    tools = _engine_tools()
    tool = tools.get_tool(name)
    validated = tool.parse_params(params)
    as_json = validated.model_dump(mode="json")
    live = set(
        Asset.objects.filter(id__in=inputs, state=Lifecycle.ACTIVE, conversation__state=Lifecycle.ACTIVE).values_list(
            "id", flat=True
        )
    )
    if any(asset_id not in live for asset_id in inputs):
        raise tools.ToolError("A picture this tool was given was deleted before it ran.", code="input_gone")
    progress(8, "Opening the picture" if len(inputs) == 1 else "Opening the pictures")
    # Loaded together, so that a shrink under the job's pixel budget keeps a mask the size of its picture.
    loaded = images_load([*inputs, *([mask_id] if mask_id else [])]) if inputs or mask_id else []
    images, mask = (loaded[:-1], loaded[-1]) if mask_id else (loaded, None)
    operation = Asset.Operation.EDIT if images else Asset.Operation.GENERATE
    parent = inputs[0] if inputs else None
    if tool.generative:
        return _generative_outcome(job, route, tool, validated, inputs, images, progress)

    def stage(percent: int, words: str) -> None:
        progress(10 + max(0, min(100, percent)) * 78 // 100, words[:1].upper() + words[1:])

    progress(10, f"Running {tool.title.lower()}" + (" (preview)" if preview else ""))
    result = tool.run(images, validated, mask=mask, progress=stage, preview=preview)
    files = [
        OutcomeFile(
            image=output.image if output.image is not None else _decoded(output.data),
            steps=[
                {
                    "op": f"tool.{tool.name}",
                    "tool": tool.name,
                    "output": output.name,
                    "params": as_json,
                    "preview": preview,
                }
            ],
            data=output.data,
            content_type=output.content_type,
        )
        for output in result.outputs
    ]
    first, more = files[0], files[1:]
    lead = f"Preview of {tool.title.lower()}" if preview else tool.title
    reply = " ".join([f"{lead}: {result.operation}.", *result.notes])
    return Outcome(
        reply=reply,
        image=first.image,
        data=first.data,
        content_type=first.content_type,
        more=more,
        operation=operation,
        parent_id=parent,
        inputs=inputs,
        steps=first.steps,
        provider="builtin",
        model=ENGINE_MODEL,
    )


def _generative_outcome(
    job: Job,
    route: Providers,
    tool: Any,
    params: Any,
    inputs: list[uuid.UUID],
    images: list[Image.Image],
    progress: Progress,
) -> Outcome:
    """A generative tool (colorize): the configured provider edits the picture with the tool's instruction."""
    from nanobananas.providers.base import ProviderRefused

    if route.generative is None:
        raise ProviderRefused(
            f"{tool.title} paints new content into the picture. {route.unavailable}".strip(), code="needs_provider"
        )
    provider = route.generative
    progress(30, f"Asking {provider.label}")
    made = provider.edit(image=images[0], instruction=tool.prompt(params), progress=progress)
    return Outcome(
        reply=f"{tool.title}: done by {provider.label}.",
        image=made.image,
        operation=Asset.Operation.EDIT,
        parent_id=inputs[0],
        inputs=inputs,
        steps=[
            {
                "op": f"tool.{tool.name}",
                "tool": tool.name,
                "output": tool.name,
                "params": params.model_dump(mode="json"),
                "preview": False,
            }
        ],
        provider=made.provider,
        model=made.model,
        sent=sent_details(made, job, inputs),
    )


def _output_name(asset: Asset) -> str:
    steps = asset.steps or []
    name = str(steps[0].get("output", "")) if steps and isinstance(steps[0], dict) else ""
    return name or f"version-{asset.number}"


def tool_job_archive(*, owner: Owner | None, job_id: uuid.UUID) -> tuple[IO[bytes], str]:
    """A ZIP of every output of one tool run (the ID photo and its sheet, each social format), named by what
    each is ("passport-us-2x2.png"), and the archive's file name. Another owner's job is not found."""
    job = job_get(owner=owner, job_id=job_id)
    if not job.options.get("tool") or job.result_id is None:
        raise NotFound("This job made no tool outputs.", code="no_outputs")
    assets = list(
        Asset.objects.filter(message_id=job.result_id, kind=Asset.Kind.RESULT, state=Lifecycle.ACTIVE).order_by(
            "number"
        )
    )
    if not assets:
        raise NotFound("The outputs of this run were deleted.", code="no_outputs")
    archive = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115  # streamed, then closed
    used: set[str] = set()
    manifest = []
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as bundle:
        for asset in assets:
            stem = _output_name(asset)
            filename = f"{stem}.{EXTENSIONS.get(asset.content_type, 'bin')}"
            if filename in used:
                filename = f"{stem}-{asset.number}.{EXTENSIONS.get(asset.content_type, 'bin')}"
            used.add(filename)
            with default_storage.open(asset.blob_name, "rb") as source, bundle.open(filename, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
            manifest.append(
                {
                    "file": filename,
                    "version": asset.number,
                    "width": asset.width,
                    "height": asset.height,
                    "content_type": asset.content_type,
                    "sha256": asset.sha256,
                    "expires_at": asset.expires_at.isoformat(),
                }
            )
        bundle.writestr("manifest.json", json.dumps({"tool": job.options["tool"], "files": manifest}, indent=2))
    archive.seek(0)
    return archive, f"nanobananas-{job.options['tool']}-{str(job.id)[:8]}.zip"
