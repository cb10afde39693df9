"""The AI Tools API (studio/tools_api.py): the catalogue, multipart runs, validation that changes nothing, owners."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from PIL import Image

from nanobananas.accounts.models import Guest, QuotaUsage
from nanobananas.engine.tools import TOOLS
from nanobananas.studio.models import Asset, Conversation, Job, Message
from tests.conftest import csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _png(size: tuple[int, int] = (60, 40), colour: tuple[int, int, int] = (30, 120, 200)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def _counts() -> tuple[int, ...]:
    return (
        Guest.objects.count(),
        Conversation.objects.count(),
        Message.objects.count(),
        Job.objects.count(),
        Asset.objects.count(),
        QuotaUsage.objects.count(),
    )


def _read(response: Any) -> bytes:
    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def _run(client: Client, tool: str, data: dict[str, Any], headers: dict[str, str], captured: Any) -> Any:
    with captured(execute=True):
        return client.post(f"/api/v1/tools/{tool}", data=data, headers=headers)


def test_the_catalogue_lists_every_tool_with_its_parameters(guest_client: Client) -> None:
    response = guest_client.get("/api/v1/tools")
    assert response.status_code == 200
    listed = response.json()
    assert [tool["name"] for tool in listed] == list(TOOLS)
    upscale = next(tool for tool in listed if tool["name"] == "upscale")
    assert upscale["title"] == "Upscaler"
    assert upscale["params"]["properties"]["factor"]["default"] == 2
    assert upscale["params"]["additionalProperties"] is False
    assert (upscale["min_images"], upscale["max_images"], upscale["needs_mask"], upscale["slow"]) == (1, 1, False, True)
    assert Guest.objects.count() == 0  # reading the catalogue makes no guest


def test_a_run_by_multipart_end_to_end(guest_client: Client, django_capture_on_commit_callbacks: Any) -> None:
    headers = csrf_headers(guest_client)
    response = _run(
        guest_client, "upscale", {"image": _png(), "factor": "4"}, headers, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["events_url"] == f"/api/v1/jobs/{job['id']}/events"
    done = guest_client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    detail = guest_client.get(f"/api/v1/conversations/{job['conversation_id']}").json()
    assert detail["title"] == "AI Tools"
    assert next(m["text"] for m in detail["messages"]) == "Upscaler (factor: 4)"
    [version] = detail["versions"]
    assert (version["width"], version["height"], version["kind"]) == (240, 160, "result")
    assert version["steps"][0]["tool"] == "upscale"
    body = _read(guest_client.get(version["content_url"]))
    assert Image.open(io.BytesIO(body)).size == (240, 160)

    archive = _read(guest_client.get(f"/api/v1/tools/jobs/{job['id']}/download"))
    with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
        assert sorted(bundle.namelist()) == ["manifest.json", "upscaled.png"]
        assert json.loads(bundle.read("manifest.json"))["tool"] == "upscale"


def test_parameters_as_a_json_field_and_an_earlier_picture(
    guest_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    headers = csrf_headers(guest_client)
    first = _run(guest_client, "upscale", {"image": _png((30, 20))}, headers, django_capture_on_commit_callbacks)
    detail = guest_client.get(f"/api/v1/conversations/{first.json()['conversation_id']}").json()
    [version] = detail["versions"]
    second = _run(
        guest_client,
        "convert",
        {"asset_id": version["id"], "params": json.dumps({"format": "webp", "quality": 80})},
        headers,
        django_capture_on_commit_callbacks,
    )
    assert second.status_code == 202, second.content
    assert second.json()["conversation_id"] == first.json()["conversation_id"]
    converted = Asset.objects.get(message_id=Job.objects.get(id=second.json()["id"]).result_id)
    assert (converted.content_type, converted.width, converted.height) == ("image/webp", 60, 40)
    assert converted.parent_id == Asset.objects.get(id=version["id"]).id


@pytest.mark.parametrize(
    ("tool", "data", "status", "code", "words"),
    [
        ("nope", {"image": True}, 404, "unknown_tool", "no tool called 'nope'"),
        ("upscale", {"image": True, "factor": "3"}, 422, "bad_parameter", "factor"),
        ("upscale", {"image": True, "zoom": "3"}, 422, "bad_parameter", "zoom"),
        ("upscale", {"image": True, "params": "{not json"}, 400, "bad_parameter", "params"),
        ("upscale", {}, 422, "wrong_image_count", "takes 1 picture, not 0"),
        ("upscale", {"image": "two"}, 422, "wrong_image_count", "not 2"),
        ("upscale", {"image": True, "mask": True}, 422, "mask_not_used", "takes no mask"),
        ("convert", {"image": True, "preview": "true"}, 422, "no_preview", "no preview"),
        ("upscale", {"image": True, "preview": "maybe"}, 400, "invalid_input", "preview"),
        ("upscale", {"asset_id": "not-an-id"}, 400, "invalid_input", "asset_id"),
    ],
)
def test_bad_requests_are_clear_and_change_nothing(
    guest_client: Client, tool: str, data: dict[str, Any], status: int, code: str, words: str
) -> None:
    headers = csrf_headers(guest_client)
    body = dict(data)
    if body.get("image") is True:
        body["image"] = _png()
    elif body.get("image") == "two":
        body["image"] = [_png(), _png()]
    if body.get("mask") is True:
        body["mask"] = _png()
    before = _counts()
    response = guest_client.post(f"/api/v1/tools/{tool}", data=body, headers=headers)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    assert words in error["message"], error
    assert _counts() == before


def test_too_many_pixels_is_the_uploads_413_and_changes_nothing(guest_client: Client, settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "UPLOAD_MEGAPIXELS_PER_REQUEST": 1}
    headers = csrf_headers(guest_client)
    before = _counts()
    response = guest_client.post("/api/v1/tools/upscale", data={"image": _png((1200, 1000))}, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_pixels"
    assert _counts()[1:] == before[1:]


def test_someone_elses_picture_and_conversation_are_not_found(
    guest_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    headers = csrf_headers(guest_client)
    made = _run(guest_client, "upscale", {"image": _png()}, headers, django_capture_on_commit_callbacks).json()
    [asset] = Asset.objects.filter(kind="result")

    stranger = Client(enforce_csrf_checks=True)
    stranger_headers = csrf_headers(stranger)
    before = _counts()
    for data in [
        {"asset_id": str(asset.id)},
        {"image": _png(), "conversation_id": made["conversation_id"]},
    ]:
        response = stranger.post("/api/v1/tools/upscale", data=data, headers=stranger_headers)
        assert response.status_code == 404, response.content
        assert response.json()["error"]["code"] == "not_found"
    download = stranger.get(f"/api/v1/tools/jobs/{made['id']}/download")
    assert download.status_code == 404
    # The stranger became a guest on the first write attempt, and nothing else changed.
    assert _counts()[1:] == before[1:]


def test_a_run_needs_the_csrf_token(guest_client: Client) -> None:
    response = guest_client.post("/api/v1/tools/upscale", data={"image": _png()})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert Job.objects.count() == 0
