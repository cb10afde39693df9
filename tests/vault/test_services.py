"""Vault services: crypto-shredding, master key rotation, and owner-sealed texts."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from pytest_django.fixtures import Settings

from nanobananas.vault.exceptions import DataKeyMissing, DecryptionError, MasterKeyError
from nanobananas.vault.keyring import LocalKeyEncryptionKey, data_key_get, master_kek
from nanobananas.vault.models import DataKey
from nanobananas.vault.services import (
    master_key_file_rotate,
    master_key_rotate,
    owner_keys_shred,
    text_decrypt,
    text_encrypt,
)
from nanobananas.vault.storage import EncryptedStorage
from tests.vault.conftest import MARKER

pytestmark = [pytest.mark.django_db, pytest.mark.database]

OWNERS = ["u1", "u2", "g0b4f7a52-5d0e-4a8e-9d55-0d6c3a5b8e11"]


def store_one_blob_per_owner(storage: EncryptedStorage) -> dict[str, bytes]:
    blobs = {f"assets/{owner}/result.png": f"{MARKER} of {owner}".encode() * 1000 for owner in OWNERS}
    for name, data in blobs.items():
        storage.save(name, ContentFile(data))
    return blobs


def read_all(storage: EncryptedStorage, names: dict[str, bytes]) -> dict[str, bytes]:
    result = {}
    for name in names:
        with storage.open(name) as handle:
            result[name] = handle.read()
    return result


def test_shredding_deletes_only_that_owners_key(vault_storage: EncryptedStorage) -> None:
    blobs = store_one_blob_per_owner(vault_storage)
    assert owner_keys_shred(owner_key="u1") is True
    assert sorted(DataKey.objects.values_list("owner_key", flat=True)) == sorted(OWNERS[1:])
    with pytest.raises(DataKeyMissing):
        vault_storage.open("assets/u1/result.png")
    del blobs["assets/u1/result.png"]
    assert read_all(vault_storage, blobs) == blobs


def test_rotation_rewraps_every_key_and_blobs_still_decrypt(
    settings: Settings, vault_settings: dict[str, object], vault_storage: EncryptedStorage, blob_folder: Path
) -> None:
    blobs = store_one_blob_per_owner(vault_storage)
    ciphertexts = {name: (blob_folder / name).read_bytes() for name in blobs}
    keys_before = {owner: data_key_get(owner_key=owner) for owner in OWNERS}
    new_master_key = os.urandom(32)

    assert master_key_rotate(new_master_key=new_master_key) == len(OWNERS)

    new_id = LocalKeyEncryptionKey(new_master_key).id
    rows = list(DataKey.objects.all())
    assert {row.master_key_id for row in rows} == {new_id}
    assert all(row.rotated_at is not None for row in rows)
    # The configured (old) key no longer opens anything; the new one opens everything, blobs untouched.
    with pytest.raises(MasterKeyError, match="is wrapped by master key"):
        data_key_get(owner_key="u1")
    settings.VAULT = {**vault_settings, "MASTER_KEY": base64.b64encode(new_master_key).decode()}
    assert {owner: data_key_get(owner_key=owner) for owner in OWNERS} == keys_before
    assert read_all(vault_storage, blobs) == blobs
    assert {name: (blob_folder / name).read_bytes() for name in blobs} == ciphertexts
    # Running it again with the same new key finds nothing left to do.
    assert master_key_rotate(new_master_key=new_master_key) == 0


def test_old_master_key_cannot_unwrap_after_rotation(owner_key: str) -> None:
    """Unwrapping with the old key fails for the right reason, not only because of the context."""
    text_encrypt(owner_key=owner_key, text="x", context="c")
    row = DataKey.objects.get(owner_key=owner_key)
    context = b"nanobananas vault data key\x00" + owner_key.encode() + b"\x00" + row.key_id.bytes
    old_kek = master_kek()
    assert len(old_kek.unwrap(bytes(row.wrapped_key), context=context)) == 32
    master_key_rotate(new_master_key=os.urandom(32))
    row.refresh_from_db()
    with pytest.raises(MasterKeyError, match="does not unwrap"):
        old_kek.unwrap(bytes(row.wrapped_key), context=context)


def test_rotation_with_an_unopenable_key_changes_nothing(owner_key: str, other_owner_key: str) -> None:
    text_encrypt(owner_key=owner_key, text="x", context="c")
    text_encrypt(owner_key=other_owner_key, text="x", context="c")
    DataKey.objects.filter(owner_key=other_owner_key).update(master_key_id="local:0000000000000000")
    before = list(DataKey.objects.order_by("id").values_list("wrapped_key", "master_key_id"))
    with pytest.raises(MasterKeyError):
        master_key_rotate(new_master_key=os.urandom(32))
    after = list(DataKey.objects.order_by("id").values_list("wrapped_key", "master_key_id"))
    assert [(bytes(w), m) for w, m in after] == [(bytes(w), m) for w, m in before]


def test_key_file_rotation_replaces_the_file_and_everything_still_decrypts(
    vault_settings: dict[str, object], vault_storage: EncryptedStorage
) -> None:
    blobs = store_one_blob_per_owner(vault_storage)
    path = Path(str(vault_settings["MASTER_KEY_FILE"]))
    old_text = path.read_text()
    token = text_encrypt(owner_key="u1", text="my prompt", context="message:1")

    assert master_key_file_rotate() == len(OWNERS)

    assert path.read_text() != old_text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["master.key"]
    assert master_kek().id == LocalKeyEncryptionKey(base64.b64decode(path.read_text())).id
    assert read_all(vault_storage, blobs) == blobs
    assert text_decrypt(owner_key="u1", token=token, context="message:1") == "my prompt"
    old_kek = LocalKeyEncryptionKey(base64.b64decode(old_text))
    assert not DataKey.objects.filter(master_key_id=old_kek.id).exists()


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("MASTER_KEY", base64.b64encode(bytes(32)).decode(), "comes from NANOBANANAS_MASTER_KEY"),
        ("KEY_ENCRYPTION_KEY", {"BACKEND": "tests.vault.test_keyring.ReversingKms"}, "is held by a KMS"),
    ],
)
def test_key_file_rotation_refuses_keys_kept_elsewhere(
    settings: Settings, vault_settings: dict[str, object], setting: str, value: object, message: str
) -> None:
    settings.VAULT = {**vault_settings, setting: value}
    with pytest.raises(MasterKeyError, match=message):
        master_key_file_rotate()
    assert not Path(str(vault_settings["MASTER_KEY_FILE"])).exists()


def test_key_file_rotation_refuses_a_leftover_pending_key(vault_settings: dict[str, object], owner_key: str) -> None:
    text_encrypt(owner_key=owner_key, text="x", context="c")
    path = Path(str(vault_settings["MASTER_KEY_FILE"]))
    path.with_name("master.key.new").write_text("left over\n")
    before = list(DataKey.objects.values_list("master_key_id", flat=True))
    with pytest.raises(MasterKeyError, match="an earlier rotation did not finish"):
        master_key_file_rotate()
    assert list(DataKey.objects.values_list("master_key_id", flat=True)) == before


def test_text_round_trip_holds_no_plaintext(owner_key: str) -> None:
    token = text_encrypt(owner_key=owner_key, text=f"a poster {MARKER}", context="message:1")
    assert MARKER not in token
    assert text_decrypt(owner_key=owner_key, token=token, context="message:1") == f"a poster {MARKER}"


def test_a_text_does_not_open_for_another_owner_or_context(owner_key: str, other_owner_key: str) -> None:
    token = text_encrypt(owner_key=owner_key, text="secret", context="message:1")
    text_encrypt(owner_key=other_owner_key, text="theirs", context="message:1")
    with pytest.raises(DecryptionError):
        text_decrypt(owner_key=owner_key, token=token, context="message:2")
    with pytest.raises(DecryptionError, match="sealed with data key"):
        text_decrypt(owner_key=other_owner_key, token=token, context="message:1")


def test_a_shredded_owners_text_cannot_be_decrypted(owner_key: str) -> None:
    token = text_encrypt(owner_key=owner_key, text="secret", context="message:1")
    owner_keys_shred(owner_key=owner_key)
    with pytest.raises(DataKeyMissing):
        text_decrypt(owner_key=owner_key, token=token, context="message:1")
    text_encrypt(owner_key=owner_key, text="after", context="message:2")
    with pytest.raises(DecryptionError, match="sealed with data key"):
        text_decrypt(owner_key=owner_key, token=token, context="message:1")
