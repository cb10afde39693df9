"""Conversation text is sealed at rest with its owner's key; the API and pages show it in plain."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from nanobananas.accounts.identity import GUEST_SESSION_KEY, Owner
from nanobananas.accounts.services import guest_create
from nanobananas.studio.conversations import conversation_create
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Conversation, Message
from nanobananas.studio.sealing import UNREADABLE
from nanobananas.studio.services import message_send

pytestmark = [pytest.mark.django_db, pytest.mark.database]

MARKER = "TEXT-MARKER-4471"


def _raw_rows() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM studio_message")
        messages = cursor.fetchall()
        cursor.execute("SELECT * FROM studio_conversation")
        conversations = cursor.fetchall()
    return repr(messages) + repr(conversations)


def _conversation_with_marker() -> tuple[Owner, Conversation]:
    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner, title=f"title {MARKER}")
    _, job = message_send(owner=owner, conversation_id=conversation.id, text=f"a poster for {MARKER}")
    assert job is not None
    job_run(job_id=job.id)
    return owner, conversation


def test_the_database_holds_no_prompt_text_and_the_api_shows_it() -> None:
    owner, conversation = _conversation_with_marker()
    assert MARKER not in _raw_rows()
    client = Client()
    session = client.session
    session[GUEST_SESSION_KEY] = str(owner.guest_id)
    session.save()
    client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    detail = client.get(f"/api/v1/conversations/{conversation.id}").json()
    assert detail["title"] == f"title {MARKER}"
    assert detail["messages"][0]["text"] == f"a poster for {MARKER}"
    assert f"title {MARKER}" in client.get("/").content.decode()


def test_shredding_the_owners_key_makes_the_text_unreadable() -> None:
    from nanobananas.vault.services import owner_keys_shred

    owner, conversation = _conversation_with_marker()
    assert owner_keys_shred(owner_key=owner.key)
    message = Message.objects.select_related("conversation").get(conversation=conversation, role="user")
    assert message.text == UNREADABLE
    assert Conversation.objects.get(id=conversation.id).title == UNREADABLE


def test_a_sealed_text_cannot_be_moved_to_another_message() -> None:
    _, conversation = _conversation_with_marker()
    user_turn, reply = Message.objects.filter(conversation=conversation).order_by("created_at")
    Message.objects.filter(id=reply.id).update(sealed_text=user_turn.sealed_text)
    moved = Message.objects.select_related("conversation").get(id=reply.id)
    assert moved.text == UNREADABLE


def test_rows_written_before_sealing_still_read() -> None:
    _, conversation = _conversation_with_marker()
    Message.objects.filter(conversation=conversation, role="user").update(sealed_text="plain old text")
    assert Message.objects.get(conversation=conversation, role="user").text == "plain old text"


def test_a_guests_text_is_resealed_for_the_account_it_moves_to() -> None:
    from django.contrib.auth import get_user_model

    from nanobananas.studio.conversations import conversations_transfer_owner
    from nanobananas.vault.services import owner_keys_shred

    guest, conversation = _conversation_with_marker()
    user = get_user_model().objects.create_user(username="rui", email="rui@example.org", password="x" * 14)
    account = Owner(user_id=user.pk)
    conversations_transfer_owner(source=guest, target=account)
    owner_keys_shred(owner_key=guest.key)  # the guest's key is gone; the text must not need it
    moved = Conversation.objects.get(id=conversation.id)
    assert moved.title == f"title {MARKER}"
    message = Message.objects.select_related("conversation").get(conversation=conversation, role="user")
    assert message.text == f"a poster for {MARKER}"
    assert MARKER not in _raw_rows()
