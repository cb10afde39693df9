"""Multi-turn conversations through the API: versions, undo, uploads, combine, refusals, order, downloads."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
import pytest
from asgiref.sync import async_to_sync
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from nanobananas.studio.models import Asset, Conversation, Job, Message
from tests.conftest import blob_path, blob_root, csrf_headers

pytestmark = [pytest.mark.django_db, pytest.mark.database]

Capture = Callable[..., AbstractContextManager[list[Callable[[], None]]]]


def _png(size: tuple[int, int], color: tuple[int, int, int], *, marker: tuple[int, int] | None = None) -> bytes:
    image = Image.new("RGB", size, color)
    if marker is not None:
        image.putpixel(marker, (0, 255, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Chat:
    """A browser's view of one conversation; every send runs the queued jobs to the end."""

    def __init__(self, client: Client, capture: Capture) -> None:
        self.client = client
        self.capture = capture
        self.headers = csrf_headers(client)
        created = client.post("/api/v1/conversations", data="{}", content_type="application/json", headers=self.headers)
        self.id = created.json()["id"]

    def send(self, text: str, files: dict[str, bytes] | None = None, **form: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"text": text, **form}
        if files:
            data["files[]"] = [_upload(name, content) for name, content in files.items()]
        with self.capture(execute=True):
            response = self.client.post(f"/api/v1/conversations/{self.id}/messages", data=data, headers=self.headers)
        assert response.status_code == 202, response.content
        return response.json()

    def detail(self) -> dict[str, Any]:
        return self.client.get(f"/api/v1/conversations/{self.id}").json()

    def last_reply(self) -> str:
        return self.detail()["messages"][-1]["text"]

    def image(self, asset: dict[str, Any], fmt: str = "original") -> Image.Image:
        response = self.client.get(f"{asset['content_url']}&format={fmt}")
        assert response.status_code == 200
        return Image.open(io.BytesIO(_body(response)))

    def version(self, number: int) -> dict[str, Any]:
        return next(v for v in self.detail()["versions"] if v["number"] == number)


def _upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _body(response: Any) -> bytes:
    if not response.streaming:
        return bytes(response.content)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


@pytest.fixture
def chat(guest_client: Client, django_capture_on_commit_callbacks: Capture) -> Chat:
    return Chat(guest_client, django_capture_on_commit_callbacks)


def _pixels(image: Image.Image) -> bytes:
    return image.convert("RGB").tobytes()


def test_five_turns_make_a_version_tree_and_nothing_is_overwritten(chat: Chat) -> None:
    chat.send("a poster for a bakery grand opening")
    chat.send("make it black and white")
    chat.send("undo")
    chat.send("go back to version 2")
    chat.send("rotate it 90 degrees clockwise")

    detail = chat.detail()
    versions = {v["number"]: v for v in detail["versions"]}
    assert sorted(versions) == [1, 2, 3, 4, 5]
    assert [versions[n]["operation"] for n in range(1, 6)] == ["generate", "edit", "revert", "revert", "edit"]
    assert versions[2]["parent_id"] == versions[1]["id"]
    assert versions[3]["parent_id"] == versions[1]["id"]
    assert versions[4]["parent_id"] == versions[2]["id"]
    assert versions[5]["parent_id"] == versions[4]["id"]

    v1, v2, v3, v4, v5 = (chat.image(versions[n]) for n in range(1, 6))
    gray = np.asarray(v2.convert("RGB")).astype(int)
    assert (gray[..., 0] == gray[..., 1]).all(), "version 2 is not grayscale"
    assert (gray[..., 1] == gray[..., 2]).all(), "version 2 is not grayscale"
    assert v2.size == v1.size
    assert _pixels(v3) == _pixels(v1), "undo did not restore version 1"
    assert _pixels(v4) == _pixels(v2), "version 4 is not version 2"
    assert v5.size == (v4.height, v4.width)
    # Version 1's white corner block (top-left) is at the top-right after a clockwise turn.
    assert v5.convert("RGB").getpixel((v5.width - 1, 0)) == (255, 255, 255)
    assert versions[2]["plan"]["steps"][0]["op"] == "grayscale"
    assert versions[2]["steps"][0]["op"] == "grayscale"
    assert versions[2]["provider"] == "fake"
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"] * 5
    assert detail["messages"][5]["text"] == "Back to version 1. (version 3)"


