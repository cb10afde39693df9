"""Uploads through the API under the pixel budgets: big pictures are checked from their headers first."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from nanobananas.accounts.models import RateWindow
from nanobananas.studio.models import Asset, Job, Message
from tests.conftest import blob_root, csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


class Chat:
    def __init__(self, client: Client) -> None:
        self.client = client
        self.headers = csrf_headers(client)
        created = client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=self.headers)
        self.id = created.json()["id"]

    def send(self, text: str, files: list[tuple[str, bytes]]) -> Any:
        data = {"text": text, "files[]": [_upload(name, content) for name, content in files]}
        return self.client.post(f"/api/v1/conversations/{self.id}/messages", data=data, headers=self.headers)


@pytest.fixture
def chat(guest_client: Client) -> Chat:
    return Chat(guest_client)


def _stored() -> tuple[int, int, int, list[str]]:
    blobs = blob_root()
    files = sorted(str(p) for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []
    return Message.objects.count(), Job.objects.count(), Asset.objects.count(), files


def test_pictures_adding_up_above_the_request_budget_are_refused_with_413_and_nothing_stored(chat: Chat) -> None:
    big = _png(7000, 7000)  # 49 MP in about 150 KB
    before = _stored()
    response = chat.send("make it brighter", [("a.png", big), ("b.png", big), ("c.png", big)])
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "too_many_pixels",
            "message": "These pictures add up to 147 megapixels; one message can carry at most 100. "
            "Send fewer or smaller pictures.",
        }
    }
    assert _stored() == before
    # Refused from the headers: nothing was counted against the owner's hourly budget either.
    assert not RateWindow.objects.filter(key__startswith="pixels:").exists()


def test_the_owner_hourly_budget_answers_429_with_retry_after_and_stores_nothing(chat: Chat, settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "UPLOAD_MEGAPIXELS_PER_HOUR": 3}
    picture = _png(1200, 1000)
    assert chat.send("", [("one.png", picture), ("two.png", picture)]).status_code == 202
    before = _stored()
    response = chat.send("", [("three.png", picture)])
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "pixel_budget_exceeded"
    assert error["message"].startswith("You have uploaded 3 megapixels of pictures this hour, the most an hour allows.")
    assert 0 < int(response["Retry-After"]) <= 3600
    assert _stored() == before


def test_a_big_picture_within_the_budgets_is_stored_with_its_size_and_no_metadata(chat: Chat) -> None:
    image = Image.new("RGB", (5000, 3000), (10, 20, 30))
    exif = image.getexif()
    exif[0x010F] = "PhoneMaker"  # camera make, in an eXIf chunk
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif)
    response = chat.send("", [("wide.png", buffer.getvalue())])
    assert response.status_code == 202
    [asset] = response.json()["message"]["assets"]
    assert (asset["width"], asset["height"], asset["content_type"]) == (5000, 3000, "image/png")
    stored = Asset.objects.get(id=asset["id"])
    from django.core.files.storage import default_storage

    with default_storage.open(stored.blob_name, "rb") as handle:
        data = handle.read()
    assert b"PhoneMaker" not in data
    assert Image.open(io.BytesIO(data)).size == (5000, 3000)


def test_a_big_upload_writes_no_libvips_chatter_to_the_log(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    # libvips reports every step of its work at INFO through pyvips: twenty lines per picture.
    response = chat.send("", [("big.png", _png(2500, 2000))])
    assert response.status_code == 202
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pyvips")] == []
