"""The key ring: where the master key comes from, the KMS adapter, and one data key per owner."""

from __future__ import annotations

import base64
import os
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from pytest_django.fixtures import Settings

from nanobananas.vault import keyring
from nanobananas.vault.exceptions import DataKeyMissing, MasterKeyError
from nanobananas.vault.keyring import (
    KeyEncryptionKey,
    LocalKeyEncryptionKey,
    data_key_get,
    data_key_get_or_create,
    data_key_wrap,
    master_kek,
)
from nanobananas.vault.models import DataKey

pytestmark = [pytest.mark.django_db, pytest.mark.database]


class ReversingKms:
    """A stand-in for a KMS adapter: not secure, only proves the key ring goes through the interface."""

    def __init__(self, *, key_name: str) -> None:
        self.key_name = key_name

    @property
    def id(self) -> str:
        return f"fake-kms:{self.key_name}"

    def wrap(self, data_key: bytes, *, context: bytes) -> bytes:
        return context + data_key[::-1]

    def unwrap(self, wrapped: bytes, *, context: bytes) -> bytes:
        if not wrapped.startswith(context):
            raise MasterKeyError("context mismatch")
        return wrapped[len(context) :][::-1]


def test_key_file_is_generated_once_with_mode_0600(vault_settings: dict[str, object]) -> None:
    path = Path(str(vault_settings["MASTER_KEY_FILE"]))
    assert not path.exists()
    kek = master_kek()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = base64.b64decode(path.read_text())
    assert len(key) == 32
    assert kek.id == LocalKeyEncryptionKey(key).id
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]
    keyring.master_kek_reset()
    assert master_kek().id == kek.id


def test_a_lost_key_file_is_not_silently_replaced(vault_settings: dict[str, object], owner_key: str) -> None:
    data_key_get_or_create(owner_key=owner_key)
    path = Path(str(vault_settings["MASTER_KEY_FILE"]))
    path.unlink()
    keyring.master_kek_reset()
    with pytest.raises(MasterKeyError, match="is missing but data keys exist: restore it"):
        master_kek()
    assert not path.exists()


def test_an_existing_key_file_is_used(vault_settings: dict[str, object]) -> None:
    path = Path(str(vault_settings["MASTER_KEY_FILE"]))
    key = os.urandom(32)
    keyring.master_key_file_write(path, key)
    assert master_kek().id == LocalKeyEncryptionKey(key).id


def test_writing_over_an_existing_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    keyring.master_key_file_write(path, os.urandom(32))
    before = path.read_text()
    with pytest.raises(FileExistsError):
        keyring.master_key_file_write(path, os.urandom(32))
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]


def test_the_environment_key_wins_and_no_file_is_written(settings: Settings, vault_settings: dict[str, object]) -> None:
    key = os.urandom(32)
    settings.VAULT = {**vault_settings, "MASTER_KEY": base64.b64encode(key).decode()}
    assert master_kek().id == LocalKeyEncryptionKey(key).id
    assert not Path(str(vault_settings["MASTER_KEY_FILE"])).exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("not base64!", "not valid base64"), (base64.b64encode(b"short").decode(), "is 5 bytes; it must be 32")],
)
def test_a_malformed_environment_key_is_refused(
    settings: Settings, vault_settings: dict[str, object], value: str, message: str
) -> None:
    settings.VAULT = {**vault_settings, "MASTER_KEY": value}
    with pytest.raises(MasterKeyError, match=message):
        master_kek()


def test_data_key_is_created_once_per_owner(owner_key: str) -> None:
    first = data_key_get_or_create(owner_key=owner_key)
    second = data_key_get_or_create(owner_key=owner_key)
    assert first == second
    assert len(first.key) == 32
    assert data_key_get(owner_key=owner_key) == first
    row = DataKey.objects.get(owner_key=owner_key)
    assert row.key_id.bytes == first.key_id
    assert first.key not in bytes(row.wrapped_key)
    assert row.master_key_id == master_kek().id
    assert "key=" not in repr(first)


def test_owners_get_different_keys(owner_key: str, other_owner_key: str) -> None:
    assert data_key_get_or_create(owner_key=owner_key) != data_key_get_or_create(owner_key=other_owner_key)


def test_reading_without_a_data_key_creates_nothing(owner_key: str) -> None:
    with pytest.raises(DataKeyMissing, match="has no data key"):
        data_key_get(owner_key=owner_key)
    assert not DataKey.objects.exists()


