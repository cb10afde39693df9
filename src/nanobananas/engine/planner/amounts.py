"""Reading amounts from words: "a bit", "a lot", "by 50%", numbers with units, colours, positions."""

from __future__ import annotations

import re

from nanobananas.engine.ops._color import COLOR_NAMES

__all__ = [
    "colors_in",
    "first_number",
    "intensity",
    "is_decrease",
    "is_increase",
    "percent_in",
    "position_in",
    "px_in",
    "size_word_in",
]

_SLIGHT = re.compile(
    r"\b(?:not\s+(?:too|so|very)\s+much|not\s+by\s+much|not\s+a\s+lot"
    r"|slightly|slight|a\s+(?:little\s+)?bit|a\s+little|little|a\s+tad|tad|a\s+touch|touch|somewhat|subtly"
    r"|subtle|gently|gentle|lightly|mildly|mild|a\s+hint|hint|marginally|faintly|faint|a\s+smidge|barely)\b"
)
_STRONG = re.compile(
    r"\b(?:a\s+lot|lots|much|very|really|way|significantly|heavily|heavy|strongly|strong|dramatically|considerably"
    r"|extremely|super|hugely|massively|intensely|greatly|drastically|seriously|far|totally|a\s+ton|tons|loads"
    r"|way\s+more|even\s+more|so|too\s+much|quite|heaps)\b"
)
_INCREASE = re.compile(
    r"\b(?:increase|increased|raise|raised|boost|boosted|more|add|higher|up|enhance|stronger|heighten|amplify"
    r"|maximi[sz]e|pump|crank|bump|turn\s+up|push|improve|plus|extra|greater)\b|\+\s*\d"
)
_DECREASE = re.compile(
    r"\b(?:decrease|decreased|reduce|reduced|lower|lowered|less|down|weaker|tone\s+down|minimi[sz]e|cut|drop"
    r"|lessen|diminish|turn\s+down|dial\s+back|dial\s+down|remove|fewer|minus|soften|softer|without|no)\b|-\s*\d"
)
_PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s+percent\b")
_BY_FRACTION = re.compile(r"\bby\s+(?:a\s+|one\s+)?(half|third|quarter)\b")
_FRACTION_VALUES = {"half": 0.5, "third": 0.3333, "quarter": 0.25}
_NUMBER = re.compile(r"(?<![\w.])([+-]?\d+(?:\.\d+)?)(?![\w.])")
_PX = re.compile(r"(\d+(?:\.\d+)?)\s*px\b")
_MULTIWORD_COLORS = {
    "light blue": "lightblue",
    "sky blue": "skyblue",
    "dark blue": "darkblue",
    "navy blue": "navy",
    "dark green": "darkgreen",
    "light green": "lightgreen",
    "light gray": "lightgray",
    "dark gray": "darkgray",
    "hot pink": "magenta",
    "off white": "ivory",
}
_COLOR = re.compile(
    r"#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|\b(?:"
    + "|".join(sorted(list(_MULTIWORD_COLORS) + list(COLOR_NAMES), key=len, reverse=True))
    + r")\b"
)
_POSITIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\b(?:top|upper)\s+left|\bleft\s+top\b", "top-left"),
        (r"\b(?:top|upper)\s+right|\bright\s+top\b", "top-right"),
        (r"\b(?:bottom|lower)\s+left|\bleft\s+bottom\b", "bottom-left"),
        (r"\b(?:bottom|lower)\s+right|\bright\s+bottom\b|\bcorner\b", "bottom-right"),
        (r"\b(?:center|centered|middle)\b", "center"),
        (r"\b(?:top|upper|above|header|head)\b", "top"),
        (r"\b(?:bottom|lower|below|underneath|footer|foot|beneath)\b", "bottom"),
        (r"\bleft\b", "left"),
        (r"\bright\b", "right"),
    )
)
_SIZE_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (
            r"\b(?:huge|giant|enormous|massive|gigantic|very\s+(?:big|large)|really\s+(?:big|large)|biggest)\b",
            "huge",
        ),
        (r"\b(?:big|large|bold|bigger|larger|prominent)\b", "large"),
        (r"\b(?:small|tiny|little|smaller|subtle|discreet)\b", "small"),
    )
)


def intensity(clause: str) -> float:
    """1.0, or 0.5 for "a bit"/"slightly", or 2.0 for "a lot"/"much"."""
    if _SLIGHT.search(clause):
        return 0.5
    if _STRONG.search(clause):
        return 2.0
    return 1.0


def is_increase(clause: str) -> bool:
    return _INCREASE.search(clause) is not None


def is_decrease(clause: str) -> bool:
    return _DECREASE.search(clause) is not None


def percent_in(clause: str) -> float | None:
    """'by 30 percent' -> 0.3; 'by a third' -> 0.3333."""
    match = _PERCENT.search(clause)
    if match:
        return float(match.group(1)) / 100
    fraction = _BY_FRACTION.search(clause)
    return _FRACTION_VALUES[fraction.group(1)] if fraction else None


def first_number(clause: str) -> float | None:
    match = _NUMBER.search(clause)
    return float(match.group(1)) if match else None


def px_in(clause: str) -> float | None:
    match = _PX.search(clause)
    return float(match.group(1)) if match else None


def colors_in(clause: str) -> list[str]:
    """Colour names or hex codes in order of mention, as op colour strings."""
    found = []
    for match in _COLOR.finditer(clause):
        word = match.group(0)
        found.append(_MULTIWORD_COLORS.get(word, word).replace(" ", ""))
    return found


def position_in(clause: str) -> str | None:
    for pattern, name in _POSITIONS:
        if pattern.search(clause):
            return name
    return None


def size_word_in(clause: str) -> str | None:
    for pattern, name in _SIZE_WORDS:
        if pattern.search(clause):
            return name
    return None
