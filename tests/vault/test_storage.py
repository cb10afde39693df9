"""EncryptedStorage: blobs round-trip, only ciphertext reaches the disk, and moved or damaged blobs fail."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, StorageHandler
from django.http import FileResponse
from PIL import Image

from nanobananas.vault.crypto import CHUNK_SIZE, HEADER_SIZE
from nanobananas.vault.exceptions import BlobExists, DataKeyMissing, DecryptionError, InvalidBlobName
from nanobananas.vault.models import DataKey
from nanobananas.vault.services import owner_keys_shred
from nanobananas.vault.storage import EncryptedStorage
from tests.vault.conftest import MARKER

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def read_blob(storage: EncryptedStorage, name: str) -> bytes:
    with storage.open(name) as handle:
        return handle.read()


def test_png_round_trip_and_only_ciphertext_on_disk(
    vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str, png_bytes: bytes
) -> None:
    name = f"assets/{owner_key}/result.png"
    assert vault_storage.save(name, ContentFile(png_bytes)) == name
    assert read_blob(vault_storage, name) == png_bytes
    with vault_storage.open(name) as handle, Image.open(handle) as image:
        assert image.size == (64, 48)
    on_disk = (blob_folder / name).read_bytes()
    assert MARKER.encode() in png_bytes
    assert b"\x89PNG" not in on_disk
    assert MARKER.encode() not in on_disk
    assert on_disk.startswith(b"\x89NBV")
    assert (blob_folder / name).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, 3 * CHUNK_SIZE + 7])
def test_size_is_the_plaintext_size(vault_storage: EncryptedStorage, owner_key: str, size: int) -> None:
    name = f"uploads/{owner_key}/photo.jpg"
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    vault_storage.save(name, ContentFile(data))
    assert vault_storage.size(name) == size
    with vault_storage.open(name) as handle:
        assert handle.size == size
        assert b"".join(handle.chunks()) == data


def test_an_opened_blob_seeks_for_range_requests(vault_storage: EncryptedStorage, owner_key: str) -> None:
    data = os.urandom(3 * CHUNK_SIZE + 10)
    name = f"videos/{owner_key}/clip.mp4"
    vault_storage.save(name, ContentFile(data))
    with vault_storage.open(name) as handle:
        assert handle.seekable()
        handle.seek(CHUNK_SIZE + 5)
        assert handle.read(100) == data[CHUNK_SIZE + 5 : CHUNK_SIZE + 105]
        handle.seek(-10, io.SEEK_END)
        assert handle.read() == data[-10:]


def test_a_file_response_streams_the_plaintext_with_its_length(vault_storage: EncryptedStorage, owner_key: str) -> None:
    data = os.urandom(2 * CHUNK_SIZE + 3)
    name = f"videos/{owner_key}/clip.mp4"
    vault_storage.save(name, ContentFile(data))
    response = FileResponse(vault_storage.open(name), content_type="video/mp4")
    try:
        assert response["Content-Length"] == str(len(data))
        assert b"".join(response.streaming_content) == data  # type: ignore[arg-type]
    finally:
        response.close()


def test_exists_listdir_delete_delegate(vault_storage: EncryptedStorage, owner_key: str) -> None:
    vault_storage.save(f"assets/{owner_key}/a.png", ContentFile(b"a"))
    vault_storage.save(f"assets/{owner_key}/b.png", ContentFile(b"b"))
    assert vault_storage.exists(f"assets/{owner_key}/a.png")
    assert vault_storage.listdir("assets") == ([owner_key], [])
    assert sorted(vault_storage.listdir(f"assets/{owner_key}")[1]) == ["a.png", "b.png"]
    assert vault_storage.get_modified_time(f"assets/{owner_key}/a.png") is not None
    vault_storage.delete(f"assets/{owner_key}/a.png")
    assert not vault_storage.exists(f"assets/{owner_key}/a.png")
    assert vault_storage.listdir(f"assets/{owner_key}")[1] == ["b.png"]


def test_a_taken_name_is_refused_not_renamed(
    vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str
) -> None:
    name = f"assets/{owner_key}/result.png"
    vault_storage.save(name, ContentFile(b"first"))
    with pytest.raises(BlobExists, match="never renames"):
        vault_storage.save(name, ContentFile(b"second"))
    assert read_blob(vault_storage, name) == b"first"
    assert [p.name for p in (blob_folder / "assets" / owner_key).iterdir()] == ["result.png"]
    vault_storage.delete(name)
    vault_storage.save(name, ContentFile(b"second"))
    assert read_blob(vault_storage, name) == b"second"


@pytest.mark.parametrize(
    "name",
    [
        "result.png",
        "assets/result.png",
        "assets/someone/result.png",
        "assets/u0/result.png",
        "assets/g123/result.png",
        "assets//u1/result.png",
        "assets/u1/./result.png",
    ],
)
def test_names_without_an_owner_are_refused(vault_storage: EncryptedStorage, name: str) -> None:
    with pytest.raises(InvalidBlobName, match="is not <kind>/<owner key>/<file>"):
        vault_storage.save(name, ContentFile(b"x"))
    with pytest.raises(InvalidBlobName, match="is not <kind>/<owner key>/<file>"):
        vault_storage.open(name)
    assert not DataKey.objects.exists()


def test_a_path_traversal_is_refused_before_any_key_is_used(vault_storage: EncryptedStorage) -> None:
    with pytest.raises(InvalidBlobName):
        vault_storage.open("assets/u1/../u2/result.png")
    with pytest.raises(SuspiciousFileOperation):
        vault_storage.save("assets/u1/../u2/result.png", ContentFile(b"x"))
    assert not DataKey.objects.exists()


def test_nested_names_are_allowed(vault_storage: EncryptedStorage) -> None:
    vault_storage.save("thumbnails/u1/job/256.webp", ContentFile(b"thumb"))
    assert read_blob(vault_storage, "thumbnails/u1/job/256.webp") == b"thumb"


def test_blobs_open_only_for_reading(vault_storage: EncryptedStorage) -> None:
    vault_storage.save("assets/u1/a.png", ContentFile(b"a"))
    with pytest.raises(ValueError, match="only for reading"):
        vault_storage.open("assets/u1/a.png", "wb")


def test_blobs_have_no_url(vault_storage: EncryptedStorage) -> None:
    with pytest.raises(NotImplementedError, match="no URL"):
        vault_storage.url("assets/u1/a.png")


def test_a_blob_moved_to_another_owner_fails(
    vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str, other_owner_key: str
) -> None:
    vault_storage.save(f"assets/{owner_key}/a.png", ContentFile(b"private"))
    vault_storage.save(f"assets/{other_owner_key}/mine.png", ContentFile(b"theirs"))
    shutil.copy(blob_folder / "assets" / owner_key / "a.png", blob_folder / "assets" / other_owner_key / "a.png")
    with pytest.raises(DecryptionError, match=f"not the current key of {other_owner_key}"):
        vault_storage.open(f"assets/{other_owner_key}/a.png")


def test_a_renamed_blob_fails(vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str) -> None:
    vault_storage.save(f"assets/{owner_key}/a.png", ContentFile(b"private"))
    folder = blob_folder / "assets" / owner_key
    (folder / "a.png").rename(folder / "b.png")
    with pytest.raises(DecryptionError, match="is not authentic"):
        read_blob(vault_storage, f"assets/{owner_key}/b.png")


def test_a_truncated_blob_fails(vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str) -> None:
    name = f"videos/{owner_key}/clip.mp4"
    vault_storage.save(name, ContentFile(bytes(3 * CHUNK_SIZE)))
    path = blob_folder / name
    path.write_bytes(path.read_bytes()[: HEADER_SIZE + 2 * (CHUNK_SIZE + 16)])
    with pytest.raises(DecryptionError, match="is truncated"):
        read_blob(vault_storage, name)


def test_a_flipped_byte_fails(vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str) -> None:
    name = f"assets/{owner_key}/a.png"
    vault_storage.save(name, ContentFile(b"private bytes"))
    path = blob_folder / name
    damaged = bytearray(path.read_bytes())
    damaged[HEADER_SIZE + 3] ^= 0x80
    path.write_bytes(bytes(damaged))
    with pytest.raises(DecryptionError, match="is not authentic"):
        read_blob(vault_storage, name)


def test_a_shredded_owners_copy_cannot_be_decrypted(
    vault_storage: EncryptedStorage, blob_folder: Path, tmp_path: Path, owner_key: str
) -> None:
    name = f"assets/{owner_key}/a.png"
    vault_storage.save(name, ContentFile(b"private"))
    aside = tmp_path / "backup.bin"
    shutil.copy(blob_folder / name, aside)
    vault_storage.delete(name)

    assert owner_keys_shred(owner_key=owner_key) is True
    assert owner_keys_shred(owner_key=owner_key) is False

    shutil.copy(aside, blob_folder / name)
    with pytest.raises(DataKeyMissing, match="crypto-shredded"):
        vault_storage.open(name)
    # Even once the same owner key stores something again, the old copy stays sealed.
    vault_storage.save(f"assets/{owner_key}/new.png", ContentFile(b"new"))
    with pytest.raises(DecryptionError, match="that key was shredded"):
        vault_storage.open(name)


def test_a_file_that_is_not_a_vault_blob_fails(
    vault_storage: EncryptedStorage, blob_folder: Path, owner_key: str, png_bytes: bytes
) -> None:
    vault_storage.save(f"assets/{owner_key}/a.png", ContentFile(b"x"))
    (blob_folder / "assets" / owner_key / "planted.png").write_bytes(png_bytes)
    with pytest.raises(DecryptionError, match="not a vault blob"):
        vault_storage.open(f"assets/{owner_key}/planted.png")


def test_any_inner_storage_holds_only_ciphertext(owner_key: str) -> None:
    storage = EncryptedStorage(inner={"BACKEND": "django.core.files.storage.InMemoryStorage", "OPTIONS": {}})
    name = f"exports/{owner_key}/archive.zip"
    storage.save(name, io.BytesIO(b"PK\x03\x04" + MARKER.encode()))
    assert isinstance(storage.inner, InMemoryStorage)
    with storage.inner.open(name) as raw:
        ciphertext = raw.read()
    assert MARKER.encode() not in ciphertext
    assert read_blob(storage, name) == b"PK\x03\x04" + MARKER.encode()


def test_the_storages_setting_builds_it(tmp_path: Path) -> None:
    backends: dict[str, Any] = {
        "default": {
            "BACKEND": "nanobananas.vault.storage.EncryptedStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        }
    }
    storage = StorageHandler(backends)["default"]
    assert isinstance(storage, EncryptedStorage)
    storage.save("assets/u1/a.png", ContentFile(b"a"))
    assert (tmp_path / "blobs" / "assets" / "u1" / "a.png").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"location": "/tmp/x", "inner": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}, "not both"),
        ({"inner": {"OPTIONS": {}}}, "needs a BACKEND"),
        ({"inner": {"BACKEND": "nowhere.Storage"}}, r"'nowhere\.Storage' cannot be imported"),
    ],
)
def test_misconfiguration_is_named(options: dict[str, object], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        EncryptedStorage(**options)  # type: ignore[arg-type]
