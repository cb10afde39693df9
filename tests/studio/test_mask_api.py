"""The web editor's brush: a mask sent with a message changes only the painted area of the version edited."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from PIL import Image, ImageChops

from nanobananas.studio.models import Asset, Conversation, Job, Message
from tests.conftest import csrf_headers

pytestmark = pytest.mark.django_db

# The painted area (left, top, right, bottom), in the poster's pixels.
AREA = (100, 200, 600, 900)


@pytest.fixture(autouse=True)
def built_in_engine_only(settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "IMAGE_PROVIDER": "builtin"}


def _image(client: Client, asset: dict[str, Any]) -> Image.Image:
    response = client.get(asset["content_url"])
    assert response.status_code == 200

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return Image.open(io.BytesIO(async_to_sync(collect)())).convert("RGB")


def _mask(size: tuple[int, int]) -> io.BytesIO:
    """Opaque everywhere, transparent in AREA (the OpenAI images API's convention, which the editor sends)."""
    mask = Image.new("RGBA", size, (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), AREA)
    out = io.BytesIO()
    mask.save(out, "PNG")
    out.seek(0)
    out.name = "mask.png"
    return out


def _counts() -> tuple[int, int, int]:
    return Message.objects.count(), Job.objects.count(), Asset.objects.count()


@pytest.fixture
def poster(guest_client: Client, django_capture_on_commit_callbacks: Any) -> tuple[dict[str, str], str, dict[str, Any]]:
    headers = csrf_headers(guest_client)
    conversation = guest_client.post("/api/v1/conversations", "{}", content_type="application/json", headers=headers)
    conversation_id = conversation.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = guest_client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            json.dumps({"text": "a poster for a bakery grand opening"}),
            content_type="application/json",
            headers=headers,
        )
    assert sent.status_code == 202
    [version] = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()["versions"]
    return headers, conversation_id, version


def test_a_painted_area_is_the_only_part_that_changes(
    guest_client: Client, poster: tuple[dict[str, str], str, dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    headers, conversation_id, first = poster
    with django_capture_on_commit_callbacks(execute=True):
        sent = guest_client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            {"text": "make it black and white", "base_version": "1", "mask": _mask((first["width"], first["height"]))},
            headers=headers,
        )
    assert sent.status_code == 202, sent.content
    job = guest_client.get(f"/api/v1/jobs/{sent.json()['job']['id']}").json()
    assert job["status"] == "done", job["error_message"]
    versions = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[1]["parent_id"] == first["id"]
    before, after = _image(guest_client, first), _image(guest_client, versions[1])
    assert after.size == before.size
    outside = ImageChops.difference(before, after)
    outside.paste((0, 0, 0), AREA)
    assert outside.getbbox() is None  # nothing changed outside the painted area
    inside_before, inside_after = before.crop(AREA), after.crop(AREA)
    assert ImageChops.difference(inside_before, inside_after).getbbox() is not None
    red, green, blue = inside_after.split()
    assert ImageChops.difference(red, green).getextrema()[1] <= 1
    assert ImageChops.difference(green, blue).getextrema()[1] <= 1


def test_a_mask_without_words_is_refused_and_changes_nothing(
    guest_client: Client, poster: tuple[dict[str, str], str, dict[str, Any]]
) -> None:
    headers, conversation_id, first = poster
    counts = _counts()
    response = guest_client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"text": "  ", "mask": _mask((first["width"], first["height"]))},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "empty_message", "message": "Type what you would like to make."}
    assert _counts() == counts


def test_a_mask_with_nothing_to_paint_on_is_refused_and_changes_nothing(guest_client: Client) -> None:
    headers = csrf_headers(guest_client)
    conversation_id = guest_client.post(
        "/api/v1/conversations", "{}", content_type="application/json", headers=headers
    ).json()["id"]
    counts = _counts()
    response = guest_client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"text": "make this brighter", "mask": _mask((64, 64))},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "mask_without_image",
        "message": "A mask goes with a picture and an instruction.",
    }
    assert _counts() == counts
    assert Conversation.objects.count() == 1


def test_two_masks_are_refused(guest_client: Client, poster: tuple[dict[str, str], str, dict[str, Any]]) -> None:
    headers, conversation_id, first = poster
    counts = _counts()
    size = (first["width"], first["height"])
    response = guest_client.post(
        f"/api/v1/conversations/{conversation_id}/messages",
        {"text": "make it brighter", "mask": [_mask(size), _mask(size)]},
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "too_many_masks", "message": "Send one mask."}
    assert _counts() == counts


def test_a_painted_area_is_marked_as_such_and_stays_out_of_history(
    guest_client: Client, poster: tuple[dict[str, str], str, dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    headers, conversation_id, first = poster
    photo = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(photo, "PNG")
    photo.seek(0)
    photo.name = "beach.png"
    with django_capture_on_commit_callbacks(execute=True):
        sent = guest_client.post(
            f"/api/v1/conversations/{conversation_id}/messages",
            {
                "text": "make it black and white",
                "base_version": "1",
                "files[]": photo,
                "mask": _mask((first["width"], first["height"])),
            },
            headers=headers,
        )
    assert sent.status_code == 202, sent.content
    detail = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()
    turn = next(m for m in detail["messages"] if m["text"] == "make it black and white")
    assert [(a["kind"], a["operation"], a["original_name"]) for a in turn["assets"]] == [
        ("upload", "upload", "beach.png"),
        ("upload", "mask", "mask.png"),
    ]
    history = guest_client.get("/api/v1/history").json()["items"]
    assert sorted((item["kind"], item["operation"], item["version"]) for item in history) == [
        ("result", "edit", 2),
        ("result", "generate", 1),
        ("upload", "upload", 1),
    ]
