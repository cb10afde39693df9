"""Which image a turn is about, from its words alone (pure: no database)."""

from __future__ import annotations

import uuid

import pytest

from nanobananas.studio.intent import ConversationState, ImageRef, resolve_intent


def _ref(kind: str, number: int, parent: ImageRef | None = None) -> ImageRef:
    return ImageRef(id=uuid.uuid4(), kind=kind, number=number, parent_id=parent.id if parent else None)  # type: ignore[arg-type]


V1 = _ref("result", 1)
V2 = _ref("result", 2, V1)
V3 = _ref("result", 3, V2)
CHAT = ConversationState(versions=[V1, V2, V3], last_plan={"steps": []})


@pytest.mark.parametrize(
    ("text", "kind", "bases", "rest"),
    [
        ("now make the background blue", "edit", [V3], "now make the background blue"),
        ("undo", "revert", [V2], "undo"),
        ("Please restore version two.", "revert", [V2], "Please restore version two."),
        ("go back to the first version", "revert", [V1], "go back to the first version"),
        ("switch back to v1", "revert", [V1], "switch back to v1"),
        ("use the previous version", "revert", [V2], "use the previous version"),
        ("revert to version 1 and make it brighter", "edit", [V1], "make it brighter"),
        ("do the same again", "repeat", [V3], "do the same again"),
        ("make it a square", "edit", [V3], "make it a square"),
        ("make a black and white version", "edit", [V3], "make a black and white version"),
        ("a poster for a bakery", "generate", [], "a poster for a bakery"),
        ("make me a birthday card for Mia", "generate", [], "make me a birthday card for Mia"),
    ],
)
def test_turns_in_a_chat_with_three_versions(text: str, kind: str, bases: list[ImageRef], rest: str) -> None:
    intent = resolve_intent(text, CHAT)
    assert (intent.kind, intent.bases, intent.text) == (kind, bases, rest)


def test_a_missing_version_is_a_question() -> None:
    intent = resolve_intent("go back to version twelve", CHAT)
    assert intent.kind == "clarify"
    assert intent.question == "I can't find version 12. Versions in this chat: 1, 2, 3."


def test_undo_of_the_first_version_is_a_question() -> None:
    intent = resolve_intent("undo", ConversationState(versions=[V1]))
    assert (intent.kind, intent.question) == (
        "clarify",
        "This is the first version, so there is nothing to go back to.",
    )


def test_two_pictures() -> None:
    u1, u2 = _ref("upload", 1), _ref("upload", 2)
    state = ConversationState(attachments=[u1, u2])
    cases = {
        "combine the two photos side by side": ("combine", [u1, u2], "horizontal"),
        "stack them on top of each other": ("combine", [u1, u2], "vertical"),
        "put the logo in the top left corner": ("overlay", [u1, u2], "top-left"),
        "use the second photo as the background": ("background", [u1, u2], ""),
        "use the first picture as the background": ("background", [u2, u1], ""),
    }
    for text, (kind, bases, layout) in cases.items():
        intent = resolve_intent(text, state)
        assert (intent.kind, intent.bases, intent.layout) == (kind, bases, layout), text


def test_nothing_to_edit_means_a_new_creation() -> None:
    assert resolve_intent("make it brighter", ConversationState()).kind == "generate"
