"""A large export keeps memory flat: images are copied in chunks and the archive never sits in memory."""

from __future__ import annotations

import hashlib
import os
import time
import tracemalloc
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.privacy import export as exports
from nanobananas.privacy.export import COPY_CHUNK_BYTES, export_build, export_request
from nanobananas.privacy.models import DataExport
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Message

pytestmark = [pytest.mark.django_db, pytest.mark.database]

IMAGES = 60
IMAGE_BYTES = 1_500_000
# Chunks, cipher buffers and database rows (about 3 MB measured); the archive alone is 90 MB.
PEAK_LIMIT = 8 * 1024 * 1024


def _seed_large(owner: Owner) -> int:
    conversation = conversation_create(owner=owner, title="many pictures")
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, role=Message.Role.USER, text="a lot", expires_at=now + timedelta(days=365)
    )
    for number in range(1, IMAGES + 1):
        data = os.urandom(IMAGE_BYTES)  # incompressible, like real image bytes
        asset_id = uuid.uuid4()
        blob = default_storage.save(f"assets/{owner.key}/{asset_id}.png", ContentFile(data))
        Asset.objects.create(
            id=asset_id, conversation=conversation, message=message, kind=Asset.Kind.RESULT, number=number,
            operation=Asset.Operation.GENERATE, blob_name=blob, content_type="image/png", width=1, height=1,
            byte_size=len(data), sha256=hashlib.sha256(data).hexdigest(), created_at=now,
            expires_at=now + timedelta(hours=48), owner_user_id=owner.user_id,
        )  # fmt: skip
    return IMAGES * IMAGE_BYTES


def test_a_90_mb_export_never_holds_an_image_or_the_archive_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    user = get_user_model().objects.create_user(username="many", email="many@example.org", password="x" * 12)
    total = _seed_large(Owner(user_id=user.pk))
    reads: list[int] = []

    class Reading:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def read(self, size: int = -1) -> bytes:
            data = bytes(self.handle.read(size))
            reads.append(len(data))
            return data

        def __enter__(self) -> Reading:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    class RecordingStorage:
        def open(self, name: str, mode: str = "rb") -> Reading:
            return Reading(default_storage.open(name, mode))

        def __getattr__(self, name: str) -> Any:
            return getattr(default_storage, name)

    monkeypatch.setattr(exports, "default_storage", RecordingStorage())
    export = export_request(user=user)
    started = time.perf_counter()
    tracemalloc.start()
    try:
        export_build(export_id=export.id)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started

    export.refresh_from_db()
    assert export.status == DataExport.Status.READY
    assert export.byte_size > total
    assert sum(reads) == total
    assert max(reads) <= COPY_CHUNK_BYTES < IMAGE_BYTES
    assert peak < PEAK_LIMIT, f"peak {peak / 1e6:.1f} MB"
    assert seconds < 30, f"took {seconds:.1f} s"
