"""Areas named by position ("the top half", "the bottom right corner", "everything except the middle") as regions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nanobananas.engine.ops import get_operation
from nanobananas.engine.plan import Box, OpCall, Region

__all__ = ["AreaPhrase", "area_only", "find_area", "in_region"]

_SHARES = {
    "half": 1 / 2,
    "halves": 1 / 2,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 1 / 4,
    "quarters": 1 / 4,
    "fifth": 1 / 5,
    "fifths": 1 / 5,
}
_SIDE = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom", "left": "left", "right": "right"}
_CORNER_SHARE = {"corner": 1 / 3, "quarter": 1 / 2, "quadrant": 1 / 2}
_STRIP_SHARE = 0.15

_THE = r"(?:(?:the|its|this)\s+)?"
_OF_PICTURE = r"(?:\s+(?:of|in|on)\s+(?:the|this|my)\s+(?:picture|image|photo|pic|frame|shot))?"
_AREA = re.compile(
    _THE + r"(?:"
    # "the top left corner", "the lower right quarter", "the top left"
    r"(?P<vertical>top|upper|bottom|lower)\s+(?P<horizontal>left|right)(?:\s+(?P<corner>corner|quarter|quadrant|part|area|side))?"
    # "the top 2 thirds", "the left half", "the bottom 30 percent"
    r"|(?P<side>top|upper|bottom|lower|left|right)\s+(?:(?P<count>\d)\s+)?(?P<share>half|halves|thirds?|quarters?|fifths?)"
    r"|(?P<band_side>top|upper|bottom|lower|left|right)\s+(?P<percent>\d+(?:\.\d+)?)\s+percent"
    # "the middle third", "the center"
    r"|(?:middle|center)\s+(?P<middle_share>third|half)"
    r"|(?P<middle>middle|center|central\s+(?:part|area|section|portion|region))(?:\s+(?:part|area|section|portion|region))?"
    # "the left side", "the top edge"
    r"|(?P<part_side>top|upper|bottom|lower|left|right)\s+(?P<part>side|part|area|section|portion|region|edge|strip|band)"
    # "the top of the picture"
    r"|(?P<of_side>top|upper|bottom|lower|left|right)(?=\s+(?:of|in)\s+(?:the|this|my)\s+(?:picture|image|photo|pic|shot))"
    r")" + _OF_PICTURE + r"\b"
)
_HAND = re.compile(r"\b(left|right)\s+hand\b")
_PLACE = r"(?:(?:top|bottom|upper|lower)(?:\s+(?:left|right))?|left|right)"
# "the top and bottom thirds" is "the top third and the bottom third".
_SHARED_NOUN = re.compile(
    rf"\b(?P<first>{_PLACE})\s+(?:and|&)\s+(?:the\s+)?(?P<second>{_PLACE})\s+"
    r"(?P<noun>halves|thirds|quarters|corners|sides|edges|parts|strips)\b"
)
_SINGULAR = {
    "halves": "half",
    "thirds": "third",
    "quarters": "quarter",
    "corners": "corner",
    "sides": "side",
    "edges": "edge",
    "parts": "part",
    "strips": "strip",
}
_JOIN = re.compile(r"\s*(?:,|and|&|plus|or)\s+(?=(?:the\s+)?(?:top|bottom|upper|lower|left|right|middle|center)\b)")
_EXCEPT = re.compile(
    r"(?:\b(?:everything|every\s+thing|all|the\s+rest|the\s+whole\s+(?:thing|picture|image|photo))\s+)?"
    r"\b(?:except|but|apart\s+from|other\s+than|outside|excluding|save\s+for|not)\s+(?:for\s+|of\s+)?$"
)
_KEEP = re.compile(r"^\s*(?:alone|as\s+(?:it\s+)?is|unchanged|untouched|the\s+same|as\s+it\s+was)\b")
_LEAVE = re.compile(r"\b(?:leave|keep|leaving|keeping)\s+$")
_DANGLING = re.compile(r"^(?:only|just)\s+|\s+(?:but|and|while|please)$")
_ONLY = re.compile(r"\b(?:only|just|in|on|to|for|of|at|across|over|inside|within)\s+$")


@dataclass(frozen=True)
class AreaPhrase:
    """The region a clause names and the clause without it ("darken the top half" -> "darken")."""

    region: Region
    rest: str


def _box(match: re.Match[str]) -> Box:
    if match.group("vertical"):
        share = _CORNER_SHARE.get(match.group("corner") or "corner", 1 / 3)
        top = _SIDE[match.group("vertical")] == "top"
        left = match.group("horizontal") == "left"
        x0, x1 = (0.0, share) if left else (1 - share, 1.0)
        y0, y1 = (0.0, share) if top else (1 - share, 1.0)
        return (x0, y0, x1, y1)
    if match.group("middle_share"):
        share = _SHARES[match.group("middle_share")]
        return (0.0, (1 - share) / 2, 1.0, (1 + share) / 2)
    if match.group("middle"):
        return (0.25, 0.25, 0.75, 0.75)
    if match.group("side"):
        side, share = match.group("side"), _SHARES[match.group("share")] * int(match.group("count") or 1)
    elif match.group("band_side"):
        side, share = match.group("band_side"), float(match.group("percent")) / 100
    else:
        side = match.group("part_side") or match.group("of_side")
        share = _STRIP_SHARE if match.group("part") in ("edge", "strip", "band") else 0.5
    share = min(1.0, share)
    return {
        "top": (0.0, 0.0, 1.0, share),
        "bottom": (0.0, 1 - share, 1.0, 1.0),
        "left": (0.0, 0.0, share, 1.0),
        "right": (1 - share, 0.0, 1.0, 1.0),
    }[_SIDE[side]]


def _areas(clause: str) -> tuple[list[Box], int, int] | None:
    """The boxes of the first area phrase and of those joined to it by "and" or a comma, and their span."""
    match = _AREA.search(clause)
    if match is None:
        return None
    boxes: list[Box] = []
    start, end = match.start(), match.end()
    while match is not None:
        box = _box(match)
        boxes.append((round(box[0], 4), round(box[1], 4), round(box[2], 4), round(box[3], 4)))
        end = match.end()
        joint = _JOIN.match(clause, end)
        match = _AREA.match(clause, joint.end()) if joint is not None else None
    return boxes, start, end


def find_area(clause: str) -> AreaPhrase | None:
    """The area a clause names by position, with "except"/"but"/"leave ... alone" read as everything else."""
    clause = _HAND.sub(r"\1", clause)
    clause = _SHARED_NOUN.sub(
        lambda m: f"{m['first']} {_SINGULAR[m['noun']]} and the {m['second']} {_SINGULAR[m['noun']]}", clause
    )
    found = _areas(clause)
    if found is None:
        return None
    boxes, start, end = found
    if any(not (box[0] < box[2] and box[1] < box[3]) for box in boxes):
        return None
    before, after = clause[:start], clause[end:]
    exclude = False
    if (cut := _EXCEPT.search(before)) is not None:
        before, exclude = before[: cut.start()], True
    elif (leave := _LEAVE.search(before)) is not None and _KEEP.search(after):
        before, after, exclude = before[: leave.start()], _KEEP.sub(" ", after, count=1), True
    elif (only := _ONLY.search(before)) is not None:
        before = before[: only.start()]
    rest = _DANGLING.sub("", " ".join(f"{before} {after}".split()))
    return AreaPhrase(region=Region(boxes=boxes, exclude=exclude), rest=rest)


_AREA_ONLY_WORDS = frozenset(
    str.split("in on only just for at inside within across over it this that the to apply do everything rest but")
)


def area_only(clause: str) -> Region | None:
    """The region of a clause that names only an area ("in the top half", "keep the middle as it is")."""
    area = find_area(clause)
    if area is None or not set(area.rest.split()) <= _AREA_ONLY_WORDS:
        return None
    return area.region


def in_region(calls: list[OpCall], region: Region) -> list[OpCall] | None:
    """The calls applied to `region`, or None when one of them cannot apply to an area or has one already."""
    if not calls or any(call.region is not None or not get_operation(call.op).regional for call in calls):
        return None
    return [call.model_copy(update={"region": region}) for call in calls]
