"""Writes for the vault: crypto-shredding an owner, rotating the master key, sealing and opening texts."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nanobananas.vault.crypto import text_open, text_seal
from nanobananas.vault.exceptions import MasterKeyError
from nanobananas.vault.keyring import (
    LocalKeyEncryptionKey,
    data_key_get,
    data_key_get_or_create,
    data_key_unwrap,
    data_key_wrap,
    master_kek_reset,
    master_key_file_write,
    master_key_generate,
)
from nanobananas.vault.models import DataKey

__all__ = [
    "master_key_file_rotate",
    "master_key_rotate",
    "owner_keys_shred",
    "text_decrypt",
    "text_encrypt",
]

ROTATE_BATCH = 500


def owner_keys_shred(*, owner_key: str) -> bool:
    """Delete the owner's data key: every copy of their blobs and texts, anywhere, becomes undecryptable.

    Returns whether there was a key. Call it when an account is deleted or a guest expires, in
    addition to deleting their blobs; later writes for the same owner key get a fresh key.
    """
    deleted, _ = DataKey.objects.filter(owner_key=owner_key).delete()
    return deleted > 0


def master_key_rotate(*, new_master_key: bytes) -> int:
    """Re-wrap every data key under `new_master_key`, in one transaction; blobs are not touched.

    Unwraps with the configured master key; keys already wrapped by the new one are left alone, so a
    rotation that was committed but whose new key was not yet put in place can be run again.
    Returns how many data keys were re-wrapped. Afterwards configure the new master key (the old one
    no longer unwraps anything) and restart the other processes if the key comes from the environment.
    """
    new_kek = LocalKeyEncryptionKey(new_master_key)
    rotated = 0
    now = timezone.now()
    with transaction.atomic():
        last_id = 0
        while True:
            batch = list(
                DataKey.objects.select_for_update()
                .filter(id__gt=last_id)
                .exclude(master_key_id=new_kek.id)
                .order_by("id")[:ROTATE_BATCH]
            )
            if not batch:
                break
            for row in batch:
                data_key_wrap(row, data_key_unwrap(row).key, new_kek)
                row.rotated_at = now
            DataKey.objects.bulk_update(batch, ["wrapped_key", "master_key_id", "rotated_at"])
            rotated += len(batch)
            last_id = batch[-1].id
    return rotated


def master_key_file_rotate() -> int:
    """Rotate to a newly generated master key kept in the key file (`nanobananas keys rotate`).

    The new key is first written next to the key file as `<name>.new` (0600), then every data key is
    re-wrapped, then the new file replaces the old one. If the process dies after the re-wrap but
    before the replace, `<name>.new` holds the key that now unwraps the data keys: move it into place.
    Returns how many data keys were re-wrapped.
    """
    if settings.VAULT.get("KEY_ENCRYPTION_KEY"):
        raise MasterKeyError("the master key is held by a KMS (VAULT['KEY_ENCRYPTION_KEY']): rotate it there")
    if settings.VAULT.get("MASTER_KEY"):
        raise MasterKeyError(
            "the master key comes from NANOBANANAS_MASTER_KEY: rotate with master_key_rotate(new_master_key=...) "
            "and then set the new key in the environment of every process"
        )
    path = Path(settings.VAULT["MASTER_KEY_FILE"])
    pending = path.with_name(f"{path.name}.new")
    new_key = master_key_generate()
    try:
        master_key_file_write(pending, new_key)
    except FileExistsError:
        raise MasterKeyError(
            f"{pending} exists: an earlier rotation did not finish; if the data keys open with it, move it to {path}"
        ) from None
    try:
        rotated = master_key_rotate(new_master_key=new_key)
    except BaseException:
        os.unlink(pending)
        raise
    os.replace(pending, path)
    master_kek_reset()
    return rotated


def text_encrypt(*, owner_key: str, text: str, context: str) -> str:
    """Seal `text` with the owner's data key; `context` (say "message:<id>") must match to decrypt."""
    data_key = data_key_get_or_create(owner_key=owner_key)
    return text_seal(text, key=data_key.key, key_id=data_key.key_id, owner_key=owner_key, context=context)


def text_decrypt(*, owner_key: str, token: str, context: str) -> str:
    """Open a `text_encrypt` token; `DataKeyMissing` once the owner was shredded, `DecryptionError` if forged."""
    data_key = data_key_get(owner_key=owner_key)
    return text_open(token, key=data_key.key, key_id=data_key.key_id, owner_key=owner_key, context=context)
