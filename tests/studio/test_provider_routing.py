"""Which provider answers a turn: the built-in engine when it suffices, the generative service only
when needed and allowed, and exactly what was sent recorded on the result."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from PIL import Image, ImageChops

from nanobananas.accounts.identity import Owner
from nanobananas.audit.models import AuditEvent
from nanobananas.providers.builtin import NEEDS_GENERATIVE_PROVIDER
from nanobananas.providers.fake import FakeCloudProvider
from nanobananas.providers.handler import image_provider
from nanobananas.providers.routing import THIRD_PARTY_DISABLED
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.services import IncomingFile, message_send
from tests.conftest import csrf_headers
from tests.plans import plans_allow

pytestmark = [pytest.mark.django_db, pytest.mark.database]

CLOUD = {
    "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
    "fakecloud": {
        "BACKEND": "nanobananas.providers.fake.FakeCloudProvider",
        "OPTIONS": {"refuse_words": ["forbidden"], "text_words": ["describe"], "fail_words": ["explode"]},
    },
}


@pytest.fixture
def cloud() -> Iterator[FakeCloudProvider]:
    plans_allow("fakecloud")
    with override_settings(AI_PROVIDERS=CLOUD, NANOBANANAS={**_nanobananas(), "IMAGE_PROVIDER": "fakecloud"}):
        provider = image_provider()
        assert isinstance(provider, FakeCloudProvider)
        yield provider


def _nanobananas() -> dict[str, object]:
    from django.conf import settings

    return dict(settings.NANOBANANAS)


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> IncomingFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return IncomingFile(name="photo.png", data=buffer.getvalue())


def _turn(owner: Owner, conversation: Conversation, text: str, files: list[IncomingFile] | None = None) -> Job:
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=text, files=files or [])
    assert job is not None
    job_run(job_id=job.id)
    job.refresh_from_db()
    return job


def _image(asset: Asset) -> Image.Image:
    with default_storage.open(asset.blob_name, "rb") as stored:
        return Image.open(io.BytesIO(stored.read())).convert("RGB")


def test_a_picture_from_words_is_made_by_the_generative_service_and_says_so(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "a photo of a red fox in the snow")
    assert job.status == "done"
    asset = Asset.objects.get(job=job)
    assert (asset.provider, asset.model, asset.operation) == ("fakecloud", "fake-cloud-1", "generate")
    assert [call["prompt"] for call in cloud.calls] == ["a photo of a red fox in the snow"]
    assert asset.sent == {
        "provider": "fakecloud",
        "model": "fake-cloud-1",
        "prompt_message_id": str(job.request_id),
        "prompt_sha256": hashlib.sha256(b"a photo of a red fox in the snow").hexdigest(),
        "input_asset_ids": [],
        "input_images": 0,
        "history_turns": 0,
    }
    event = AuditEvent.objects.get(kind="generation.done", target_id=str(job.id))
    assert event.details["third_party"] is True


def test_an_edit_the_engine_can_do_never_leaves_the_server(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "make it black and white", [_png((200, 40, 40))])
    assert (job.status, job.provider) == ("done", "builtin")
    asset = Asset.objects.get(job=job)
    assert (asset.provider, asset.sent) == ("builtin", {})
    assert cloud.calls == []
    red, green, blue = _image(asset).split()
    assert ImageChops.difference(red, green).getbbox() is None
    assert ImageChops.difference(green, blue).getbbox() is None


def test_an_edit_only_a_generative_model_can_do_goes_to_the_service(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "replace the dog with a cat", [_png((200, 40, 40))])
    assert job.status == "done"
    asset = Asset.objects.get(job=job)
    upload = Asset.objects.get(conversation=conversation, kind="upload")
    assert (asset.provider, asset.operation, asset.parent_id) == ("fakecloud", "edit", upload.id)
    assert asset.inputs == [str(upload.id)]
    assert asset.sent["input_asset_ids"] == [str(upload.id)]
    [call] = cloud.calls
    assert call["instruction"] == "replace the dog with a cat"
    assert call["image"].getpixel((0, 0)) == (200, 40, 40)
    assert _image(asset).getpixel((0, 0)) == (55, 215, 215)


def test_pictures_sent_together_go_to_the_service_together(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(
        guest_owner,
        conversation,
        "dress the person in the first photo in the jacket from the second",
        [_png((10, 20, 30)), _png((90, 80, 70))],
    )
    assert job.status == "done"
    [call] = cloud.calls
    assert call["image"].getpixel((0, 0)) == (10, 20, 30)
    assert [extra.getpixel((0, 0)) for extra in call["images"]] == [(90, 80, 70)]
    first, second = Asset.objects.filter(conversation=conversation, kind="upload").order_by("number")
    assert Asset.objects.get(job=job).inputs == [str(first.id), str(second.id)]


def test_a_chat_edit_sends_the_earlier_turns_the_service_made(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    _turn(guest_owner, conversation, "a photo of a cabin by a lake")
    _turn(guest_owner, conversation, "add a canoe on the water")
    _turn(guest_owner, conversation, "make it sunset and add a person in the canoe")
    assert [call["kind"] for call in cloud.calls] == ["generate", "edit", "edit"]
    assert cloud.calls[1]["history"] == [
        ("user", "a photo of a cabin by a lake", 0),
        ("model", "Here is your picture. (version 1)", 1),
    ]
    assert cloud.calls[2]["history"] == [
        ("user", "a photo of a cabin by a lake", 0),
        ("model", "Here is your picture. (version 1)", 1),
        ("user", "add a canoe on the water", 0),
        ("model", "Done. (version 2)", 1),
    ]
    third = Asset.objects.get(conversation=conversation, kind="result", number=3)
    assert third.sent["history_turns"] == 4


def test_words_without_a_picture_become_the_reply(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "describe a logo for my bakery")
    assert job.status == "done"
    assert not Asset.objects.filter(conversation=conversation).exists()
    assert job.result is not None
    assert job.result.text == "I can describe it, but I did not make a picture."


def test_a_refusal_by_the_service_is_a_refused_job_with_its_reason_audited(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "a forbidden picture")
    assert (job.status, job.error_code) == ("refused", "refused")
    assert job.error_message == "The image service declined this request."
    assert not Asset.objects.filter(conversation=conversation).exists()
    event = AuditEvent.objects.get(kind="generation.refused", target_id=str(job.id))
    assert event.details["refusal"] == "image_safety"


def test_never_send_to_third_parties_keeps_everything_on_this_server(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    from nanobananas.privacy.services import privacy_settings_update

    privacy_settings_update(guest_owner, third_party_ai=False)
    refused = _turn(guest_owner, conversation, "replace the dog with a cat", [_png((1, 2, 3))])
    assert refused.status == "refused"
    assert THIRD_PARTY_DISABLED in refused.error_message
    local = _turn(guest_owner, conversation, "make it brighter")
    assert local.status == "done"
    assert Asset.objects.get(job=local).provider == "builtin"
    assert cloud.calls == []


def test_without_a_generative_service_the_engine_says_what_it_cannot_do(
    guest_owner: Owner, conversation: Conversation
) -> None:
    with override_settings(NANOBANANAS={**_nanobananas(), "IMAGE_PROVIDER": "builtin"}):
        job = _turn(guest_owner, conversation, "replace the dog with a cat", [_png((1, 2, 3))])
    assert job.status == "refused"
    assert NEEDS_GENERATIVE_PROVIDER in job.error_message


def test_a_masked_generative_edit_changes_only_the_masked_area(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    mask = Image.new("RGBA", (40, 30), (0, 0, 0, 255))
    mask.paste((0, 0, 0, 0), (0, 0, 20, 30))  # the left half may change
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    _, job = message_send(
        owner=guest_owner,
        conversation_id=conversation.id,
        text="replace the dog with a cat",
        files=[_png((200, 40, 40))],
        mask=IncomingFile(name="mask.png", data=buffer.getvalue()),
    )
    assert job is not None
    job_run(job_id=job.id)
    result = _image(Asset.objects.get(job=job))
    assert cloud.calls[0]["mask"] is True
    assert result.getpixel((5, 5)) == (55, 215, 215)
    assert result.getpixel((35, 5)) == (200, 40, 40)


def test_a_busy_service_fails_the_job_so_it_can_be_retried(
    cloud: FakeCloudProvider, guest_owner: Owner, conversation: Conversation
) -> None:
    job = _turn(guest_owner, conversation, "a photo that will explode")
    assert (job.status, job.error_code) == ("failed", "provider_error")
    assert Message.objects.filter(conversation=conversation, role="assistant").count() == 0
    assert uuid.UUID(str(job.id))


def test_each_image_says_where_it_was_made(
    cloud: FakeCloudProvider, guest_client: Client, django_capture_on_commit_callbacks: object
) -> None:
    headers = csrf_headers(guest_client)
    conversation_id = guest_client.post(
        "/api/v1/conversations", data="{}", content_type="application/json", headers=headers
    ).json()["id"]
    for text in ("a photo of a lighthouse at dawn", "make it black and white"):
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            response = guest_client.post(
                f"/api/v1/conversations/{conversation_id}/messages",
                data=json.dumps({"text": text}),
                content_type="application/json",
                headers=headers,
            )
        assert response.status_code == 202
    detail = guest_client.get(f"/api/v1/conversations/{conversation_id}").json()
    assets = [asset for message in detail["messages"] for asset in message["assets"]]
    assert [(a["provider"], a["made_with"]) for a in assets] == [
        ("fakecloud", "made with Fake Cloud 1"),
        ("builtin", "made on this server"),
    ]
    assert assets[0]["sent_to_provider"]["prompt_message_id"] == detail["messages"][0]["id"]
    assert assets[1]["sent_to_provider"] == {}


class NoChatCloudProvider(FakeCloudProvider):
    """A service without chat editing (like the OpenAI images API)."""

    name = "nochat"
    can_chat = False


def test_a_service_without_chat_is_not_sent_earlier_turns(guest_owner: Owner, conversation: Conversation) -> None:
    providers = {
        "builtin": CLOUD["builtin"],
        "nochat": {"BACKEND": "tests.studio.test_provider_routing.NoChatCloudProvider", "OPTIONS": {}},
    }
    plans_allow("nochat")
    with override_settings(AI_PROVIDERS=providers, NANOBANANAS={**_nanobananas(), "IMAGE_PROVIDER": "nochat"}):
        provider = image_provider()
        _turn(guest_owner, conversation, "a photo of a cabin by a lake")
        _turn(guest_owner, conversation, "add a canoe on the water")
    assert [call["kind"] for call in provider.calls] == ["generate", "edit"]  # type: ignore[attr-defined]
    assert provider.calls[1]["history"] == []  # type: ignore[attr-defined]
    assert Asset.objects.get(conversation=conversation, kind="result", number=2).sent["history_turns"] == 0
