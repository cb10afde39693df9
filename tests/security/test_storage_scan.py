"""After a whole journey through the API, the storage folder holds only ciphertext and the database
holds no prompt text: no image, video or archive magic bytes at the start of any file, and no marker
string (from prompts or from a photo's EXIF) anywhere in any file or message row."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from PIL import Image

from nanobananas.studio.models import Asset, Conversation, Message
from tests.conftest import blob_root, csrf_headers
from tests.studio.test_conversation_flow import _body, _upload

pytestmark = [pytest.mark.django_db, pytest.mark.database]

PROMPT_MARKER = f"PROMPTMARK{uuid.uuid4().hex[:10]}"
EXIF_MARKER = f"EXIFMARK{uuid.uuid4().hex[:10]}"
GPS_IFD = 0x8825

MAGIC = {
    "PNG": (0, b"\x89PNG\r\n\x1a\n"),
    "JPEG": (0, b"\xff\xd8\xff"),
    "WebP": (8, b"WEBP"),  # RIFF....WEBP
    "RIFF": (0, b"RIFF"),
    "MP4": (4, b"ftyp"),
    "ZIP": (0, b"PK\x03\x04"),
    "GIF": (0, b"GIF8"),
}


def _gps_jpeg() -> bytes:
    """A photo with the marker in three EXIF text fields and a GPS position."""
    image = Image.new("RGB", (96, 64), (30, 120, 200))
    for x in range(20, 60):
        for y in range(10, 40):
            image.putpixel((x, y), (240, 200, 40))
    exif = Image.Exif()
    exif[0x010E] = f"description {EXIF_MARKER}"  # ImageDescription
    exif[0x013B] = f"artist {EXIF_MARKER}"  # Artist
    exif[0x8298] = f"copyright {EXIF_MARKER}"  # Copyright
    exif[GPS_IFD] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92, exif=exif.tobytes())
    data = out.getvalue()
    assert EXIF_MARKER.encode() in data
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    return data


class Journey:
    def __init__(self, capture: Any) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.capture = capture
        self.headers = csrf_headers(self.client)

    def post_json(self, path: str, payload: dict[str, Any]) -> Any:
        with self.capture(execute=True):
            return self.client.post(
                path, data=json.dumps(payload), content_type="application/json", headers=self.headers
            )

    def new_conversation(self) -> str:
        response = self.post_json("/api/v1/conversations", {})
        assert response.status_code == 201
        return str(response.json()["id"])

    def send(self, conversation: str, text: str, files: dict[str, bytes] | None = None) -> None:
        data: dict[str, Any] = {"text": text}
        if files:
            data["files[]"] = [_upload(name, content) for name, content in files.items()]
        with self.capture(execute=True):
            response = self.client.post(
                f"/api/v1/conversations/{conversation}/messages", data=data, headers=self.headers
            )
        assert response.status_code == 202, response.content

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.content[:500])
        return response


def _scan(root: Path) -> list[Path]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        data = path.read_bytes()
        for kind, (offset, magic) in MAGIC.items():
            assert data[offset : offset + len(magic)] != magic, f"{path} starts like a {kind} file"
        for marker in (PROMPT_MARKER, EXIF_MARKER):
            for encoded in (marker.encode(), marker.encode("utf-16-le")):
                assert encoded not in data, f"{path} holds the marker {marker}"
    return files


def test_after_a_full_journey_storage_holds_only_ciphertext_and_no_markers(
    django_capture_on_commit_callbacks: Any,
) -> None:
    journey = Journey(django_capture_on_commit_callbacks)
    # A guest uploads a GPS-tagged photo and edits it in a chat.
    photo_chat = journey.new_conversation()
    journey.send(photo_chat, f"make it black and white {PROMPT_MARKER}", {"holiday.jpg": _gps_jpeg()})
    journey.send(photo_chat, f"now make it brighter, {PROMPT_MARKER}")
    journey.send(photo_chat, "rotate it 90 degrees")
    # ...and makes a design.
    design_chat = journey.new_conversation()
    journey.send(design_chat, f"make a poster for the {PROMPT_MARKER} bakery grand opening")
    journey.send(design_chat, "now make the background blue")
    assert Asset.objects.filter(kind=Asset.Kind.UPLOAD).count() == 1
    assert Asset.objects.filter(kind=Asset.Kind.RESULT).count() >= 4
    # Signing up takes the guest's work into the account.
    response = journey.post_json(
        "/api/v1/auth/signup",
        {
            "email": "scan@example.org", "username": "scanner", "display_name": "Scanner",
            "password": "correct horse battery", "birth_month": 5, "birth_year": 1990,
        },
    )  # fmt: skip
    assert response.status_code == 201, response.content
    journey.headers = csrf_headers(journey.client)
    user_id = response.json()["user"]["id"]
    assert set(Conversation.objects.values_list("owner_user_id", flat=True)) == {user_id}
    # Downloads: every image, and each conversation as a ZIP.
    downloaded = 0
    for conversation in (photo_chat, design_chat):
        detail = journey.get(f"/api/v1/conversations/{conversation}").json()
        for item in [*detail["versions"], *detail["uploads"]]:
            body = _body(journey.get(item["content_url"]))
            assert EXIF_MARKER.encode() not in body
            assert not Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD)
            downloaded += 1
    assert downloaded == Asset.objects.count()
    for conversation in (photo_chat, design_chat):
        archive = _body(journey.get(f"/api/v1/conversations/{conversation}/download"))
        assert archive.startswith(b"PK\x03\x04")
    # Export everything, and download the archive: the plain text really exists, outside storage.
    response = journey.post_json("/api/v1/me/exports", {})
    assert response.status_code == 202, response.content
    export = journey.get(f"/api/v1/me/exports/{response.json()['id']}").json()
    assert export["status"] == "ready"
    exported = zipfile.ZipFile(io.BytesIO(_body(journey.get(export["download_url"]))))
    everything = b"".join(exported.read(name) for name in exported.namelist())
    assert PROMPT_MARKER.encode() in everything
    assert EXIF_MARKER.encode() not in everything

    files = _scan(blob_root())
    names = {str(p.relative_to(blob_root())) for p in files}
    assert len(files) >= 7  # one upload, at least four results, one export (and nothing is skipped)
    assert any(name.startswith("exports/") for name in names)
    # The database: message and conversation rows hold sealed tokens, never the prompt.
    with connection.cursor() as cursor:
        for table in (Message._meta.db_table, Conversation._meta.db_table, Asset._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")  # table names come from the models
            rows = cursor.fetchall()
            assert rows
            dump = repr(rows)
            assert PROMPT_MARKER not in dump, table
            assert EXIF_MARKER not in dump, table
    texts = [m.text for m in Message.objects.all()]
    assert any(PROMPT_MARKER in text for text in texts)  # the marker is stored, just sealed
