"""The grammar of requests about one thing in the picture: an action and an object phrase ("make the yellow box red",
"remove the red circle", "brighten the face", "blur everything but the red circle", "add a blue star at the top")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from nanobananas.engine.finders import COLOUR_FAMILIES, parse_objects
from nanobananas.engine.ops import get_operation
from nanobananas.engine.ops._color import COLOR_NAMES, parse_color
from nanobananas.engine.plan import OpCall, Region
from nanobananas.engine.planner.amounts import position_in
from nanobananas.engine.planner.rules import RuleOutcome

__all__ = ["ObjectPhrase", "find_object_phrase", "names_a_thing", "object_action", "on_object", "wish_as_request"]

Matcher = Callable[[str], RuleOutcome | None]

_SHADES = ("grey", "light blue", "dark blue", "light green", "dark green", "light gray", "dark gray", "sky blue")
_COLOURS = "|".join(sorted({*COLOR_NAMES, *_SHADES}, key=len, reverse=True))
_PICTURE = r"(?:\s+(?:from|in|on|of)\s+(?:the|this|my)\s+(?:picture|photo|image|pic|shot))?"
_ERASE = re.compile(
    r"^(?:remove|erase|delete|get\s+rid\s+of|take\s+out|take\s+away|eliminate|clone\s+out|paint\s+out|cut\s+out"
    rf"|wipe\s+out|hide)\s+(?P<object>.+?){_PICTURE}(?:\s+(?:please|completely|entirely))?$"
)
_RECOLOR = re.compile(
    r"^(?:change|switch|set|make)\s+the\s+colou?r\s+of\s+(?P<object2>.+?)\s+(?:to\s+|into\s+)?(?:a\s+)?"
    rf"(?P<colour2>{_COLOURS})$"
    r"|^(?:make|turn|change|paint|colou?r|recolou?r|dye|switch)\s+(?P<object>.+?)\s+(?:to\s+|into\s+|in\s+)?(?:be\s+)?"
    rf"(?:a\s+)?(?P<colour>{_COLOURS})(?:\s+(?:instead|now|colou?r|please))?$"
)
_COMPARATIVES = {
    "redder": "red",
    "bluer": "blue",
    "greener": "green",
    "yellower": "yellow",
    "pinker": "pink",
    "purpler": "purple",
    "oranger": "orange",
}
_MORE_OF = re.compile(
    r"^(?:make|turn|get)\s+(?P<object>.+?)\s+(?:look\s+)?(?P<degree>a\s+(?:bit|little|touch)\s+|slightly\s+|much\s+"
    r"|a\s+lot\s+|even\s+|way\s+)?(?:more\s+(?P<colour>" + "|".join(COLOUR_FAMILIES) + r")(?:ish)?"
    r"|(?P<comparative>" + "|".join(_COMPARATIVES) + r"))$"
)
_DEGREE = {"a bit": 0.45, "a little": 0.45, "a touch": 0.3, "slightly": 0.35, "much": 1.0, "a lot": 1.0, "way": 1.0}
_SHAPE_NOUNS = {
    "star": "star",
    "heart": "heart",
    "arrow": "arrow",
    "circle": "circle",
    "dot": "circle",
    "disc": "circle",
    "square": "square",
    "box": "square",
    "rectangle": "rectangle",
    "triangle": "triangle",
}
_SHAPE_SIZES = {"small": 0.12, "little": 0.12, "tiny": 0.08, "big": 0.35, "large": 0.35, "huge": 0.5}
_ADD_SHAPE = re.compile(
    r"^(?:add|draw|put|place|stamp|paint|insert|stick)\s+(?:an?\s+|one\s+)?(?:(?P<size>small|little|tiny|big|large|huge)\s+)?"
    rf"(?:(?P<colour>{_COLOURS})\s+)?(?:(?P<size2>small|little|tiny|big|large|huge)\s+)?"
    r"(?P<shape>" + "|".join(_SHAPE_NOUNS) + r")(?:\s+(?:shape|sticker|icon))?\b(?P<rest>.*)$"
)
_PLACE_FILLER = frozenset(
    str.split("in on at to the of a an it this picture image photo pic corner side please near into onto")
)
# A phrase starts at a determiner; "all the red things", "the red circle and the blue square".
_START = re.compile(r"\b(?:all|every|each|both|the|that|this|those|these|its|my)\b")
_EXCEPT = re.compile(
    r"(?:\b(?:everything|every\s+thing|all|the\s+rest|the\s+whole\s+(?:thing|picture|image|photo))\s+)?"
    r"\b(?:except(?:\s+for)?|but(?:\s+not)?|apart\s+from|other\s+than|excluding|save\s+for|not)\s+$"
)
_KEEP_BEFORE = re.compile(r"\s*\b(?:but|while|and)?\s*(?:keep|leave|keeping|leaving)\s+$")
_KEEP_AFTER = re.compile(
    r"^\s*(?:sharp|in\s+focus|as\s+(?:it\s+)?(?:is|was)|unchanged|untouched|alone|the\s+same|clear|crisp|intact"
    r"|as\s+they\s+are)\b"
)
_PREPOSITION = re.compile(r"\s+(?:of|on|in|to|for|across|over|inside)\s+$")
# Ops that find their own thing: a request naming it is theirs, not an adjustment inside a found mask.
_FINDING_OPS = frozenset({"blur_faces", "remove_background", "replace_background"})


_CROP = re.compile(
    r"^(?:crop|zoom|cut|trim|frame)\s+(?:it\s+|(?:the|this)\s+(?:picture|photo|image|pic)\s+)?(?:in\s+)?(?:down\s+)?"
    r"(?:(?P<tight>tight(?:ly)?|close(?:ly)?)\s+)?(?:to|around|round|on|onto|in\s+on|on\s+to)\s+(?:just\s+|only\s+)?"
    r"(?P<object>.+?)(?:\s+(?P<tight2>tightly|closely))?$"
)
# "the circle should be green", "(I want) the box to be pink", "can the sky be a bit more orange": a wish about a
# thing, said as the request "make the circle green".
_WISH = re.compile(
    r"^(?:(?:can|could|would|will)\s+(?:you\s+)?(?:please\s+)?)?(?P<object>(?:all|every|each|both|the|that|this|those"
    r"|these|its|my)\b.+?)\s+(?:(?:should|must|could|can|would|will|needs?\s+to|has\s+to|have\s+to|ought\s+to|to)\s+)?"
    r"(?:be|look|become|turn|get|go)\s+(?P<rest>.+)$"
)


@dataclass(frozen=True)
class ObjectPhrase:
    """An object phrase inside a clause, where it is, and whether the clause means everything but it."""

    words: str
    start: int
    end: int
    exclude: bool = False


def _colour_value(words: str) -> str | None:
    try:
        return parse_color(words.replace(" ", ""))
    except ValueError:
        return None


def find_object_phrase(clause: str) -> ObjectPhrase | None:
    """The longest object phrase in the clause ("the red circle and the blue square"), or None."""
    for start in _START.finditer(clause):
        words = clause[start.start() :].split()
        for count in range(min(len(words), 9), 0, -1):
            candidate = " ".join(words[:count])
            if parse_objects(candidate) is not None:
                end = start.start() + len(candidate)
                return ObjectPhrase(words=candidate, start=start.start(), end=end)
    return None


def wish_as_request(clause: str) -> str | None:
    """ "the circle should be green" as "make the circle green"; None when the clause is no wish about a thing."""
    match = _WISH.match(clause)
    if match is None or parse_objects(match["object"]) is None:
        return None
    return f"make {match['object']} {match['rest']}"


def object_action(clause: str) -> list[OpCall] | None:
    """Recolour, erase, crop to or draw: the calls for a clause that does one of them to a named thing, or None."""
    if (erase := _ERASE.match(clause)) is not None:
        queries = parse_objects(erase["object"])
        # The sky, the subject and faces are areas to adjust, not things to paint over.
        if queries and all(query.kind is None for query in queries):
            return [OpCall(op="erase", params={"object": erase["object"]})]
    if (crop := _CROP.match(clause)) is not None and parse_objects(crop["object"]) is not None:
        margin = 0.03 if crop["tight"] or crop["tight2"] else 0.1
        return [OpCall(op="crop_object", params={"object": crop["object"], "margin": margin})]
    if (recolor := _RECOLOR.match(clause)) is not None:
        phrase, colour = recolor["object"] or recolor["object2"], recolor["colour"] or recolor["colour2"]
        value = _colour_value(colour)
        if value is not None and parse_objects(phrase) is not None:
            return [OpCall(op="recolor", params={"object": phrase, "color": value})]
    if (more := _MORE_OF.match(clause)) is not None:
        colour = more["colour"] or _COMPARATIVES[more["comparative"]]
        value = _colour_value(COLOUR_FAMILIES.get(colour, colour))
        if value is not None and parse_objects(more["object"]) is not None:
            degree = " ".join((more["degree"] or "").split())
            amount = _DEGREE.get(degree, 0.8)
            return [OpCall(op="recolor", params={"object": more["object"], "color": value, "amount": amount})]
    return _shape(clause)


def _shape(clause: str) -> list[OpCall] | None:
    match = _ADD_SHAPE.match(clause)
    if match is None:
        return None
    rest = match["rest"]
    position = position_in(rest)
    if position is None and not set(rest.split()) <= _PLACE_FILLER:
        return None
    params: dict[str, object] = {"shape": _SHAPE_NOUNS[match["shape"]], "position": position or "center"}
    if match["colour"]:
        value = _colour_value(match["colour"])
        if value is None:
            return None
        params["color"] = value
    size = match["size"] or match["size2"]
    if size:
        params["size"] = _SHAPE_SIZES[size]
    return [OpCall(op="draw_shape", params=params)]


def on_object(clause: str, match: Matcher) -> list[OpCall] | None:
    """ "brighten the face", "blur everything but the red circle": the adjustment without the object phrase, applied
    only to the thing (or to everything else). None when the clause names no thing or the rest is no adjustment."""
    phrase = find_object_phrase(clause)
    if phrase is None:
        return None
    before, after = clause[: phrase.start], clause[phrase.end :]
    exclude = kept_aside = False
    if (cut := _EXCEPT.search(before)) is not None:
        before, exclude = before[: cut.start()], True
    elif (keep := _KEEP_BEFORE.search(before)) is not None and (kept := _KEEP_AFTER.match(after)) is not None:
        before, after, exclude, kept_aside = before[: keep.start()], after[kept.end() :], True, True
    # "darken the background but leave the red ball alone" names a thing to keep, never a background colour.
    whole = None if kept_aside else match(clause)
    if isinstance(whole, list) and any(call.op in _FINDING_OPS for call in whole):
        return None
    candidates = [" ".join(f"{before} it {after}".split())] if not exclude else []
    if (preposition := _PREPOSITION.search(before)) is not None or exclude:
        cut_before = before[: preposition.start()] if preposition is not None and not exclude else before
        candidates.append(" ".join(f"{cut_before} {after}".split()))
    for text in candidates:
        outcome = match(text)
        if not isinstance(outcome, list) or not outcome:
            continue
        calls = outcome
        if any(call.region is not None or not get_operation(call.op).regional for call in calls):
            return None
        region = Region(object=phrase.words, exclude=exclude)
        # "blur the background but keep the yellow box sharp": the kept thing is what stays sharp.
        return [
            call.model_copy(
                update={
                    "region": region,
                    "params": {key: value for key, value in call.params.items() if key != "background_only"},
                }
            )
            for call in calls
        ]
    return None


def names_a_thing(clause: str, match: Matcher) -> bool:
    """True when the clause is an action on a thing the engine can find, so no generative model is needed for it."""
    return object_action(clause) is not None or on_object(clause, match) is not None
