"""The key ring: the master key (key-encryption key) behind a KMS adapter interface, and per-owner data keys."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from nanobananas.vault.crypto import KEY_SIZE
from nanobananas.vault.exceptions import DataKeyMissing, MasterKeyError
from nanobananas.vault.models import DataKey

__all__ = [
    "DataKeyMaterial",
    "KeyEncryptionKey",
    "LocalKeyEncryptionKey",
    "data_key_get",
    "data_key_get_or_create",
    "data_key_unwrap",
    "data_key_wrap",
    "master_kek",
    "master_kek_reset",
    "master_key_check",
    "master_key_decode",
    "master_key_file_write",
    "master_key_generate",
]

_WRAP_VERSION = 1
_NONCE_SIZE = 12


class KeyEncryptionKey(Protocol):
    """What wraps data keys: the local master key, or an adapter to a KMS (which keeps the key itself).

    `id` names the key (stored next to every wrapped data key); `context` is associated data that a
    wrapped key must be unwrapped with (a KMS "encryption context"); `unwrap` raises `MasterKeyError`.
    """

    @property
    def id(self) -> str: ...

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes: ...


class LocalKeyEncryptionKey:
    """A master key held in this process; a wrapped key is version | nonce | AES-256-GCM ciphertext + tag."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_SIZE:
            raise MasterKeyError(f"a master key is {KEY_SIZE} bytes, got {len(master_key)}")
        self._aead = AESGCM(master_key)
        # A fingerprint that names the key without revealing it.
        digest = hmac.new(master_key, b"nanobananas vault master key id", hashlib.sha256).hexdigest()
        self._id = f"local:{digest[:16]}"

    @property
    def id(self) -> str:
        return self._id

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE_SIZE)
        return bytes([_WRAP_VERSION]) + nonce + self._aead.encrypt(nonce, data_key, context)

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        if not wrapped or wrapped[0] != _WRAP_VERSION:
            raise MasterKeyError("wrapped data key has an unknown format")
        nonce, sealed = wrapped[1 : 1 + _NONCE_SIZE], wrapped[1 + _NONCE_SIZE :]
        try:
            return self._aead.decrypt(nonce, sealed, context)
        except InvalidTag:
            raise MasterKeyError(f"master key {self.id} does not unwrap this data key") from None


def master_key_generate() -> bytes:
    return os.urandom(KEY_SIZE)


def master_key_decode(text: str, *, source: str) -> bytes:
    """A master key from its base64 text; `source` names where it came from in the error."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise MasterKeyError(f"the master key in {source} is not valid base64") from None
    if len(key) != KEY_SIZE:
        raise MasterKeyError(f"the master key in {source} is {len(key)} bytes; it must be {KEY_SIZE}")
    return key


def master_key_file_write(path: Path, key: bytes, *, replace: bool = False) -> None:
    """Write a key file with mode 0600, all at once: a reader never sees a partly written file.

    The key goes to a temporary file (created with O_EXCL and 0600) that is then linked into place,
    which fails with `FileExistsError` if `path` exists, or renamed over it when `replace` is set.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(base64.b64encode(key).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _master_key_load(config: Mapping[str, Any]) -> bytes:
    if config.get("MASTER_KEY"):
        return master_key_decode(config["MASTER_KEY"], source="NANOBANANAS_MASTER_KEY")
    if not config.get("MASTER_KEY_FILE"):
        raise MasterKeyError("no master key: set NANOBANANAS_MASTER_KEY or VAULT['MASTER_KEY_FILE']")
    path = Path(config["MASTER_KEY_FILE"])
    try:
        return master_key_decode(path.read_text(), source=str(path))
    except FileNotFoundError:
        pass
    if DataKey.objects.exists():
        # A new key would open none of them and quietly start a second generation of data.
        raise MasterKeyError(
            f"the master key file {path} is missing but data keys exist: restore it from its backup "
            "(or set NANOBANANAS_MASTER_KEY)"
        )
    key = master_key_generate()
    try:
        master_key_file_write(path, key)
    except FileExistsError:
        # Another process generated it first; use theirs.
        return master_key_decode(path.read_text(), source=str(path))
    return key


def _kek_load(config: Mapping[str, Any]) -> KeyEncryptionKey:
    adapter = config.get("KEY_ENCRYPTION_KEY")
    if adapter:
        backend = adapter.get("BACKEND")
        if not isinstance(backend, str):
            raise ImproperlyConfigured("VAULT['KEY_ENCRYPTION_KEY'] needs a BACKEND (a dotted class path)")
        try:
            factory = import_string(backend)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"VAULT['KEY_ENCRYPTION_KEY'] BACKEND {backend!r} cannot be imported: {exc}"
            ) from exc
        kek: KeyEncryptionKey = factory(**adapter.get("OPTIONS", {}))
        return kek
    return LocalKeyEncryptionKey(_master_key_load(config))


