"""After a whole journey through the API that uses every kind of input (prompts, a text step, a caption,
an upload's file name, a report, a profile), the storage folder holds only ciphertext and the database
holds none of the words: no image, video or archive magic bytes at the start of any file, and no marker
string (from any input or from a photo's EXIF) anywhere in any file, in any column of any table, or (on
SQLite) anywhere in the database's bytes, free pages included. Nor in any log line written meanwhile."""

from __future__ import annotations

import io
import json
import logging
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
# Upper case: the text step and the caption draw these words into the pictures as they are.
TEXT_MARKER = f"TEXTMARK{uuid.uuid4().hex[:8].upper()}"
CAPTION_MARKER = f"CAPTIONMARK{uuid.uuid4().hex[:8].upper()}"
NAME_MARKER = f"namemark{uuid.uuid4().hex[:10]}"
REPORT_MARKER = f"REPORTMARK{uuid.uuid4().hex[:10]}"
PROFILE_MARKER = f"PROFILEMARK{uuid.uuid4().hex[:10]}"
MARKERS = (PROMPT_MARKER, EXIF_MARKER, TEXT_MARKER, CAPTION_MARKER, NAME_MARKER, REPORT_MARKER, PROFILE_MARKER)
# What the person wrote, which their export must give back (EXIF is stripped at upload, so it is not).
WRITTEN = (PROMPT_MARKER, TEXT_MARKER, CAPTION_MARKER, NAME_MARKER, PROFILE_MARKER)
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
        _assert_no_marker(data, str(path))
    return files


def _assert_no_marker(data: bytes, where: str) -> None:
    for marker in MARKERS:
        for variant in (marker, marker.lower(), marker.upper()):
            for encoded in (variant.encode(), variant.encode("utf-16-le")):
                assert encoded not in data, f"{where} holds the marker {marker}"


def _database_rows() -> bytes:
    """Every row of every table (text, JSON and binary columns alike), as the database returns them."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # names from the database itself
            for row in cursor.fetchall():
                for value in row:
                    parts.append(bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode())
    return b"\n".join(parts)


def _database_image() -> bytes:
    """On SQLite, the database's bytes as a file would hold them, free pages included; elsewhere nothing
    (PostgreSQL's files are the server's: the rows above are what it holds)."""
    if connection.vendor != "sqlite":
        return b""
    connection.ensure_connection()
    return bytes(connection.connection.serialize())  # type: ignore[union-attr]


def test_after_a_full_journey_storage_holds_only_ciphertext_and_no_markers(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    journey = Journey(django_capture_on_commit_callbacks)
    # A guest uploads a GPS-tagged photo (its file name carries a marker) and edits it in a chat.
    photo_chat = journey.new_conversation()
    journey.send(photo_chat, f"make it black and white {PROMPT_MARKER}", {f"holiday-{NAME_MARKER}.jpg": _gps_jpeg()})
    journey.send(photo_chat, f"now make it brighter, {PROMPT_MARKER}")
    journey.send(photo_chat, "rotate it 90 degrees")
    journey.send(photo_chat, f'add the text "{TEXT_MARKER}" at the top')
    journey.send(photo_chat, f'add a caption "{CAPTION_MARKER}" at the bottom')
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
            "email": "scan@example.org", "username": "scanner", "display_name": f"Scanner {PROFILE_MARKER}",
            "password": "correct horse battery", "birth_month": 5, "birth_year": 1990,
        },
    )  # fmt: skip
    assert response.status_code == 201, response.content
    journey.headers = csrf_headers(journey.client)
    user_id = response.json()["user"]["id"]
    assert set(Conversation.objects.values_list("owner_user_id", flat=True)) == {user_id}
    # The words really were used: the text step and the caption are in the plans, the name is kept.
    plans = json.dumps([[a.plan, a.steps] for a in Asset.objects.filter(kind=Asset.Kind.RESULT)])
    assert TEXT_MARKER in plans
    assert CAPTION_MARKER in plans
    assert Asset.objects.get(kind=Asset.Kind.UPLOAD).original_name == f"holiday-{NAME_MARKER}.jpg"
    # The person reports one of their images.
    reported = Asset.objects.filter(kind=Asset.Kind.RESULT).order_by("created_at").first()
    assert reported is not None
    response = journey.post_json("/api/v1/reports", {"asset_id": str(reported.id), "reason": f"wrong {REPORT_MARKER}"})
    assert response.status_code == 201, response.content
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
    for marker in WRITTEN:
        assert marker.encode() in everything, marker
    assert EXIF_MARKER.encode() not in everything

    files = _scan(blob_root())
    names = {str(p.relative_to(blob_root())) for p in files}
    assert len(files) >= 7  # one upload, at least four results, one export (and nothing is skipped)
    assert any(name.startswith("exports/") for name in names)
    # The database: every column of every table holds sealed tokens, ids and codes, never the words.
    rows = _database_rows()
    assert Message.objects.exists()
    _assert_no_marker(rows, "a database row")
    _assert_no_marker(_database_image(), "the database's bytes")
    texts = [m.text for m in Message.objects.select_related("conversation")]
    assert any(PROMPT_MARKER in text for text in texts)  # the marker is stored, just sealed
    # And no log line quoted any of it.
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_no_marker(logged.encode(), "a log line")