def test_an_uploaded_photo_is_edited_and_its_metadata_is_not_kept(chat: Chat) -> None:
    photo = Image.new("RGB", (40, 30), (200, 30, 30))
    photo.putpixel((0, 0), (0, 255, 0))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera maker
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG", exif=exif)

    chat.send("rotate 90 degrees clockwise", files={"holiday.png": buffer.getvalue()})
    detail = chat.detail()
    [upload] = detail["uploads"]
    [version] = detail["versions"]
    assert (upload["number"], upload["original_name"], upload["width"], upload["height"]) == (1, "holiday.png", 40, 30)
    assert version["parent_id"] == upload["id"]
    stored = Asset.objects.get(id=upload["id"])
    with default_storage.open(stored.blob_name, "rb") as handle:
        raw = handle.read()
    assert b"SecretCam" not in raw
    rotated = chat.image(version)
    assert rotated.size == (30, 40)
    assert rotated.convert("RGB").getpixel((29, 0)) == (0, 255, 0)


def test_do_the_same_to_a_new_upload_repeats_the_last_edit(chat: Chat) -> None:
    chat.send("make it black and white", files={"a.png": _png((20, 10), (250, 0, 0))})
    chat.send("do the same to this one", files={"b.png": _png((12, 12), (0, 0, 250))})
    versions = chat.detail()["versions"]
    assert [v["operation"] for v in versions] == ["edit", "edit"]
    second = chat.image(versions[1])
    assert second.size == (12, 12)
    assert len(np.unique(np.asarray(second.convert("RGB")).reshape(-1, 3), axis=0)) == 1
    r, g, b = second.convert("RGB").getpixel((0, 0))
    assert r == g == b
    assert versions[1]["plan"]["steps"] == versions[0]["plan"]["steps"]


def test_two_uploads_combined_side_by_side(chat: Chat) -> None:
    chat.send(
        "combine the two photos side by side",
        files={"left.png": _png((30, 20), (255, 0, 0)), "right.png": _png((60, 40), (0, 0, 255))},
    )
    [version] = chat.detail()["versions"]
    combined = chat.image(version).convert("RGB")
    # Both scaled to the smaller height (20): 30 + 30 wide.
    assert combined.size == (60, 20)
    assert combined.getpixel((5, 10)) == (255, 0, 0)
    assert combined.getpixel((55, 10)) == (0, 0, 255)
    assert version["operation"] == "combine"
    assert len(version["inputs"]) == 2
    assert chat.last_reply() == "Combined picture 1 and picture 2 side by side. (version 1)"


