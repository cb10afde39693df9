"""The owner's plan decides whether a configured cloud provider may be used (`Plan.allowed_providers`): a plan
that lists only the built-in engine keeps every request on this server, what the engine can do is done here,
and what only a generative model can make is refused in plain words, with nothing sent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.models import Plan, Profile
from nanobananas.providers.fake import FakeCloudProvider
from nanobananas.providers.handler import image_provider
from nanobananas.providers.routing import providers_for
from nanobananas.studio.models import Asset, Conversation, Job
from nanobananas.studio.services import IncomingFile, message_send

pytestmark = [pytest.mark.django_db, pytest.mark.database]

CLOUD = {
    "builtin": {"BACKEND": "nanobananas.providers.builtin.BuiltinProvider", "OPTIONS": {}},
    "gemini": {"BACKEND": "nanobananas.providers.fake.FakeCloudProvider", "OPTIONS": {}},
}
REFUSAL = (
    "This needs a generative model at a third-party AI service (Fake Cloud Image), which the {plan} plan does not "
    "include (Pro does), so only this server's built-in engine was used."
)


@pytest.fixture
def cloud() -> Iterator[FakeCloudProvider]:
    """A cloud provider named like one the seeded Pro plan lists (the fake answers as `fakecloud`)."""
    with override_settings(AI_PROVIDERS=CLOUD, NANOBANANAS={**settings.NANOBANANAS, "IMAGE_PROVIDER": "gemini"}):
        provider = image_provider()
        assert isinstance(provider, FakeCloudProvider)
        provider.name = "gemini"  # type: ignore[misc]  # this instance stands for a provider Pro lists
        yield provider


def _user(plan: str) -> Owner:
    user = get_user_model().objects.create_user(username=f"u{plan}", email=f"{plan}@example.org", password="x" * 12)
    Profile.objects.update_or_create(user_id=user.pk, defaults={"plan": Plan.objects.get(code=plan)})
    return Owner(user_id=user.pk)


def _png(colour: tuple[int, int, int]) -> IncomingFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return IncomingFile(name="photo.png", data=buffer.getvalue())


def _conversation(owner: Owner) -> Conversation:
    return Conversation.objects.create(
        owner_user_id=owner.user_id, owner_guest_id=owner.guest_id, expires_at=timezone.now() + timedelta(days=30)
    )


@pytest.fixture
def turn(django_capture_on_commit_callbacks: Any) -> Any:
    """Send a turn and run its job (queued on commit; the test queue runs it at once)."""

    def send(owner: Owner, conversation: Conversation, text: str, files: list[IncomingFile] | None = None) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            _, job = message_send(owner=owner, conversation_id=conversation.id, text=text, files=files or [])
        assert job is not None
        job.refresh_from_db()
        return job

    return send


def test_the_seeded_plans_allow_cloud_providers_on_pro_only() -> None:
    assert {plan.code: plan.allowed_providers for plan in Plan.objects.all()} == {
        "guest": ["builtin"], "free": ["builtin"], "pro": ["builtin", "gemini", "openai"],
    }  # fmt: skip


@pytest.mark.parametrize(("plan", "name"), [("free", "Free"), (None, "Guest")])
def test_a_request_only_a_cloud_model_can_make_is_refused_in_plain_words_and_nothing_is_sent(
    cloud: FakeCloudProvider, guest_owner: Owner, turn: Any, plan: str | None, name: str
) -> None:
    owner = guest_owner if plan is None else _user(plan)
    route = providers_for(owner)
    assert (route.generative, route.unavailable_code) == (None, "provider_not_in_plan")
    assert route.unavailable == REFUSAL.format(plan=name)
    conversation = _conversation(owner)

    job = turn(owner, conversation, "a photo of a red fox in the snow")

    assert (job.status, job.error_code) == ("refused", "refused")
    assert job.error_message.endswith(REFUSAL.format(plan=name)), job.error_message
    assert cloud.calls == []
    assert not Asset.objects.filter(conversation=conversation, kind="result").exists()


def test_what_the_engine_can_do_is_still_done_here_for_a_plan_without_the_provider(
    cloud: FakeCloudProvider, guest_owner: Owner, turn: Any
) -> None:
    job = turn(guest_owner, _conversation(guest_owner), "make it black and white", [_png((200, 40, 40))])
    assert (job.status, job.provider) == ("done", "builtin")
    assert Asset.objects.get(job=job).sent == {}
    assert cloud.calls == []


def test_a_plan_that_lists_the_provider_gets_it(cloud: FakeCloudProvider, turn: Any) -> None:
    owner = _user("pro")
    assert providers_for(owner).generative is cloud
    job = turn(owner, _conversation(owner), "a photo of a red fox in the snow")
    assert job.status == "done"
    assert [call["prompt"] for call in cloud.calls] == ["a photo of a red fox in the snow"]


def test_the_command_line_is_not_bound_by_a_plan(cloud: FakeCloudProvider) -> None:
    assert providers_for(None).generative is cloud
