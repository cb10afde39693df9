"""Control characters and direction overrides are removed from typed text."""

from __future__ import annotations

import pytest

from nanobananas.core.text import clean_text


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  a poster\x00 for\x07 my shop \x1b[31m ", "a poster for my shop [31m"),
        ("line one\nline\ttwo", "line one\nline\ttwo"),
        ("invoice \u202egnp.exe", "invoice gnp.exe"),
        ("caf\u00e9 \u2014 \u8336", "caf\u00e9 \u2014 \u8336"),
        ("\u2066\u2069", ""),
    ],
)
def test_clean_text(typed: str, kept: str) -> None:
    assert clean_text(typed) == kept


@pytest.mark.django_db
def test_a_message_of_only_control_characters_is_empty_and_refused() -> None:
    from nanobananas.accounts.identity import Owner
    from nanobananas.accounts.services import guest_create
    from nanobananas.core.exceptions import InvalidInput
    from nanobananas.studio.conversations import conversation_create
    from nanobananas.studio.models import Message
    from nanobananas.studio.services import message_send

    owner = Owner(guest_id=guest_create().id)
    conversation = conversation_create(owner=owner, title="\x00Shop\u202e poster")
    assert conversation.title == "Shop poster"
    with pytest.raises(InvalidInput):
        message_send(owner=owner, conversation_id=conversation.id, text="\x00\x01\x02 ")
    assert Message.objects.count() == 0
