"""What a chat message asks for, in the context of the conversation: make, edit, revert, repeat or combine.

The engine's planner understands *what to do to an image*; this module decides *which image* a
turn is about ("now make it blue" = the latest version, "go back to version 2", "undo", "use the
first picture instead", "do the same to this one") and whether the turn asks for a new creation.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Literal

from nanobananas.engine.numbers import NUMBER_WORDS

__all__ = ["ConversationState", "ImageRef", "Intent", "resolve_intent"]

IntentKind = Literal["generate", "edit", "revert", "repeat", "combine", "overlay", "background", "tool", "clarify"]


@dataclass(frozen=True)
class ImageRef:
    id: uuid.UUID
    kind: Literal["upload", "result"]
    number: int
    parent_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ConversationState:
    """The images a turn can refer to, oldest first, and the plan of the last edit (for "the same")."""

    versions: list[ImageRef] = field(default_factory=list)
    uploads: list[ImageRef] = field(default_factory=list)
    attachments: list[ImageRef] = field(default_factory=list)
    last_plan: dict[str, object] | None = None

    @property
    def current(self) -> ImageRef | None:
        """The image a bare edit applies to: the newest version, else the newest upload."""
        if self.versions:
            return self.versions[-1]
        return self.uploads[-1] if self.uploads else None


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    text: str
    bases: list[ImageRef] = field(default_factory=list)
    layout: str = ""
    question: str = ""
    # kind "tool": an AI tool the words name ("make a US passport photo") and the parameters they give.
    tool: str = ""
    params: dict[str, object] = field(default_factory=dict)


_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}  # fmt: skip
_NUMBER = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
_ORDINAL = "(" + "|".join(_ORDINALS) + ")"
_LEAD = r"(?:(?:please|ok(?:ay)?|now|then|and|so|hmm+|actually|no,?)\s+)*"
_GO_BACK = (
    r"(?:go(?:ing)?\s+back\s+to|back\s+to|revert(?:\s+it)?\s+to|return\s+to|restore|switch\s+(?:back\s+)?to"
    r"|use|take|start\s+(?:again\s+)?from|from)"
)
_PICTURE = r"(?:picture|photo|image|pic|upload|one|version)"

_UNDO = re.compile(
    r"^" + _LEAD + r"(?:undo(?:\s+(?:that|it|the\s+last\s+(?:change|edit|step)))?"
    r"|take\s+(?:that|it)\s+back|revert(?:\s+(?:that|it|the\s+last\s+(?:change|edit)))?"
    r"|go\s+back(?:\s+(?:one|a)\s+step)?|(?:(?:go\s+)?back\s+to\s+|use\s+|restore\s+)?the\s+(?:previous|last)\s+(?:one|version)"
    r"|i\s+(?:don'?t|do\s+not)\s+like\s+(?:that|it),?\s+undo(?:\s+it)?)\s*[.!]*$",
    re.IGNORECASE,
)
_VERSION_NUMBER = re.compile(r"\b(?:version|v)\s*#?\s*" + _NUMBER + r"\b", re.IGNORECASE)
_VERSION_ORDINAL = re.compile(r"\bthe\s+" + _ORDINAL + r"\s+(?:version|result|edit)\b", re.IGNORECASE)
_UPLOAD_ORDINAL = re.compile(
    r"\bthe\s+" + _ORDINAL + r"\s+(?:picture|photo|image|pic|upload|one\s+i\s+(?:uploaded|sent))\b", re.IGNORECASE
)
_ORIGINAL = re.compile(r"\bthe\s+original(?:\s+" + _PICTURE + r")?\b", re.IGNORECASE)
_GO_BACK_PREFIX = re.compile(r"^" + _LEAD + _GO_BACK + r"\b\s*(?:the\s*)?", re.IGNORECASE)
_FILLER = re.compile(
    r"^(?:instead|again|please|now|then|and|it|that|one|back|thanks?|thank\s+you|ok(?:ay)?|[\s,.!;:]+)*$",
    re.IGNORECASE,
)
_REPEAT = re.compile(
    r"\b(?:do|apply)\s+(?:the\s+same|that|it)(?:\s+(?:thing|edit|again))?(?:\s+(?:to|on|for)\s+(?:this|these|the\s+new)"
    r"(?:\s+" + _PICTURE + r"s?)?)?\b|\bsame\s+(?:thing|edit)\s+(?:to|on|for)\b",
    re.IGNORECASE,
)
_COMBINE = re.compile(
    r"\b(?:combine|merge|stitch|collage|side\s+by\s+side|next\s+to\s+each\s+other|together|grid"
    r"|on\s+top\s+of\s+each\s+other)\b",
    re.IGNORECASE,
)
_COMBINE_LAYOUT = [
    (re.compile(pattern, re.IGNORECASE), layout)
    for pattern, layout in [
        (r"\b(?:grid|collage|tiles?)\b", "grid"),
        (r"\b(?:on\s+top\s+of\s+each\s+other|stack(?:ed)?|vertical(?:ly)?|one\s+above)\b", "vertical"),
        (r"\b(?:side\s+by\s+side|next\s+to|horizontal(?:ly)?|left\s+and\s+right)\b", "horizontal"),
    ]
]
_OVERLAY = re.compile(
    r"\b(?:put|paste|place|add|stamp|overlay|drop)\b.*\b(?:logo|watermark|sticker|badge|icon|emblem|mark)\b",
    re.IGNORECASE,
)
_BACKGROUND_SWAP = re.compile(
    r"\b(?:as|for)\s+(?:the\s+|a\s+|its\s+|my\s+)?(?:new\s+)?(?:background|backdrop|scene)\b"
    r"|\b(?:put|place|move)\b.*\b(?:in\s+front\s+of|onto|on|into)\b.*\b(?:other|second|that|this)\s+"
    r"(?:picture|photo|image|background|one)\b",
    re.IGNORECASE,
)
_BACKGROUND_FIRST = re.compile(
    r"\b(?:use|take)\s+the\s+(?:first|1st)\s+(?:picture|photo|image|one)\s+(?:as|for)\b", re.IGNORECASE
)
_POSITION_WORDS = [
    (re.compile(p, re.IGNORECASE), name)
    for p, name in [
        (r"\b(?:top|upper)[\s-]*left\b", "top-left"),
        (r"\b(?:top|upper)[\s-]*right\b", "top-right"),
        (r"\b(?:bottom|lower)[\s-]*left\b", "bottom-left"),
        (r"\b(?:bottom|lower)[\s-]*right\b", "bottom-right"),
        (r"\b(?:centre|center|middle)\b", "center"),
        (r"\btop\b", "top"),
        (r"\bbottom\b", "bottom"),
        (r"\bleft\b", "left"),
        (r"\bright\b", "right"),
    ]
]


def _position(text: str) -> str:
    return next((name for pattern, name in _POSITION_WORDS if pattern.search(text)), "bottom-right")


_CREATE = re.compile(
    r"^(?:(?:please|can\s+you|could\s+you|would\s+you|i\s+(?:want|need|would\s+like)|i'?d\s+like)\s+)*"
    r"(?:(?:create|design|generate|draw|paint|render|sketch\s+out|give\s+me|show\s+me|make(?:\s+me)?)\s+"
    r"(?:me\s+)?(?:a|an|another|some|one|two|three)\b|(?:a|an|another)\s+(?!bit\b|little\b|lot\b|touch\b))",
    re.IGNORECASE,
)


_CREATION_NOUN = re.compile(
    r"\b(?:poster|flyer|invitation|invite|card|banner|post|story|thumbnail|menu|certificate|cover|logo|ad|advert"
    r"|sign|label|sunset|sunrise|scene|landscape|sky|forest|beach|mountains?|city|skyline|picture\s+of|image\s+of"
    r"|drawing\s+of|illustration|wallpaper|background\s+for)\b",
    re.IGNORECASE,
)
_ABOUT_THIS_IMAGE = re.compile(
    r"\b(?:version|copy|of\s+(?:it|this|that)|this\s+(?:one|image|photo|picture))\b", re.IGNORECASE
)


def _is_new_creation(text: str) -> bool:
    """True for "a poster for my shop" or "make me a birthday card"; false for "make it a square"."""
    return bool(_CREATE.match(text) and _CREATION_NOUN.search(text) and not _ABOUT_THIS_IMAGE.search(text))


def _number(word: str) -> int:
    lowered = word.lower()
    return int(lowered) if lowered.isdigit() else NUMBER_WORDS.get(lowered, _ORDINALS.get(lowered, 0))


def _find(refs: list[ImageRef], number: int) -> ImageRef | None:
    return next((ref for ref in refs if ref.number == number), None)


def _strip_reference(text: str, match: re.Match[str]) -> str:
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    rest = _GO_BACK_PREFIX.sub("", rest)
    rest = re.sub(r"^\s*(?:and|then|,)+\s*", "", rest, flags=re.IGNORECASE)
    return rest.strip(" ,.;")


def _referenced(text: str, state: ConversationState) -> tuple[ImageRef | None, str, str] | None:
    """A reference to a specific earlier image: (the image or None if it does not exist, rest, label)."""
    for pattern, refs, label in [
        (_VERSION_NUMBER, state.versions, "version"),
        (_VERSION_ORDINAL, state.versions, "version"),
        (_UPLOAD_ORDINAL, state.uploads or state.versions, "picture"),
    ]:
        match = pattern.search(text)
        if match:
            number = _number(match.group(1))
            return _find(refs, number), _strip_reference(text, match), f"{label} {number}"
    match = _ORIGINAL.search(text)
    if match:
        original = state.uploads[0] if state.uploads else (state.versions[0] if state.versions else None)
        return original, _strip_reference(text, match), "the original"
    return None


def _two_images(state: ConversationState) -> list[ImageRef] | None:
    """The two pictures a two-image request is about: this turn's, else the last two uploads."""
    if len(state.attachments) >= 2:
        return list(state.attachments[:2])
    if not state.attachments and len(state.uploads) >= 2:
        return list(state.uploads[-2:])
    if len(state.attachments) == 1 and state.uploads:
        return [state.uploads[-1], state.attachments[0]]
    return None


