"""Areas named by position ("the top half", "the bottom right corner", "everything except the middle") as regions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nanobananas.engine.plan import Box, Region

__all__ = ["AreaPhrase", "find_area"]

_SHARES = {"half": 1 / 2, "halves": 1 / 2, "third": 1 / 3, "thirds": 1 / 3, "quarter": 1 / 4, "quarters": 1 / 4}
_SIDE = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom", "left": "left", "right": "right"}
_CORNER_SHARE = {"corner": 1 / 3, "quarter": 1 / 2}
_STRIP_SHARE = 0.15

_THE = r"(?:(?:the|its|this)\s+)?"
_OF_PICTURE = r"(?:\s+(?:of|in|on)\s+(?:the|this|my)\s+(?:picture|image|photo|pic|frame|shot))?"
_AREA = re.compile(
    _THE + r"(?:"
    # "the top left corner", "the lower right quarter", "the top left"
    r"(?P<vertical>top|upper|bottom|lower)\s+(?P<horizontal>left|right)(?:\s+(?P<corner>corner|quarter|part|area|side))?"
    # "the top 2 thirds", "the left half", "the bottom 30 percent"
    r"|(?P<side>top|upper|bottom|lower|left|right)\s+(?:(?P<count>\d)\s+)?(?P<share>half|halves|thirds?|quarters?)"
    r"|(?P<band_side>top|upper|bottom|lower|left|right)\s+(?P<percent>\d+(?:\.\d+)?)\s+percent"
    # "the middle third", "the center"
    r"|(?:middle|center)\s+(?P<middle_share>third|half)"
    r"|(?P<middle>middle|center)(?:\s+(?:part|area|section|portion))?"
    # "the left side", "the top edge"
    r"|(?P<part_side>top|upper|bottom|lower|left|right)\s+(?P<part>side|part|area|section|portion|edge|strip|band)"
    r")" + _OF_PICTURE + r"\b"
)
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
        side = match.group("part_side")
        share = _STRIP_SHARE if match.group("part") in ("edge", "strip", "band") else 0.5
    share = min(1.0, share)
    return {
        "top": (0.0, 0.0, 1.0, share),
        "bottom": (0.0, 1 - share, 1.0, 1.0),
        "left": (0.0, 0.0, share, 1.0),
        "right": (1 - share, 0.0, 1.0, 1.0),
    }[_SIDE[side]]


def find_area(clause: str) -> AreaPhrase | None:
    """The area a clause names by position, with "except"/"but"/"leave ... alone" read as everything else."""
    match = _AREA.search(clause)
    if match is None or not 0 < match.group(0).count(" ") + 1 <= 8:
        return None
    box = tuple(round(value, 4) for value in _box(match))
    if not (box[0] < box[2] and box[1] < box[3]):
        return None
    before, after = clause[: match.start()], clause[match.end() :]
    exclude = False
    if (cut := _EXCEPT.search(before)) is not None:
        before, exclude = before[: cut.start()], True
    elif (leave := _LEAVE.search(before)) is not None and _KEEP.search(after):
        before, after, exclude = before[: leave.start()], _KEEP.sub(" ", after, count=1), True
    elif (only := _ONLY.search(before)) is not None:
        before = before[: only.start()]
    rest = _DANGLING.sub("", " ".join(f"{before} {after}".split()))
    region = Region(boxes=[(box[0], box[1], box[2], box[3])], exclude=exclude)
    return AreaPhrase(region=region, rest=rest)
