"""Guest carry-over at sign-up: rows move in the sign-up's transaction, bytes after it, one image at a time.

A failure anywhere leaves no orphan blob and no half-moved row: every row names bytes that are stored and
readable under the key of the name, and every stored blob is named by a row.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest
from nanobananas.privacy.services import retention_purge
from nanobananas.registry import personal_data as registry
from nanobananas.studio import blobs
from nanobananas.studio.assets import asset_blobs_reseal, asset_blobs_reseal_all
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Conversation
from nanobananas.studio.services import IncomingFile, message_send
from nanobananas.vault.models import DataKey
from nanobananas.workflows.signup import guest_carry_over
from tests.conftest import blob_root
from tests.privacy.builders import png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.database]

COLORS = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]


def _stored() -> set[str]:
    root = blob_root()
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def _named() -> set[str]:
    return set(Asset.objects.exclude(blob_name="").values_list("blob_name", flat=True))


def _bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def _guest_with_pictures() -> tuple[Owner, Conversation, dict[uuid.UUID, bytes]]:
    """A guest with a conversation holding three uploaded pictures; each picture's bytes as stored."""
    guest = Owner(guest_id=Guest.objects.create().id)
    conversation = conversation_create(owner=guest, title="holiday")
    files = [IncomingFile(name=f"p{n}.png", data=png_bytes(color=color)) for n, color in enumerate(COLORS)]
    message_send(owner=guest, conversation_id=conversation.id, text="", files=files)
    assets = Asset.objects.filter(conversation=conversation)
    assert assets.count() == 3
    return guest, conversation, {asset.id: _bytes(asset.blob_name) for asset in assets}


def _id(guest: Owner) -> uuid.UUID:
    assert guest.guest_id is not None
    return guest.guest_id


def _user(name: str = "noor") -> Any:
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.org", password="x" * 14)


def test_a_sign_up_that_fails_after_the_studio_moved_its_rows_moves_nothing_and_writes_no_blob(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    guest, conversation, pixels = _guest_with_pictures()
    before_rows = {a.id: (a.blob_name, a.owner_guest_id, a.owner_user_id) for a in Asset.objects.all()}
    before_files = _stored()

    def broken_transfer(guest_id: uuid.UUID, user_id: int) -> None:
        raise RuntimeError("the privacy settings could not be copied")

    privacy = registry._REGISTRY["privacy"]
    monkeypatch.setitem(registry._REGISTRY, "privacy", dataclasses.replace(privacy, transfer=broken_transfer))

    def sign_up() -> None:
        with transaction.atomic():
            guest_carry_over(guest_id=_id(guest), user_id=_user().pk)

    with pytest.raises(RuntimeError, match="could not be copied"):
        sign_up()
    assert get_user_model().objects.filter(username="noor").count() == 0
    assert {a.id: (a.blob_name, a.owner_guest_id, a.owner_user_id) for a in Asset.objects.all()} == before_rows
    assert Conversation.objects.get(id=conversation.id).owner_guest_id == guest.guest_id
    assert _stored() == before_files == _named()
    assert {a.id: _bytes(a.blob_name) for a in Asset.objects.all()} == pixels


def test_sign_up_moves_the_rows_at_once_and_the_bytes_after_commit_under_the_accounts_key(
    django_capture_on_commit_callbacks: Any,
) -> None:
    guest, conversation, pixels = _guest_with_pictures()
    user = _user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        guest_carry_over(guest_id=_id(guest), user_id=user.pk)
        # Inside the transaction no byte moved: the rows still name the guest's blobs.
        assert all(name.split("/")[1] == guest.key for name in _named())
    assert len(callbacks) >= 1  # the reseal job, run at once by the immediate test queue
    assets = list(Asset.objects.filter(conversation=conversation))
    assert {(a.owner_user_id, a.owner_guest_id) for a in assets} == {(user.pk, None)}
    assert {a.blob_name.split("/")[1] for a in assets} == {f"u{user.pk}"}
    assert {a.id: _bytes(a.blob_name) for a in assets} == pixels
    assert _stored() == _named()


def test_a_storage_failure_midway_through_the_reseal_leaves_no_orphan_and_a_rerun_finishes(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    guest, _conversation, pixels = _guest_with_pictures()
    user = _user()
    account = Owner(user_id=user.pk)
    with django_capture_on_commit_callbacks(execute=False):  # the reseal job is "lost"
        guest_carry_over(guest_id=_id(guest), user_id=user.pk)

    real = blobs.default_storage
    saves: list[str] = []

    class FailingSecondSave:
        def save(self, name: str, content: Any, max_length: int | None = None) -> str:
            saves.append(name)
            if len(saves) == 2:
                raise OSError("the disk is full")
            return str(real.save(name, content, max_length=max_length))

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(blobs, "default_storage", FailingSecondSave())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError, match="disk is full"):
        asset_blobs_reseal(owner=account)
    keys = sorted(name.split("/")[1] for name in _named())
    assert keys == sorted([account.key, guest.key, guest.key])
    assert _stored() == _named()  # the moved image's old bytes went, the failed copy left nothing
    assert {a.id: _bytes(a.blob_name) for a in Asset.objects.all()} == pixels

    monkeypatch.setattr(blobs, "default_storage", real)
    with django_capture_on_commit_callbacks(execute=True):
        assert asset_blobs_reseal_all() == 2
        assert asset_blobs_reseal(owner=account) == 0  # nothing left: running again changes nothing
    assert {name.split("/")[1] for name in _named()} == {account.key}
    assert _stored() == _named()
    assert {a.id: _bytes(a.blob_name) for a in Asset.objects.all()} == pixels


def test_the_guest_purge_keeps_the_guests_key_while_its_bytes_still_seal_an_accounts_images(
    django_capture_on_commit_callbacks: Any,
) -> None:
    guest, _conversation, pixels = _guest_with_pictures()
    user = _user()
    with django_capture_on_commit_callbacks(execute=False):
        guest_carry_over(guest_id=_id(guest), user_id=user.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with django_capture_on_commit_callbacks(execute=True):
            retention_purge()
        assert Guest.objects.filter(id=_id(guest)).exists()
        assert DataKey.objects.filter(owner_key=guest.key).exists()
        assert {a.id: _bytes(a.blob_name) for a in Asset.objects.all()} == pixels

        with django_capture_on_commit_callbacks(execute=True):
            assert asset_blobs_reseal(owner=Owner(user_id=user.pk)) == 3
        with django_capture_on_commit_callbacks(execute=True):
            retention_purge()
        assert not Guest.objects.filter(id=_id(guest)).exists()
        assert not DataKey.objects.filter(owner_key=guest.key).exists()
        assert {a.id: _bytes(a.blob_name) for a in Asset.objects.all()} == pixels
        assert _stored() == _named()