def _named_tool(text: str) -> tuple[str, dict[str, object], bool] | None:
    """The AI tool a whole message asks for, its parameters, and whether it works on a picture."""
    from nanobananas.engine.tools import TOOLS
    from nanobananas.engine.tools.phrases import match_tool

    found = match_tool(text)
    if found is None or found[0] not in TOOLS:
        return None
    name, params = found
    return name, params, TOOLS[name].min_images > 0


def resolve_intent(text: str, state: ConversationState) -> Intent:
    """Decide what a turn is about. Pure: the caller loads the state and acts on the intent."""
    text = text.strip()
    if state.attachments and _REPEAT.search(text) and state.last_plan is not None:
        return Intent(kind="repeat", text=text, bases=list(state.attachments))
    pair = _two_images(state)
    if pair is not None and _OVERLAY.search(text):
        return Intent(kind="overlay", text=text, bases=pair, layout=_position(text))
    if pair is not None and _BACKGROUND_SWAP.search(text):
        subject, background = (pair[1], pair[0]) if _BACKGROUND_FIRST.search(text) else (pair[0], pair[1])
        return Intent(kind="background", text=text, bases=[subject, background])
    if _COMBINE.search(text):
        if len(state.attachments) >= 2:
            images = state.attachments
        elif not state.attachments and len(state.uploads) >= 2:
            images = state.uploads[-2:]
        else:
            images = []
        if images:
            layout = next((name for pattern, name in _COMBINE_LAYOUT if pattern.search(text)), "horizontal")
            return Intent(kind="combine", text=text, bases=list(images), layout=layout)
    named = _named_tool(text)
    if named is not None:
        name, params, takes_image = named
        base = state.attachments[0] if state.attachments else state.current
        if not takes_image:
            return Intent(kind="tool", text=text, tool=name, params=params)
        if base is not None:
            return Intent(kind="tool", text=text, bases=[base], tool=name, params=params)
    if state.attachments:
        return Intent(kind="edit", text=text, bases=[state.attachments[0]])

    if _UNDO.match(text):
        current = state.current
        if current is None or current.kind != "result":
            return Intent(kind="clarify", text=text, question="There is nothing to undo yet.")
        previous = next((ref for ref in state.versions + state.uploads if ref.id == current.parent_id), None)
        if previous is None:
            return Intent(
                kind="clarify", text=text, question="This is the first version, so there is nothing to go back to."
            )
        return Intent(kind="revert", text=text, bases=[previous])

    reference = _referenced(text, state)
    if reference is not None:
        image, rest, label = reference
        if image is None:
            known = ", ".join(str(v.number) for v in state.versions) or "none yet"
            return Intent(kind="clarify", text=text, question=f"I can't find {label}. Versions in this chat: {known}.")
        if _FILLER.match(rest):
            return Intent(kind="revert", text=text, bases=[image])
        return Intent(kind="edit", text=rest, bases=[image])

    if _REPEAT.search(text) and state.last_plan is not None and state.current is not None:
        return Intent(kind="repeat", text=text, bases=[state.current])
    if state.current is None or _is_new_creation(text):
        return Intent(kind="generate", text=text)
    return Intent(kind="edit", text=text, bases=[state.current])