def master_key_check(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: a malformed NANOBANANAS_MASTER_KEY or KMS adapter fails at startup, not at the first upload.

    The key file is not touched here (a check has no side effects); it is read or generated on first use.
    """
    config: Mapping[str, Any] = settings.VAULT
    try:
        if config.get("KEY_ENCRYPTION_KEY"):
            _kek_load(config)
        elif config.get("MASTER_KEY"):
            master_key_decode(config["MASTER_KEY"], source="NANOBANANAS_MASTER_KEY")
    except (MasterKeyError, ImproperlyConfigured) as exc:
        return [checks.Error(str(exc), id="vault.E001")]
    return []


_cached: tuple[tuple[str, ...], KeyEncryptionKey] | None = None


def master_kek() -> KeyEncryptionKey:
    """The configured key-encryption key, loaded on first use and reloaded when the configuration changes.

    It comes from `settings.VAULT`: `MASTER_KEY` (base64 of 32 bytes, from NANOBANANAS_MASTER_KEY), or
    else the key file at `MASTER_KEY_FILE`, generated on first use with mode 0600. A deployment with a
    KMS sets `VAULT["KEY_ENCRYPTION_KEY"] = {"BACKEND": "<dotted path>", "OPTIONS": {...}}` to a class
    implementing `KeyEncryptionKey`; the local AES-256-GCM one is the default.
    """
    global _cached
    config: Mapping[str, Any] = settings.VAULT
    signature = tuple(repr(config.get(name)) for name in ("MASTER_KEY", "MASTER_KEY_FILE", "KEY_ENCRYPTION_KEY"))
    cached = _cached
    if cached is not None and cached[0] == signature:
        return cached[1]
    kek = _kek_load(config)
    _cached = (signature, kek)
    return kek


def master_kek_reset() -> None:
    """Forget the loaded key, so the next use reads it again (after the key file was replaced)."""
    global _cached
    _cached = None


@dataclass(frozen=True)
class DataKeyMaterial:
    """An owner's unwrapped data key; `key_id` is the 16 bytes written into blob headers."""

    key_id: bytes
    key: bytes = field(repr=False)


def _wrap_context(owner_key: str, key_id: uuid.UUID) -> bytes:
    # Binds a wrapped key to its row: copying it to another owner's row makes it fail to unwrap.
    return b"nanobananas vault data key\x00" + owner_key.encode() + b"\x00" + key_id.bytes


def data_key_wrap(row: DataKey, key: bytes, kek: KeyEncryptionKey) -> None:
    """Set `row`'s wrapped key and master key id (the caller saves the row)."""
    row.wrapped_key = kek.wrap(key, context=_wrap_context(row.owner_key, row.key_id))
    row.master_key_id = kek.id


def data_key_unwrap(row: DataKey) -> DataKeyMaterial:
    """Unwrap `row` with the configured master key (read again once if it names another key)."""
    kek = master_kek()
    if kek.id != row.master_key_id:
        master_kek_reset()
        kek = master_kek()
    if kek.id != row.master_key_id:
        raise MasterKeyError(
            f"the data key of {row.owner_key} is wrapped by master key {row.master_key_id}, but the configured "
            f"master key is {kek.id}: configure the master key that belongs to this database"
        )
    key = kek.unwrap(bytes(row.wrapped_key), context=_wrap_context(row.owner_key, row.key_id))
    return DataKeyMaterial(key_id=row.key_id.bytes, key=key)


def data_key_get(*, owner_key: str) -> DataKeyMaterial:
    """The owner's data key, for reading; `DataKeyMissing` when they have none (or it was shredded)."""
    row = DataKey.objects.filter(owner_key=owner_key).first()
    if row is None:
        raise DataKeyMissing(f"{owner_key} has no data key: nothing was stored for them, or it was crypto-shredded")
    return data_key_unwrap(row)


def data_key_get_or_create(*, owner_key: str) -> DataKeyMaterial:
    """The owner's data key, for writing: created on first use; concurrent first uses agree on one key."""
    row = DataKey.objects.filter(owner_key=owner_key).first()
    if row is not None:
        return data_key_unwrap(row)
    key = os.urandom(KEY_SIZE)
    candidate = DataKey(owner_key=owner_key)
    data_key_wrap(candidate, key, master_kek())
    # The unique owner_key makes a racing insert fail; get_or_create then returns the winner's row.
    row, created = DataKey.objects.get_or_create(
        owner_key=owner_key,
        defaults={
            "key_id": candidate.key_id,
            "wrapped_key": candidate.wrapped_key,
            "master_key_id": candidate.master_key_id,
        },
    )
    if created:
        return DataKeyMaterial(key_id=row.key_id.bytes, key=key)
    return data_key_unwrap(row)
