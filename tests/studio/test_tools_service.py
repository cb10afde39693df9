"""AI Tools as studio jobs (studio/tools.py): outputs as versions, quota once per run, refusals that cost nothing."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.test import override_settings
from PIL import Image
from pydantic import Field

from nanobananas.accounts.identity import Owner, owner_filter
from nanobananas.accounts.models import QuotaUsage
from nanobananas.audit.models import AuditEvent
from nanobananas.core.exceptions import NotFound
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools import TOOLS, Tool, ToolError, ToolOutput, ToolResult
from nanobananas.privacy.services import cleanup_run
from nanobananas.providers.builtin import NEEDS_GENERATIVE_PROVIDER
from nanobananas.providers.fake import FakeCloudProvider
from nanobananas.providers.handler import image_provider
from nanobananas.studio import downloads
from nanobananas.studio.conversations import conversation_delete
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job, Lifecycle, Message
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.studio.tools import (
    TOOLS_CONVERSATION_TITLE,
    ToolRequestInvalid,
    tool_job_archive,
    tool_run_start,
)
from tests.plans import plans_allow

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _png(size: tuple[int, int] = (40, 30), colour: tuple[int, ...] = (200, 40, 40)) -> IncomingFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return IncomingFile(name="photo.png", data=buffer.getvalue())


class SplitParams(OpParams):
    parts: int = Field(default=3, ge=1, le=5)


def _split(images: list[Image.Image], params: SplitParams, mask: Any, progress: Any, preview: bool) -> ToolResult:
    """Outputs 1..n: the picture n pixels wide per part, so each output is told apart by its width."""
    progress(50, "splitting")
    outputs = [
        ToolOutput(f"part-{n}", images[0].resize((10 * n, images[0].height))) for n in range(1, params.parts + 1)
    ]
    return ToolResult(outputs=outputs, notes=["Split for the test."], operation=f"split in {params.parts}")


class PaintParams(OpParams):
    style: str = "warm"


def _never(*args: Any) -> ToolResult:
    raise AssertionError("a generative tool never runs on the engine")


SPLIT = Tool(name="split", title="Splitter", summary="Test tool.", params=SplitParams, render=_split)
PAINT = Tool(
    name="paint",
    title="Painter",
    summary="Test tool.",
    params=PaintParams,
    render=_never,
    generative=True,
    instruction=lambda params: f"Colorize this black-and-white photo in {params.style} tones.",
)


@pytest.fixture
def test_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TOOLS, "split", SPLIT)
    monkeypatch.setitem(TOOLS, "paint", PAINT)


def _used(owner: Owner) -> int:
    return int(
        QuotaUsage.objects.filter(owner_filter(owner), kind="image", window="day").aggregate(n=Sum("used"))["n"] or 0
    )


def _counts() -> tuple[int, int, int, int]:
    return Conversation.objects.count(), Message.objects.count(), Job.objects.count(), Asset.objects.count()


def _run(owner: Owner, name: str, params: dict[str, Any], captured: Any, **kwargs: Any) -> Job:
    with captured(execute=True):
        _, job = tool_run_start(owner=owner, name=name, params=params, **kwargs)
    job.refresh_from_db()
    return job


def test_several_outputs_are_versions_of_one_run_counted_once(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _run(guest_owner, "split", {"parts": 3}, django_capture_on_commit_callbacks, files=[_png()])
    assert (job.status, job.progress, job.error_message) == ("done", 100, "")
    conversation = job.conversation
    assert conversation.title == TOOLS_CONVERSATION_TITLE
    assert job.request.text == "Splitter (parts: 3)"
    reply = Message.objects.get(id=job.result_id)
    assert reply.text == "Splitter: split in 3. Split for the test. (versions 1 to 3)"
    versions = list(Asset.objects.filter(message=reply).order_by("number"))
    assert [(a.number, a.width, a.height, a.kind) for a in versions] == [
        (1, 10, 30, "result"),
        (2, 20, 30, "result"),
        (3, 30, 30, "result"),
    ]
    [upload] = Asset.objects.filter(conversation=conversation, kind="upload")
    assert versions[0].job_id == job.id
    assert all(a.job_id is None for a in versions[1:])
    for asset, name in zip(versions, ["part-1", "part-2", "part-3"], strict=True):
        assert asset.parent_id == upload.id
        assert asset.inputs == [str(upload.id)]
        assert asset.steps == [
            {"op": "tool.split", "tool": "split", "output": name, "params": {"parts": 3}, "preview": False}
        ]
        assert asset.expires_at == asset.created_at + (upload.expires_at - upload.created_at)
        with default_storage.open(asset.blob_name, "rb") as handle:
            assert Image.open(handle).size == (asset.width, asset.height)
    assert _used(guest_owner) == 1
    assert job.options == {
        "tool": "split",
        "params": {"parts": 3},
        "assets": [],
        "preview": False,
    }

    archive, filename = tool_job_archive(owner=guest_owner, job_id=job.id)
    with archive, zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == ["manifest.json", "part-1.png", "part-2.png", "part-3.png"]
        assert Image.open(io.BytesIO(bundle.read("part-2.png"))).size == (20, 30)
        manifest = json.loads(bundle.read("manifest.json"))
    assert filename == f"nanobananas-split-{str(job.id)[:8]}.zip"
    assert [f["version"] for f in manifest["files"]] == [1, 2, 3]

    # The conversation's own ZIP holds them too, as versions beside the upload.
    whole = downloads.conversation_archive(conversation=conversation)
    with whole, zipfile.ZipFile(whole) as bundle:
        names = sorted(bundle.namelist())
    assert names == [
        "manifest.json",
        "pictures/nanobananas-picture-1.png",
        "versions/nanobananas-version-1.png",
        "versions/nanobananas-version-2.png",
        "versions/nanobananas-version-3.png",
    ]


def test_a_second_run_goes_to_the_same_tools_conversation(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    first = _run(guest_owner, "split", {"parts": 1}, django_capture_on_commit_callbacks, files=[_png()])
    second = _run(guest_owner, "split", {}, django_capture_on_commit_callbacks, files=[_png()])
    assert second.conversation_id == first.conversation_id
    assert Asset.objects.filter(conversation_id=first.conversation_id, kind="result").count() == 4
    assert _used(guest_owner) == 2


def test_a_run_on_an_earlier_picture_in_a_given_conversation(
    guest_owner: Owner, conversation: Conversation, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    message, _ = message_send(owner=guest_owner, conversation_id=conversation.id, text="", files=[_png((50, 20))])
    [upload] = Asset.objects.filter(message=message)
    job = _run(
        guest_owner,
        "split",
        {"parts": 2},
        django_capture_on_commit_callbacks,
        asset_ids=[upload.id],
        conversation_id=conversation.id,
    )
    assert job.status == "done"
    assert job.conversation_id == conversation.id
    assert [a.height for a in Asset.objects.filter(message_id=job.result_id)] == [20, 20]
    assert Asset.objects.filter(message=job.request).count() == 0  # nothing uploaded again


def test_bad_requests_change_nothing(
    guest_owner: Owner, other_guest_owner: Owner, conversation: Conversation, test_tools: None
) -> None:
    message, _ = message_send(owner=guest_owner, conversation_id=conversation.id, text="", files=[_png()])
    [mine] = Asset.objects.filter(message=message)
    before = _counts()
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"name": "nope", "params": {}, "files": [_png()]}, NotFound, "unknown_tool"),
        ({"name": "split", "params": {"parts": 9}, "files": [_png()]}, ToolRequestInvalid, "bad_parameter"),
        ({"name": "split", "params": {"colour": 1}, "files": [_png()]}, ToolRequestInvalid, "bad_parameter"),
        ({"name": "split", "params": {}, "files": []}, ToolRequestInvalid, "wrong_image_count"),
        ({"name": "split", "params": {}, "files": [_png(), _png()]}, ToolRequestInvalid, "wrong_image_count"),
        ({"name": "split", "params": {}, "files": [_png()], "mask": _png()}, ToolRequestInvalid, "mask_not_used"),
        ({"name": "split", "params": {}, "files": [_png()], "preview": True}, ToolRequestInvalid, "no_preview"),
        # Someone else's picture and someone else's conversation are simply not found.
        ({"name": "split", "params": {}, "asset_ids": [mine.id]}, NotFound, "not_found"),
        ({"name": "split", "params": {}, "asset_ids": [uuid.uuid4()]}, NotFound, "not_found"),
        ({"name": "split", "params": {}, "files": [_png()], "conversation_id": conversation.id}, NotFound, "not_found"),
    ]
    for kwargs, error, code in cases:
        with pytest.raises(error) as raised:
            tool_run_start(owner=other_guest_owner, **kwargs)
        assert raised.value.code == code, kwargs  # type: ignore[attr-defined]
    with pytest.raises(ToolRequestInvalid, match="parts: Input should be less than or equal to 5"):
        tool_run_start(owner=guest_owner, name="split", params={"parts": 9}, files=[_png()])
    assert _counts() == before
    assert _used(other_guest_owner) == 0


def test_a_generative_tool_without_a_provider_is_refused_and_costs_nothing(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _run(guest_owner, "paint", {}, django_capture_on_commit_callbacks, files=[_png()])
    assert (job.status, job.error_code, job.stage) == ("refused", "refused", "Could not do this")
    assert job.error_message == f"Painter paints new content into the picture. {NEEDS_GENERATIVE_PROVIDER}"
    assert job.result_id is None
    assert job.attempts == 0
    assert Asset.objects.filter(kind="result").count() == 0
    assert _used(guest_owner) == 0
    event = AuditEvent.objects.get(kind="generation.refused", target_id=str(job.id))
    assert event.details["refusal"] == "needs_provider"


CLOUD = {
    "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
    "fakecloud": {"BACKEND": "nanobananas.providers.fake.FakeCloudProvider", "OPTIONS": {}},
}


@pytest.fixture
def cloud(settings: Any) -> Iterator[FakeCloudProvider]:
    plans_allow("fakecloud")
    with override_settings(AI_PROVIDERS=CLOUD, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "fakecloud"}):
        provider = image_provider()
        assert isinstance(provider, FakeCloudProvider)
        yield provider


def test_a_generative_tool_goes_to_the_configured_provider_with_the_tools_instruction(
    guest_owner: Owner, test_tools: None, cloud: FakeCloudProvider, django_capture_on_commit_callbacks: Any
) -> None:
    job = _run(guest_owner, "paint", {"style": "cool"}, django_capture_on_commit_callbacks, files=[_png()])
    assert job.status == "done", job.error_message
    [call] = cloud.calls
    assert call["instruction"] == "Colorize this black-and-white photo in cool tones."
    [asset] = Asset.objects.filter(message_id=job.result_id)
    assert (asset.provider, asset.model) == ("fakecloud", "fake-cloud-1")
    assert asset.sent["input_asset_ids"] == [str(Asset.objects.get(kind="upload").id)]
    assert _used(guest_owner) == 1


def test_a_preview_costs_no_quota(guest_owner: Owner, django_capture_on_commit_callbacks: Any) -> None:
    job = _run(
        guest_owner,
        "upscale",
        {"factor": 4},
        django_capture_on_commit_callbacks,
        files=[_png((900, 600))],
        preview=True,
    )
    assert job.status == "done", job.error_message
    [asset] = Asset.objects.filter(message_id=job.result_id)
    # The preview renders from a picture at most 512 pixels long, enlarged 4x.
    assert (asset.width, asset.height) == (2048, 1364)
    assert asset.steps[0]["preview"] is True
    assert job.request.text == "Preview: Upscaler (factor: 4)"
    assert _used(guest_owner) == 0


def test_a_tool_error_is_a_clear_refusal_with_its_code(
    guest_owner: Owner, test_tools: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def no_face(*args: Any) -> ToolResult:
        raise ToolError("no face found — try a front-facing photo", code="no_face")

    monkeypatch.setitem(TOOLS, "split", Tool(name="split", title="Splitter", summary="", params=SplitParams,
                                              render=no_face))  # fmt: skip
    job = _run(guest_owner, "split", {}, django_capture_on_commit_callbacks, files=[_png()])
    assert (job.status, job.error_code, job.error_message) == (
        "refused",
        "no_face",
        "no face found — try a front-facing photo",
    )
    assert Asset.objects.filter(kind="result").count() == 0


def test_outputs_go_with_their_conversation(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = _run(guest_owner, "split", {"parts": 2}, django_capture_on_commit_callbacks, files=[_png()])
    blobs = list(Asset.objects.values_list("blob_name", flat=True))
    assert len(blobs) == 3
    assert all(default_storage.exists(name) for name in blobs)
    conversation_delete(owner=guest_owner, conversation_id=job.conversation_id)
    assert set(Asset.objects.values_list("state", flat=True)) == {Lifecycle.QUEUED}
    with pytest.raises(NotFound):
        tool_job_archive(owner=guest_owner, job_id=job.id)
    with django_capture_on_commit_callbacks(execute=True):
        cleanup_run()
    assert Asset.objects.count() == 0
    assert not any(default_storage.exists(name) for name in blobs)


def test_a_converted_file_keeps_its_own_encoding(guest_owner: Owner, django_capture_on_commit_callbacks: Any) -> None:
    job = _run(guest_owner, "convert", {"format": "webp"}, django_capture_on_commit_callbacks, files=[_png()])
    assert job.status == "done", job.error_message
    [asset] = Asset.objects.filter(message_id=job.result_id)
    assert (asset.content_type, asset.blob_name.rsplit(".", 1)[1]) == ("image/webp", "webp")
    with default_storage.open(asset.blob_name, "rb") as handle:
        data = handle.read()
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WEBP"
    assert len(data) == asset.byte_size


def test_a_job_retried_after_a_lost_worker_stores_its_outputs_once(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        _, job = tool_run_start(owner=guest_owner, name="split", params={"parts": 2}, files=[_png()])
    job_run(job_id=job.id)
    job_run(job_id=job.id)  # a second delivery of the same task changes nothing
    assert Asset.objects.filter(kind="result").count() == 2


def test_a_chat_turn_that_names_a_tool_runs_it_on_the_current_image(
    guest_owner: Owner, conversation: Conversation, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message_send(owner=guest_owner, conversation_id=conversation.id, text="", files=[_png((50, 30))])
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="upscale 4x please")
    assert job is not None
    job.refresh_from_db()
    assert job.status == "done", job.error_message
    [version] = Asset.objects.filter(job=job)
    assert (version.width, version.height) == (200, 120)
    assert version.steps[0]["tool"] == "upscale"
    assert version.parent_id == Asset.objects.get(conversation=conversation, kind="upload").id
    assert Message.objects.get(id=job.result_id).text.startswith("Upscaler: upscaled 4x.")

    with django_capture_on_commit_callbacks(execute=True):
        _, colour = message_send(owner=guest_owner, conversation_id=conversation.id, text="colorize it")
    assert colour is not None
    colour.refresh_from_db()
    assert (colour.status, colour.error_code) == ("refused", "refused")
    assert NEEDS_GENERATIVE_PROVIDER in colour.error_message


def test_history_shows_every_output_with_the_runs_words(
    guest_owner: Owner, test_tools: None, django_capture_on_commit_callbacks: Any
) -> None:
    from nanobananas.studio.history import history_search

    job = _run(guest_owner, "split", {"parts": 2}, django_capture_on_commit_callbacks, files=[_png()])
    page = history_search(owner=guest_owner, kind="result")
    assert sorted((item.version, item.prompt) for item in page.items) == [
        (1, "Splitter (parts: 2)"),
        (2, "Splitter (parts: 2)"),
    ]
    assert {item.conversation_id for item in page.items} == {job.conversation_id}
    found = history_search(owner=guest_owner, q="splitter", kind="result")
    assert sorted(item.version for item in found.items) == [1, 2]
