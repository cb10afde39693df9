"""Videos live by the same rules as images: the owner's retention tier (bytes gone from storage after the
deadline), in history, in the data export and the conversation ZIP, deleted with the conversation or account."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from nanobananas.accounts.identity import Owner
from nanobananas.privacy.export import export_build, export_request
from nanobananas.privacy.services import retention_purge, retention_sweep
from nanobananas.studio.conversations import conversation_create, conversation_delete
from nanobananas.studio.downloads import conversation_archive
from nanobananas.studio.history import history_search
from nanobananas.studio.models import Asset, Conversation
from nanobananas.studio.videos import video_create, video_spec_parse
from nanobananas.workflows.account_delete import DELETE_PHRASE, account_delete
from tests.conftest import blob_path
from tests.studio.videos_support import run, stored, uploads

pytestmark = [pytest.mark.django_db, pytest.mark.database]

START = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def _video(owner: Owner, conversation: Conversation) -> Asset:
    [picture] = uploads(owner, conversation, (200, 120, 40))
    spec = video_spec_parse(motion="zoom_in", parameters={"seconds": 2, "width": 320, "height": 180, "fps": 24})
    job = run(video_create(owner=owner, conversation_id=conversation.id, asset_ids=[picture.id], spec=spec))
    assert job.status == "done", job.error_message
    return Asset.objects.get(job=job)


def test_a_guest_s_video_is_physically_gone_a_day_later(guest_owner: Owner, conversation: Conversation) -> None:
    with time_machine.travel(START, tick=False):
        video = _video(guest_owner, conversation)
    on_disk = blob_path(video.blob_name)
    assert on_disk.exists()
    assert video.expires_at == START + timedelta(hours=24)
    with time_machine.travel(START + timedelta(hours=24) - timedelta(seconds=1), tick=False):
        retention_sweep()
    assert Asset.objects.get(id=video.id).state == "active"
    with time_machine.travel(START + timedelta(hours=24, seconds=1), tick=False):
        retention_sweep()
        assert Asset.objects.get(id=video.id).state == "queued"
        retention_purge()
    assert not Asset.objects.filter(id=video.id).exists()
    assert not default_storage.exists(video.blob_name)
    assert not on_disk.exists()


def test_history_lists_videos_with_the_words_that_made_them(guest_owner: Owner, conversation: Conversation) -> None:
    video = _video(guest_owner, conversation)
    page = history_search(owner=guest_owner, kind="video")
    assert [(item.asset_id, item.kind, item.version) for item in page.items] == [(video.id, "video", 1)]
    assert page.items[0].prompt == "Make a 2 second zoom in video from 1 picture (320x180, 24 fps, MP4)."


def test_the_conversation_zip_holds_the_video_as_stored(guest_owner: Owner, conversation: Conversation) -> None:
    video = _video(guest_owner, conversation)
    with conversation_archive(conversation=conversation) as archive, zipfile.ZipFile(archive) as bundle:
        assert bundle.read("videos/nanobananas-video-1.mp4") == stored(video)
        manifest = json.loads(bundle.read("manifest.json"))
    [entry] = [f for f in manifest["files"] if f["kind"] == "video"]
    assert (entry["file"], entry["sha256"], entry["seconds"], entry["fps"]) == (
        "videos/nanobananas-video-1.mp4", video.sha256, 2.0, 24
    )  # fmt: skip


def _user() -> Owner:
    user = get_user_model().objects.create_user(username="vera", email="vera@example.org", password=PASSWORD)
    return Owner(user_id=user.pk)


def test_the_data_export_holds_the_video(db: None) -> None:
    owner = _user()
    chat = conversation_create(owner=owner)
    video = _video(owner, chat)
    user = get_user_model().objects.get(pk=owner.user_id)
    export = export_request(user=user)
    export_build(export_id=export.id)
    export.refresh_from_db()
    with default_storage.open(export.blob_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    path = f"images/{chat.id}/video-1.mp4"
    assert archive.read(path) == stored(video)
    record = json.loads(archive.read(f"conversations/{chat.id}.json"))
    [listed] = [image for image in record["images"] if image["kind"] == "video"]
    assert (listed["file"], listed["sha256"]) == (path, video.sha256)


def test_deleting_the_conversation_or_the_account_deletes_the_video(guest_owner: Owner) -> None:
    chat = conversation_create(owner=guest_owner)
    video = _video(guest_owner, chat)
    conversation_delete(owner=guest_owner, conversation_id=chat.id)
    assert Asset.objects.get(id=video.id).state == "queued"
    retention_purge()
    assert not Asset.objects.filter(id=video.id).exists()
    assert not default_storage.exists(video.blob_name)

    owner = _user()
    theirs = conversation_create(owner=owner)
    kept_elsewhere = _video(guest_owner, conversation_create(owner=guest_owner))
    gone = _video(owner, theirs)
    account_delete(user=get_user_model().objects.get(pk=owner.user_id), password=PASSWORD, phrase=DELETE_PHRASE)
    assert Asset.objects.get(id=gone.id).state == "queued"
    retention_purge()
    assert not Asset.objects.filter(id=gone.id).exists()
    assert not default_storage.exists(gone.blob_name)
    assert not blob_path(gone.blob_name).exists()
    assert default_storage.exists(kept_elsewhere.blob_name)
