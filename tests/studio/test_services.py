"""Studio services: sending a message queues one job; running it stores one image, once."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.core.exceptions import InvalidInput, NotFound
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.services import message_send
from tests.conftest import blob_path

pytestmark = [pytest.mark.django_db, pytest.mark.database]

FAKE_PROVIDERS = {
    "fake": {
        "BACKEND": "nanobananas.providers.fake.FakeProvider",
        "OPTIONS": {"size": (64, 48), "refuse_words": ["forbidden"], "fail_words": ["explode"]},
    },
}


def _counts() -> tuple[int, int, int]:
    return Message.objects.count(), Job.objects.count(), Asset.objects.count()


def test_conversation_belongs_to_its_owner(guest_owner: Owner, user_owner: Owner) -> None:
    mine = conversation_create(owner=guest_owner, title="  Bakery  ")
    theirs = conversation_create(owner=user_owner)
    assert (mine.owner_guest_id, mine.owner_user_id, mine.title) == (guest_owner.guest_id, None, "Bakery")
    assert (theirs.owner_guest_id, theirs.owner_user_id) == (None, user_owner.user_id)


def test_message_send_stores_the_turn_and_queues_a_job(conversation: Conversation, guest_owner: Owner) -> None:
    message, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="  a poster  ")
    assert message.text == "a poster"
    assert message.role == "user"
    assert job.status == "queued"
    assert job.request_id == message.id
    conversation.refresh_from_db()
    assert conversation.title == "a poster"


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "empty_message"), ("   \n\t ", "empty_message"), ("x" * 4001, "message_too_long")],
)
def test_bad_messages_are_refused_and_change_nothing(
    conversation: Conversation, guest_owner: Owner, text: str, code: str
) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        message_send(owner=guest_owner, conversation_id=conversation.id, text=text)
    assert caught.value.code == code
    assert _counts() == before


def test_someone_elses_conversation_is_not_found_and_nothing_changes(
    conversation: Conversation, other_guest_owner: Owner
) -> None:
    before = _counts()
    with pytest.raises(NotFound):
        message_send(owner=other_guest_owner, conversation_id=conversation.id, text="hello")
    with pytest.raises(NotFound):
        message_send(owner=other_guest_owner, conversation_id=uuid.uuid4(), text="hello")
    assert _counts() == before


def test_job_is_enqueued_only_after_commit(
    conversation: Conversation, guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster")
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "queued"
    assert Asset.objects.count() == 0


@override_settings(AI_PROVIDERS=FAKE_PROVIDERS)
def test_a_job_stores_exactly_one_image_with_its_facts(
    conversation: Conversation, guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster")
    started = timezone.now()
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert (job.status, job.progress, job.attempts, job.provider) == ("done", 100, 1, "fake")
    asset = Asset.objects.get(job=job)
    assert job.result_id == asset.message_id
    assert asset.message.role == "assistant"
    assert (asset.width, asset.height, asset.content_type) == (64, 48, "image/png")
    assert asset.owner_guest_id == guest_owner.guest_id
    assert asset.expires_at - asset.created_at == timedelta(hours=24)
    assert asset.created_at >= started
    with default_storage.open(asset.blob_name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == asset.sha256
    assert len(data) == asset.byte_size
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("PNG", (64, 48))
    assert image.getpixel((0, 0)) == (255, 255, 255)


@override_settings(AI_PROVIDERS=FAKE_PROVIDERS)
def test_signed_in_users_keep_images_48_hours(user_owner: Owner, django_capture_on_commit_callbacks: object) -> None:
    conversation = conversation_create(owner=user_owner)
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=user_owner, conversation_id=conversation.id, text="a card")
    job_run(job_id=job.id)
    asset = Asset.objects.get(job=job)
    assert asset.owner_user_id == user_owner.user_id
    assert asset.expires_at - asset.created_at == timedelta(hours=48)


@override_settings(AI_PROVIDERS=FAKE_PROVIDERS)
def test_running_a_job_twice_makes_one_result(
    conversation: Conversation, guest_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster")
    job_run(job_id=job.id)
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.attempts == 1
    assert Asset.objects.filter(conversation=conversation).count() == 1
    assert Message.objects.filter(conversation=conversation, role="assistant").count() == 1


@override_settings(AI_PROVIDERS=FAKE_PROVIDERS)
@pytest.mark.parametrize(
    ("text", "status", "code"),
    [("something forbidden", "refused", "refused"), ("explode please", "failed", "provider_error")],
)
def test_refusals_and_failures_are_recorded_in_words_and_store_nothing(
    conversation: Conversation,
    guest_owner: Owner,
    django_capture_on_commit_callbacks: object,
    text: str,
    status: str,
    code: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text=text)
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert (job.status, job.error_code) == (status, code)
    assert job.error_message
    assert job.finished_at is not None
    assert Asset.objects.count() == 0
    assert Message.objects.filter(role="assistant").count() == 0


def test_an_unexpected_crash_fails_the_job_with_a_plain_message(
    conversation: Conversation,
    guest_owner: Owner,
    django_capture_on_commit_callbacks: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nanobananas.providers.fake import FakeProvider

    def crash(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("internal detail")

    monkeypatch.setattr(FakeProvider, "generate", crash)
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster")
    job_run(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error_code == "internal_error"
    assert "internal detail" not in job.error_message
    assert job.error_message == "Something went wrong while making the image. Please try again."


@override_settings(AI_PROVIDERS=FAKE_PROVIDERS)
def test_a_guest_signing_up_keeps_their_work_under_the_new_owner(
    conversation: Conversation, guest_owner: Owner, user_owner: Owner, django_capture_on_commit_callbacks: object
) -> None:

    from nanobananas.studio.conversations import conversations_transfer_owner

    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        _, job = message_send(owner=guest_owner, conversation_id=conversation.id, text="a poster")
    job_run(job_id=job.id)
    asset = Asset.objects.get(job=job)
    old_path = blob_path(asset.blob_name)
    with default_storage.open(asset.blob_name, "rb") as handle:
        pixels = handle.read()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        moved = conversations_transfer_owner(source=guest_owner, target=user_owner)

    assert moved == 1
    conversation.refresh_from_db()
    asset.refresh_from_db()
    assert (conversation.owner_user_id, conversation.owner_guest_id) == (user_owner.user_id, None)
    assert (asset.owner_user_id, asset.owner_guest_id) == (user_owner.user_id, None)
    assert asset.blob_name == f"assets/{user_owner.key}/{job.id}-1.png"
    assert asset.expires_at - asset.created_at == timedelta(hours=48)
    assert not old_path.exists()
    with default_storage.open(asset.blob_name, "rb") as handle:
        assert handle.read() == pixels