def test_a_concurrent_first_write_gets_the_winners_key(owner_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process inserts the owner's key between our lookup and our insert: both use that key."""
    winner_key = os.urandom(32)
    real_master_kek = keyring.master_kek

    def master_kek_while_another_process_wins() -> KeyEncryptionKey:
        kek = real_master_kek()
        if not DataKey.objects.filter(owner_key=owner_key).exists():
            row = DataKey(owner_key=owner_key)
            data_key_wrap(row, winner_key, kek)
            row.save()
        return kek

    monkeypatch.setattr(keyring, "master_kek", master_kek_while_another_process_wins)
    material = data_key_get_or_create(owner_key=owner_key)
    assert material.key == winner_key
    assert DataKey.objects.filter(owner_key=owner_key).count() == 1


def test_a_wrapped_key_copied_to_another_owner_does_not_unwrap(owner_key: str, other_owner_key: str) -> None:
    data_key_get_or_create(owner_key=owner_key)
    data_key_get_or_create(owner_key=other_owner_key)
    stolen = DataKey.objects.get(owner_key=owner_key).wrapped_key
    DataKey.objects.filter(owner_key=other_owner_key).update(wrapped_key=stolen)
    with pytest.raises(MasterKeyError, match="does not unwrap this data key"):
        data_key_get(owner_key=other_owner_key)


def test_another_master_key_is_named_in_the_error(
    settings: Settings, vault_settings: dict[str, object], owner_key: str
) -> None:
    data_key_get_or_create(owner_key=owner_key)
    settings.VAULT = {**vault_settings, "MASTER_KEY": base64.b64encode(os.urandom(32)).decode()}
    with pytest.raises(MasterKeyError, match=r"is wrapped by master key local:[0-9a-f]{16}, but the configured"):
        data_key_get(owner_key=owner_key)


def test_a_kms_adapter_replaces_the_local_master_key(
    settings: Settings, vault_settings: dict[str, object], owner_key: str
) -> None:
    settings.VAULT = {
        **vault_settings,
        "KEY_ENCRYPTION_KEY": {"BACKEND": f"{__name__}.ReversingKms", "OPTIONS": {"key_name": "alias/vault"}},
    }
    material = data_key_get_or_create(owner_key=owner_key)
    row = DataKey.objects.get(owner_key=owner_key)
    assert row.master_key_id == "fake-kms:alias/vault"
    assert bytes(row.wrapped_key).endswith(material.key[::-1])
    assert data_key_get(owner_key=owner_key) == material
    assert not Path(str(vault_settings["MASTER_KEY_FILE"])).exists()


def test_an_unimportable_kms_adapter_is_a_configuration_error(
    settings: Settings, vault_settings: dict[str, object]
) -> None:
    settings.VAULT = {**vault_settings, "KEY_ENCRYPTION_KEY": {"BACKEND": "nowhere.Kms"}}
    with pytest.raises(ImproperlyConfigured, match=r"'nowhere\.Kms' cannot be imported"):
        master_kek()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_writes_in_threads_agree_on_one_key(owner_key: str) -> None:
    """Real connections racing: every thread gets the same key and one row exists."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the race needs a server database")
    threads = 8
    barrier = threading.Barrier(threads)

    def first_write() -> bytes:
        try:
            barrier.wait()
            return data_key_get_or_create(owner_key=owner_key).key
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        keys = list(pool.map(lambda _: first_write(), range(threads)))
    assert len(set(keys)) == 1
    assert DataKey.objects.filter(owner_key=owner_key).count() == 1


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("MASTER_KEY", "not base64!", "the master key in NANOBANANAS_MASTER_KEY is not valid base64"),
        ("MASTER_KEY", base64.b64encode(bytes(16)).decode(), "is 16 bytes; it must be 32"),
        ("KEY_ENCRYPTION_KEY", {"BACKEND": "nowhere.Kms"}, "'nowhere.Kms' cannot be imported"),
    ],
)
def test_the_system_check_names_a_bad_master_key(
    settings: Settings, vault_settings: dict[str, object], setting: str, value: object, message: str
) -> None:
    settings.VAULT = {**vault_settings, setting: value}
    errors = [error for error in checks.run_checks(tags=[checks.Tags.security]) if error.id == "vault.E001"]
    assert len(errors) == 1
    assert message in errors[0].msg


def test_the_system_check_passes_and_writes_no_key_file(vault_settings: dict[str, object]) -> None:
    assert [error for error in checks.run_checks(tags=[checks.Tags.security]) if error.id == "vault.E001"] == []
    assert not Path(str(vault_settings["MASTER_KEY_FILE"])).exists()
