"""`EncryptedStorage`: a Django storage that seals every blob with its owner's data key on top of another storage."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Mapping
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from nanobananas.vault.crypto import (
    CHUNK_SIZE,
    BlobReader,
    StreamReader,
    blob_encrypt,
    blob_header_read,
    plaintext_size,
)
from nanobananas.vault.exceptions import BlobExists, DecryptionError, InvalidBlobName
from nanobananas.vault.keyring import data_key_get, data_key_get_or_create

__all__ = ["EncryptedStorage", "VaultFile", "blob_owner_key", "blob_storage_ready"]

# Owner.key: "u<user id>" or "g<guest uuid>".
_OWNER_KEY = re.compile(r"u[1-9][0-9]*|g[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def blob_owner_key(name: str) -> str:
    """The owner key in a blob name `<kind>/<owner key>/<file>`; `InvalidBlobName` for any other shape."""
    parts = name.split("/")
    if len(parts) < 3 or any(part in {"", ".", ".."} for part in parts) or not _OWNER_KEY.fullmatch(parts[1]):
        raise InvalidBlobName(f"blob name {name!r} is not <kind>/<owner key>/<file> (owner key u<id> or g<uuid>)")
    return parts[1]


def blob_storage_ready() -> None:
    """At start-up, let the blob storage read what its deletes depend on (on S3: the bucket's versioning).

    Raises `ImproperlyConfigured` when a purge could not delete every copy of a blob; the storage is the
    default one, set up here if it was not yet.
    """
    from django.core.files.storage import default_storage

    detect = getattr(getattr(default_storage, "inner", None), "versioning_detect", None)
    if callable(detect):
        detect()


if TYPE_CHECKING:
    _BinaryFile = File[bytes]
else:  # Django's File is generic only in its type stubs.
    _BinaryFile = File


class VaultFile(_BinaryFile):
    """A blob opened for reading: `read()` decrypts as it goes, `seek()` works when the inner storage's
    file seeks (range requests), and `size` is the plaintext size."""

    def __init__(self, reader: IO[bytes], name: str, *, size: int, source: File[bytes]) -> None:
        super().__init__(reader, name)
        self._plaintext_size = size
        self._source = source

    @property
    def size(self) -> int:
        return self._plaintext_size

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> VaultFile:
        raise io.UnsupportedOperation("a vault blob cannot be reopened; open it again through the storage")

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


@deconstructible(path="nanobananas.vault.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """Blobs sealed with their owner's data key, kept in an inner storage.

    OPTIONS: `location` (a folder, for the default inner FileSystemStorage with 0600 files), or
    `inner` = {"BACKEND": "<dotted storage class>", "OPTIONS": {...}} for any other storage.

    Blob names are `<kind>/<owner key>/<file>` (say `assets/u7/<job id>.png`): the owner key picks the
    data key, and the whole name is bound into the ciphertext. So a name is used exactly as given:
    `save` never picks an alternative name (renaming would break decryption) and raises `BlobExists`
    when it is taken; to replace a blob, delete it and save again. Reads decrypt chunk by chunk, so
    memory stays flat. Blobs have no URL and no local path (their bytes are ciphertext): the app
    opens, decrypts and serves them itself.
    """

    def __init__(
        self,
        *,
        location: str | None = None,
        inner: Mapping[str, Any] | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if inner is not None and location is not None:
            raise ImproperlyConfigured("EncryptedStorage takes `location` or `inner` in its OPTIONS, not both")
        self.chunk_size = chunk_size
        self.inner: Storage
        if inner is None:
            self.inner = FileSystemStorage(
                location=location, file_permissions_mode=0o600, directory_permissions_mode=0o700
            )
            return
        backend = inner.get("BACKEND")
        if not isinstance(backend, str):
            raise ImproperlyConfigured("EncryptedStorage OPTIONS['inner'] needs a BACKEND (a dotted class path)")
        try:
            storage_class = import_string(backend)
        except ImportError as exc:
            raise ImproperlyConfigured(f"EncryptedStorage inner BACKEND {backend!r} cannot be imported: {exc}") from exc
        self.inner = storage_class(**inner.get("OPTIONS", {}))

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        blob_owner_key(name)
        if max_length is not None and len(name) > max_length:
            raise InvalidBlobName(f"blob name {name!r} is longer than {max_length} characters")
        if self.inner.exists(name):
            raise BlobExists(f"blob {name!r} exists; the vault never renames a blob: delete it, then save")
        return name

    def _save(self, name: str, content: File[bytes]) -> str:
        owner_key = blob_owner_key(name)
        data_key = data_key_get_or_create(owner_key=owner_key)
        # Like File.chunks(): rewind what can be rewound, read a stream from where it stands.
        with contextlib.suppress(AttributeError, io.UnsupportedOperation):
            content.seek(0)
        sealed = blob_encrypt(
            content,
            key=data_key.key,
            key_id=data_key.key_id,
            owner_key=owner_key,
            blob_name=name,
            chunk_size=self.chunk_size,
        )
        # Buffered so that inner storages which expect full reads (S3 multipart uploads) get them.
        reader = io.BufferedReader(StreamReader(sealed), buffer_size=self.chunk_size)
        stored = self.inner.save(name, File(reader, name))
        if stored != name:
            # A concurrent writer took the name between the check and the write.
            self.inner.delete(stored)
            raise BlobExists(f"blob {name!r} was created by another writer meanwhile")
        return name

    def _open(self, name: str, mode: str = "rb") -> VaultFile:
        if mode != "rb":
            raise ValueError(f"vault blobs open only for reading in binary mode ('rb'), not {mode!r}")
        owner_key = blob_owner_key(name)
        data_key = data_key_get(owner_key=owner_key)
        source: File[bytes] = self.inner.open(name, "rb")
        try:
            header = blob_header_read(source)
            if header.key_id != data_key.key_id:
                raise DecryptionError(
                    f"blob {name!r} was sealed with data key {header.key_id.hex()}, not the current key of "
                    f"{owner_key}: that key was shredded, or the blob was moved from another owner"
                )
            plaintext = BlobReader(
                source, header, blob_size=source.size, key=data_key.key, owner_key=owner_key, blob_name=name
            )
        except BaseException:
            source.close()
            raise
        reader = io.BufferedReader(plaintext, buffer_size=header.chunk_size)
        return VaultFile(reader, name, size=plaintext.size, source=source)

    def size(self, name: str) -> int:
        with self.inner.open(name, "rb") as source:
            return plaintext_size(source.size, blob_header_read(source).chunk_size)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.inner.listdir(path)

    def get_accessed_time(self, name: str) -> datetime:
        return self.inner.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.inner.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.inner.get_modified_time(name)

    def url(self, name: str | None) -> str:
        raise NotImplementedError("vault blobs have no URL: they are ciphertext; the app decrypts and serves them")