def test_pictures_without_text_are_acknowledged_and_the_next_turn_edits_them(chat: Chat) -> None:
    sent = chat.send("", files={"cat.png": _png((16, 8), (10, 200, 10))})
    assert sent["job"] is None
    assert chat.last_reply() == "Got your picture (picture 1). What would you like me to do?"
    chat.send("flip it horizontally")
    [version] = chat.detail()["versions"]
    assert chat.image(version).size == (16, 8)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("notes.png", b"this is a text file, not a picture", "bad_image"),
        ("empty.jpg", b"", "bad_image"),
        ("cut.png", _png((50, 50), (1, 2, 3))[:60], "bad_image"),
    ],
)
def test_a_bad_upload_is_refused_and_stores_nothing(chat: Chat, name: str, content: bytes, code: str) -> None:
    before = (Message.objects.count(), Job.objects.count(), Asset.objects.count())
    blobs = blob_root()
    files_before = sorted(p for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []
    response = chat.client.post(
        f"/api/v1/conversations/{chat.id}/messages",
        data={"text": "make it brighter", "files[]": [_upload(name, content)]},
        headers=chat.headers,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"].startswith(f"{name}:")
    assert (Message.objects.count(), Job.objects.count(), Asset.objects.count()) == before
    files_after = sorted(p for p in blobs.rglob("*") if p.is_file()) if blobs.exists() else []
    assert files_after == files_before


def test_too_large_uploads_are_refused(chat: Chat, settings: Any) -> None:
    settings.NANOBANANAS = {**settings.NANOBANANAS, "MAX_UPLOAD_BYTES": 1000}
    response = chat.client.post(
        f"/api/v1/conversations/{chat.id}/messages",
        data={"text": "brighter", "files[]": [_upload("big.png", _png((300, 300), (9, 9, 9)) + b"\0" * 2000)]},
        headers=chat.headers,
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "file_too_large"
    assert Asset.objects.count() == 0


def test_a_generative_request_is_refused_honestly_and_the_chat_goes_on(chat: Chat) -> None:
    chat.send("a poster for a bakery")
    sent = chat.send("replace the red ball with a cat")
    job = chat.client.get(f"/api/v1/jobs/{sent['job']['id']}").json()
    assert job["status"] == "refused"
    assert "NANOBANANAS_IMAGE_PROVIDER" in job["error_message"]
    assert len(chat.detail()["versions"]) == 1
    chat.send("make it black and white")
    assert len(chat.detail()["versions"]) == 2


def test_an_instruction_it_does_not_understand_gets_a_question(chat: Chat) -> None:
    chat.send("a poster for a bakery")
    sent = chat.send("flibber the wobblegong")
    job = chat.client.get(f"/api/v1/jobs/{sent['job']['id']}").json()
    assert job["status"] == "done"
    assert len(chat.detail()["versions"]) == 1
    assert "?" in chat.last_reply()


def test_unknown_version_gets_a_question_not_an_error(chat: Chat) -> None:
    chat.send("a poster for a bakery")
    chat.send("go back to version 7")
    assert chat.last_reply() == "I can't find version 7. Versions in this chat: 1."


def test_base_version_picks_the_image_to_edit(chat: Chat) -> None:
    chat.send("a poster for a bakery")
    chat.send("rotate it 90 degrees clockwise")
    chat.send("make it black and white", base_version="1")
    versions = {v["number"]: v for v in chat.detail()["versions"]}
    assert versions[3]["parent_id"] == versions[1]["id"]
    assert chat.image(versions[3]).size == chat.image(versions[1]).size


def test_two_messages_sent_at_once_are_answered_in_order(
    guest_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    from nanobananas.studio.jobs import job_run

    chat = Chat(guest_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        first = chat.client.post(
            f"/api/v1/conversations/{chat.id}/messages", data={"text": "a poster for a bakery"}, headers=chat.headers
        ).json()["job"]["id"]
        second = chat.client.post(
            f"/api/v1/conversations/{chat.id}/messages", data={"text": "make it black and white"}, headers=chat.headers
        ).json()["job"]["id"]
    # The worker happens to take the second turn first: it must wait for the first.
    job_run(job_id=second)
    assert Job.objects.get(id=second).status == "queued"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job_run(job_id=first)
    assert len(callbacks) == 1, "finishing the first turn hands the second to the queue"
    assert Job.objects.get(id=second).status == "done"
    versions = {v["number"]: v for v in chat.detail()["versions"]}
    assert versions[2]["parent_id"] == versions[1]["id"]


def test_a_failed_job_can_be_retried_once_it_failed(
    chat: Chat, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Capture
) -> None:
    from nanobananas.providers.fake import FakeProvider

    original = FakeProvider.generate
    monkeypatch.setattr(FakeProvider, "generate", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    job_id = chat.send("a poster for a bakery")["job"]["id"]
    assert chat.client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "failed"
    monkeypatch.setattr(FakeProvider, "generate", original)
    with django_capture_on_commit_callbacks(execute=True):
        retried = chat.client.post(f"/api/v1/jobs/{job_id}/retry", headers=chat.headers)
    assert retried.status_code == 202
    job = chat.client.get(f"/api/v1/jobs/{job_id}").json()
    assert (job["status"], job["error_code"]) == ("done", "")
    assert len(chat.detail()["versions"]) == 1
    again = chat.client.post(f"/api/v1/jobs/{job_id}/retry", headers=chat.headers)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_retryable"


def test_downloads_convert_and_the_zip_holds_every_version(chat: Chat) -> None:
    chat.send("a poster", files={"photo.png": _png((20, 10), (250, 10, 10))})
    chat.send("make it black and white")
    detail = chat.detail()
    version = detail["versions"][-1]
    assert chat.image(version, "jpeg").format == "JPEG"
    assert chat.image(version, "webp").format == "WEBP"
    assert chat.image(version, "png").format == "PNG"
    bad = chat.client.get(f"{version['content_url']}&format=bmp")
    assert bad.status_code == 400

    response = chat.client.get(f"/api/v1/conversations/{chat.id}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    bundle = zipfile.ZipFile(io.BytesIO(_body(response)))
    manifest = json.loads(bundle.read("manifest.json"))
    names = sorted(bundle.namelist())
    assert names == sorted(["manifest.json", *[f["file"] for f in manifest["files"]]])
    assert len(manifest["files"]) == len(detail["versions"]) + len(detail["uploads"])
    for entry in manifest["files"]:
        assert hashlib.sha256(bundle.read(entry["file"])).hexdigest() == entry["sha256"]


def test_deleting_a_conversation_hides_it_at_once_and_the_purge_removes_rows_and_files(chat: Chat) -> None:
    from nanobananas.privacy.models import DeletionReceipt
    from nanobananas.privacy.services import retention_purge

    chat.send("a poster", files={"photo.png": _png((20, 10), (250, 10, 10))})
    chat.send("make it black and white")
    paths = [blob_path(a.blob_name) for a in Asset.objects.all()]
    assert len(paths) == 2
    assert all(p.exists() for p in paths)

    stranger = Client(enforce_csrf_checks=True)
    response = stranger.delete(f"/api/v1/conversations/{chat.id}", headers=csrf_headers(stranger))
    assert response.status_code == 404
    assert Conversation.objects.get().state == "active"

    response = chat.client.delete(f"/api/v1/conversations/{chat.id}", headers=chat.headers)
    assert response.status_code == 204
    assert chat.client.get(f"/api/v1/conversations/{chat.id}").status_code == 404
    assert chat.client.get("/api/v1/conversations").json()["count"] == 0
    version_url = f"/api/v1/assets/{Asset.objects.filter(kind='result').get().id}/content"
    assert chat.client.get(version_url).status_code == 404

    result = retention_purge()
    assert result.purged == {"asset": 2, "message": 4, "conversation": 1}
    assert not any(p.exists() for p in paths)
    assert (Conversation.objects.count(), Message.objects.count(), Asset.objects.count(), Job.objects.count()) == (
        0,
        0,
        0,
        0,
    )
    receipts = DeletionReceipt.objects.filter(reason="user_request")
    assert sorted(receipts.values_list("kind", flat=True)) == ["asset"] * 2 + ["conversation"] + ["message"] * 4


def test_deleting_one_image_hides_it_and_the_purge_removes_its_file(chat: Chat) -> None:
    from nanobananas.privacy.services import retention_purge

    chat.send("a poster")
    chat.send("make it black and white")
    first, second = chat.detail()["versions"]
    first_path = blob_path(Asset.objects.get(id=first["id"]).blob_name)
    assert chat.client.delete(f"/api/v1/assets/{first['id']}", headers=chat.headers).status_code == 204
    assert chat.client.get(first["content_url"]).status_code == 404
    assert [v["id"] for v in chat.detail()["versions"]] == [second["id"]]
    assert first_path.exists()

    retention_purge()
    assert not first_path.exists()
    detail = chat.detail()
    assert [v["id"] for v in detail["versions"]] == [second["id"]]
    assert detail["versions"][0]["parent_id"] is None
    assert chat.image(detail["versions"][0]).size == (64, 48)
    placeholder = detail["messages"][1]["deleted_images"]
    assert [(p["kind"], p["number"], p["reason"]) for p in placeholder] == [("image", 1, "user_request")]


def test_the_daily_quota_stops_the_turn_before_anything_is_stored(chat: Chat) -> None:
    from nanobananas.accounts.models import Plan

    Plan.objects.filter(code=Plan.GUEST).update(daily_images=2)
    chat.send("a poster")
    chat.send("make it black and white")
    before = (Message.objects.count(), Job.objects.count(), Asset.objects.count())
    response = chat.client.post(
        f"/api/v1/conversations/{chat.id}/messages", data={"text": "undo"}, headers=chat.headers
    )
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "2" in error["message"]
    assert (Message.objects.count(), Job.objects.count(), Asset.objects.count()) == before


def test_results_are_shrunk_to_the_plans_resolution(chat: Chat) -> None:
    from nanobananas.accounts.models import Plan

    Plan.objects.filter(code=Plan.GUEST).update(max_resolution=40)
    chat.send("a poster")
    [version] = chat.detail()["versions"]
    assert (version["width"], version["height"]) == (40, 30)
    assert chat.image(version).size == (40, 30)


def test_a_logo_is_placed_on_the_photo_where_asked(chat: Chat) -> None:
    logo = Image.new("RGBA", (20, 10), (0, 0, 255, 255))
    buffer = io.BytesIO()
    logo.save(buffer, format="PNG")
    chat.send(
        "put the logo in the top left corner",
        files={"photo.png": _png((200, 100), (250, 250, 250)), "logo.png": buffer.getvalue()},
    )
    [version] = chat.detail()["versions"]
    placed = chat.image(version).convert("RGB")
    assert placed.size == (200, 100)
    # 20% of the width (40 px wide, 20 high), 3% (6 px) from the top-left corner.
    assert placed.getpixel((6 + 20, 6 + 10)) == (0, 0, 255)
    assert placed.getpixel((150, 80)) == (250, 250, 250)
    assert chat.last_reply() == "Placed picture 2 on picture 1 (top left). (version 1)"


def test_the_subject_of_one_photo_goes_on_the_other_as_background(chat: Chat) -> None:
    from PIL import ImageDraw

    product = Image.new("RGB", (300, 300), (236, 236, 236))
    ImageDraw.Draw(product).rounded_rectangle([90, 90, 210, 210], 20, fill=(150, 20, 30))
    buffer = io.BytesIO()
    product.save(buffer, format="PNG")
    chat.send(
        "use the second photo as the background",
        files={"product.png": buffer.getvalue(), "beach.png": _png((600, 300), (20, 120, 220))},
    )
    [version] = chat.detail()["versions"]
    result = chat.image(version).convert("RGB")
    assert result.size == (300, 300)
    assert result.getpixel((5, 5)) == (20, 120, 220), "the backdrop was replaced"
    r, g, b = result.getpixel((150, 150))
    assert max(abs(r - 150), abs(g - 20), abs(b - 30)) < 12, "the product stayed"
    assert [s["op"] for s in version["steps"]] == ["remove_background", "place_on_background"]


def test_a_burst_of_messages_is_rate_limited_per_owner(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    from nanobananas.accounts.ratelimits import RATE_LIMITS, RateLimit

    monkeypatch.setitem(RATE_LIMITS, "generate", RateLimit(per_owner=2, per_address=100, seconds=60, what="requests"))
    chat.send("a poster")
    chat.send("make it black and white")
    before = (Message.objects.count(), Job.objects.count())
    response = chat.client.post(
        f"/api/v1/conversations/{chat.id}/messages", data={"text": "undo"}, headers=chat.headers
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert (Message.objects.count(), Job.objects.count()) == before


def test_image_links_are_signed_short_lived_and_bound_to_the_image(chat: Chat) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    chat.send("a poster")
    chat.send("make it black and white")
    first, second = chat.detail()["versions"]
    assert "?token=" in first["content_url"]
    stranger = Client()
    response = stranger.get(first["content_url"])
    assert response.status_code == 200, "a signed link works without a session"
    assert Image.open(io.BytesIO(_body(response))).size == (64, 48)
    swapped = first["content_url"].replace(first["id"], second["id"])
    assert stranger.get(swapped).status_code == 404, "a token is bound to one image"
    assert stranger.get(first["content_url"][:-3] + "xyz").status_code == 404
    assert stranger.get(f"/api/v1/assets/{first['id']}/content").status_code == 404, "no token, no session: 404"
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=5), tick=False):
        expired = stranger.get(first["content_url"])
    assert expired.status_code == 410
    assert expired.json()["error"]["code"] == "link_expired"
    assert chat.client.delete(f"/api/v1/assets/{first['id']}", headers=chat.headers).status_code == 204
    assert stranger.get(first["content_url"]).status_code == 404, "a deleted image's link stops at once"
