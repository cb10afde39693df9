"""The retention promises: exact deadlines, hidden at once, physically gone, receipts, holds, failures."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Guest
from nanobananas.accounts.services import guest_create
from nanobananas.privacy.models import DeletionReceipt, PendingBlobDeletion
from nanobananas.privacy.services import (
    cleanup_run,
    integrity_check,
    legal_hold_place,
    legal_hold_release,
    retention_purge,
    retention_sweep,
)
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Message
from nanobananas.studio.services import message_send
from tests.conftest import blob_path

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)


def _make(owner: Owner, text: str = "a poster") -> tuple[Conversation, Asset]:
    """One conversation with one turn and its generated image, made at the current (travelled) time."""
    conversation = conversation_create(owner=owner)
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text)
    assert job is not None
    job_run(job_id=job.id)
    return conversation, Asset.objects.get(job=job)


def _blob_path(asset: Asset) -> Path:
    return blob_path(asset.blob_name)


@pytest.fixture
def guest() -> Owner:
    with time_machine.travel(START, tick=False):
        return Owner(guest_id=guest_create().id)


@pytest.fixture
def user() -> Owner:
    account = get_user_model().objects.create_user(username="lee", email="lee@example.org", password="x" * 12)
    return Owner(user_id=account.pk)


@pytest.mark.parametrize(("owner_name", "hours"), [("guest", 24), ("user", 48)])
def test_images_are_kept_until_their_deadline_and_queued_just_after(
    request: pytest.FixtureRequest, owner_name: str, hours: int
) -> None:
    owner: Owner = request.getfixturevalue(owner_name)
    with time_machine.travel(START, tick=False):
        _, asset = _make(owner)
    assert asset.expires_at == START + timedelta(hours=hours)

    with time_machine.travel(START + timedelta(hours=hours) - timedelta(seconds=1), tick=False):
        assert retention_sweep().queued["asset"] == 0
    asset.refresh_from_db()
    assert asset.state == "active"

    with time_machine.travel(START + timedelta(hours=hours) + timedelta(seconds=1), tick=False):
        assert retention_sweep().queued["asset"] == 1
    asset.refresh_from_db()
    assert (asset.state, asset.deletion_reason) == ("queued", "retention")
    assert asset.queued_at == START + timedelta(hours=hours) + timedelta(seconds=1)


def test_signed_in_text_lives_twelve_months_after_the_message(user: Owner) -> None:
    with time_machine.travel(START, tick=False):
        conversation, asset = _make(user)
    message = Message.objects.get(conversation=conversation, role="user")
    assert message.expires_at == START + timedelta(days=365)
    with time_machine.travel(START + timedelta(days=365) - timedelta(seconds=1), tick=False):
        cleanup_run()
    assert Message.objects.filter(id=message.id).exists()
    assert not Asset.objects.filter(id=asset.id).exists(), "the image went after 48 h"
    with time_machine.travel(START + timedelta(days=365, seconds=1), tick=False):
        cleanup_run()
    assert not Message.objects.filter(id=message.id).exists()


def test_queued_items_disappear_from_every_page_and_api_at_once(guest: Owner) -> None:
    from nanobananas.accounts.identity import GUEST_SESSION_KEY

    with time_machine.travel(START, tick=False):
        conversation, asset = _make(guest)
    client = Client()
    session = client.session
    session[GUEST_SESSION_KEY] = str(guest.guest_id)
    session.save()
    client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    assert client.get(f"/api/v1/assets/{asset.id}").status_code == 200

    with time_machine.travel(START + timedelta(hours=25), tick=False):
        retention_sweep()
    assert _blob_path(asset).exists(), "the sweep only queues; the purge deletes"
    for path in [
        f"/api/v1/assets/{asset.id}",
        f"/api/v1/assets/{asset.id}/content",
        f"/api/v1/conversations/{conversation.id}",
    ]:
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/conversations").json()["count"] == 0


def test_the_purge_deletes_bytes_and_rows_and_keeps_a_receipt_without_content(guest: Owner) -> None:
    with time_machine.travel(START, tick=False):
        _, asset = _make(guest, text="a poster that says SECRET-MARKER-77")
    path = _blob_path(asset)
    raw = path.read_bytes()
    assert not raw.startswith(b"\x89PNG"), "bytes on disk are encrypted"
    assert len(raw) > asset.byte_size
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        result = cleanup_run()
    assert result.purge.purged == {"asset": 1, "message": 2, "conversation": 1, "guest": 1}
    assert result.purge.bytes_freed == asset.byte_size
    assert not path.exists()
    assert not Asset.objects.exists()
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()
    assert not Guest.objects.filter(id=guest.guest_id).exists()
    receipt = DeletionReceipt.objects.get(kind="asset")
    assert receipt.item_id == str(asset.id)
    assert receipt.owner_key == guest.key
    assert receipt.content_sha256 == asset.sha256
    assert receipt.reason == "retention"
    # The store keeps hashes and ids only: no receipt holds the prompt.
    for stored in DeletionReceipt.objects.all():
        assert "SECRET-MARKER-77" not in str(stored.__dict__)
    prompt_hash = hashlib.sha256(b"a poster that says SECRET-MARKER-77").hexdigest()
    message_hashes = set(DeletionReceipt.objects.filter(kind="message").values_list("content_sha256", flat=True))
    assert prompt_hash in message_hashes
    assert PendingBlobDeletion.objects.count() == 0


def test_running_sweep_and_purge_twice_is_harmless(guest: Owner) -> None:
    with time_machine.travel(START, tick=False):
        _make(guest)
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        cleanup_run()
        receipts = DeletionReceipt.objects.count()
        second = cleanup_run()
    assert second.sweep.queued == {"asset": 0, "message": 0, "conversation": 0}
    assert second.purge.purged == {}
    assert DeletionReceipt.objects.count() == receipts


def test_a_failing_blob_delete_is_retried_until_it_succeeds(guest: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(START, tick=False):
        _, asset = _make(guest)
    path = _blob_path(asset)
    real_delete = default_storage.__class__.delete

    def broken(self: object, name: str) -> None:
        raise OSError("storage is read-only right now")

    monkeypatch.setattr(default_storage.__class__, "delete", broken)
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        first = cleanup_run()
    assert first.purge.blobs_failed == 1
    assert not Asset.objects.exists(), "the row goes; its bytes wait in the retry list"
    pending = PendingBlobDeletion.objects.get()
    assert (pending.blob_name, pending.attempts) == (asset.blob_name, 1)
    assert "read-only" in pending.last_error
    assert path.exists()

    monkeypatch.setattr(default_storage.__class__, "delete", real_delete)
    with time_machine.travel(START + timedelta(hours=26), tick=False):
        retention_purge()
    assert not path.exists()
    assert PendingBlobDeletion.objects.count() == 0


def test_a_crash_in_the_middle_of_a_purge_leaves_rows_and_bytes_together(
    guest: Owner, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(START, tick=False):
        _, first = _make(guest)
        _, second = _make(guest)
    from nanobananas.privacy import services

    real_insert = services.rows_insert

    def crash(model: type, *args: Any, **kwargs: Any) -> int:
        if model is services.DeletionReceipt:  # after the pending-blob rows, before the image rows go
            raise RuntimeError("power cut")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(services, "rows_insert", crash)
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        retention_sweep()
        with pytest.raises(RuntimeError, match="power cut"):
            retention_purge()
    for asset in (first, second):
        assert Asset.objects.filter(id=asset.id).exists()
        assert _blob_path(asset).exists(), "a kept row lost its bytes"
    assert PendingBlobDeletion.objects.count() == 0


def test_legal_hold_keeps_everything_until_released(guest: Owner) -> None:
    with time_machine.travel(START, tick=False):
        conversation, asset = _make(guest)
        hold = legal_hold_place(reason="case 12", placed_by_id=None, conversation_id=conversation.id)
    with time_machine.travel(START + timedelta(days=30), tick=False):
        result = cleanup_run()
    assert result.sweep.queued == {"asset": 0, "message": 0, "conversation": 0}
    assert _blob_path(asset).exists()
    assert Guest.objects.filter(id=guest.guest_id).exists()

    legal_hold_release(hold_id=hold.id, released_by_id=None)
    with time_machine.travel(START + timedelta(days=30, minutes=5), tick=False):
        cleanup_run()
    assert not _blob_path(asset).exists()
    assert not Conversation.objects.exists()


def test_a_hold_placed_after_queueing_stops_the_purge(guest: Owner) -> None:
    with time_machine.travel(START, tick=False):
        _, asset = _make(guest)
    with time_machine.travel(START + timedelta(hours=25), tick=False):
        retention_sweep()
        legal_hold_place(reason="evidence", placed_by_id=None, asset_id=asset.id)
        retention_purge()
    assert Asset.objects.filter(id=asset.id, state="queued").exists()
    assert _blob_path(asset).exists()


def test_legal_hold_needs_a_reason(guest: Owner) -> None:
    with pytest.raises(ValueError, match="reason"):
        legal_hold_place(reason="  ", placed_by_id=None, owner_guest_id=guest.guest_id)


def test_an_upload_referenced_by_a_newer_version_still_goes_on_time(guest: Owner) -> None:
    from nanobananas.studio.services import IncomingFile
    from tests.privacy.builders import png_bytes

    with time_machine.travel(START, tick=False):
        conversation = conversation_create(owner=guest)
        _, job = message_send(
            owner=guest,
            conversation_id=conversation.id,
            text="make it black and white",
            files=[IncomingFile(name="a.png", data=png_bytes())],
        )
        assert job is not None
        job_run(job_id=job.id)
    upload = Asset.objects.get(kind="upload")
    with time_machine.travel(START + timedelta(hours=23), tick=False):
        _, later = message_send(owner=guest, conversation_id=conversation.id, text="rotate it left")
        assert later is not None
        job_run(job_id=later.id)
    with time_machine.travel(START + timedelta(hours=24, seconds=1), tick=False):
        cleanup_run()
    assert not Asset.objects.filter(id=upload.id).exists()
    assert Asset.objects.filter(job=later).exists(), "the newer version keeps its own deadline"


def test_integrity_removes_bytes_without_rows_and_reports_rows_without_bytes(guest: Owner) -> None:
    with time_machine.travel(START, tick=False):
        _, kept = _make(guest)
        _, lost = _make(guest)
    stray = default_storage.save(f"assets/{guest.key}/stray.png", __import__("io").BytesIO(b"leftover"))
    _blob_path(lost).unlink()
    with time_machine.travel(timezone.now() + timedelta(hours=7), tick=False):
        result = integrity_check(repair=True)
    assert result.orphan_blobs_deleted == [stray]
    assert not default_storage.exists(stray)
    assert result.rows_missing_blobs == [str(lost.id)]
    assert _blob_path(kept).exists()


def test_integrity_leaves_fresh_bytes_alone(guest: Owner) -> None:
    fresh = default_storage.save(f"assets/{guest.key}/in-flight.png", __import__("io").BytesIO(b"being written"))
    result = integrity_check(repair=True)
    assert result.orphan_blobs_deleted == []
    assert default_storage.exists(fresh)
    default_storage.delete(fresh)


def test_pro_seven_days_boundary_and_a_downgrade_makes_old_images_due(user: Owner) -> None:
    from nanobananas.accounts.models import Plan
    from nanobananas.accounts.services import plan_change, retention_set

    account = get_user_model().objects.get(pk=user.user_id)
    plan_change(user_id=account.pk, plan_code=Plan.PRO)
    retention_set(user=account, hours=168)
    with time_machine.travel(START, tick=False):
        _, asset = _make(user)
    assert asset.expires_at == START + timedelta(days=7)
    with time_machine.travel(START + timedelta(days=7) - timedelta(seconds=1), tick=False):
        assert retention_sweep().queued["asset"] == 0
    with time_machine.travel(START + timedelta(days=3), tick=False):
        plan_change(user_id=account.pk, plan_code=Plan.FREE)
        asset.refresh_from_db()
        assert asset.expires_at == START + timedelta(hours=48)
        assert retention_sweep().queued["asset"] == 1, "shortened to 48 h, the image is due at the next sweep"
