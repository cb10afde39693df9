"""Fixtures for the vault: a master key file of its own per test, encrypted storages, owner keys."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from pytest_django.fixtures import Settings

from nanobananas.vault.storage import EncryptedStorage

MARKER = "PLAINTEXT-MARKER-7f3a"


@pytest.fixture(autouse=True)
def vault_settings(settings: Settings, tmp_path: Path) -> dict[str, object]:
    """No environment key; the key file lives in this test's folder (the key ring reloads on change)."""
    settings.VAULT = {"MASTER_KEY": None, "MASTER_KEY_FILE": tmp_path / "keys" / "master.key"}
    return settings.VAULT


@pytest.fixture
def blob_folder(tmp_path: Path) -> Path:
    return tmp_path / "blobs"


@pytest.fixture
def vault_storage(blob_folder: Path) -> EncryptedStorage:
    return EncryptedStorage(location=str(blob_folder))


@pytest.fixture
def owner_key() -> str:
    return f"g{uuid.uuid4()}"


@pytest.fixture
def other_owner_key() -> str:
    return "u42"


@pytest.fixture
def png_bytes() -> bytes:
    """A small PNG whose text chunk carries the marker, so a plaintext leak is easy to spot."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()
