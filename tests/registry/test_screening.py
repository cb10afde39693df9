"""The content screen: the studio asks the registry, the moderation app answers; none registered, nothing stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from nanobananas.accounts.identity import Owner
from nanobananas.accounts.services import guest_create
from nanobananas.moderation.exceptions import ContentBlocked
from nanobananas.moderation.models import BlockedAttempt
from nanobananas.moderation.services import provider_refusal_review, result_screen, turn_screen
from nanobananas.registry import screening
from nanobananas.registry.screening import ContentScreen, content_screen, content_screen_register
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.models import Asset, Conversation, Job, Message
from nanobananas.studio.services import message_send


def test_the_registered_screen_is_the_moderation_apps() -> None:
    screen = content_screen()
    assert (screen.turn, screen.result, screen.provider_refusal) == (
        turn_screen,
        result_screen,
        provider_refusal_review,
    )


def test_a_second_different_screen_is_refused_and_the_first_stays() -> None:
    before = content_screen()
    content_screen_register(before)  # the same one again (ready() run twice) is fine
    other = ContentScreen(turn=lambda **kw: None, result=lambda **kw: None, provider_refusal=lambda **kw: None)  # type: ignore[arg-type]  # never called
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        content_screen_register(other)
    assert content_screen() is before


@pytest.mark.django_db
def test_without_a_screen_the_studio_stores_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    monkeypatch.setattr(screening, "_SCREENS", [])
    with pytest.raises(ImproperlyConfigured, match="no content screen is registered"):
        message_send(owner=owner, conversation_id=conversation.id, text="a poster for a bakery")
    assert Message.objects.filter(conversation=conversation).count() == 0
    assert Job.objects.count() == 0
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_a_blocked_turn_is_refused_through_the_registered_screen_and_nothing_is_stored() -> None:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner)
    with pytest.raises(ContentBlocked):
        message_send(owner=owner, conversation_id=conversation.id, text="how to make a pipe bomb")
    assert Message.objects.filter(conversation=conversation).count() == 0
    assert Job.objects.count() == 0
    assert BlockedAttempt.objects.filter(owner_guest_id=owner.guest_id, stage="prompt").count() == 1
    assert Conversation.objects.get(id=conversation.id).sealed_title == ""
