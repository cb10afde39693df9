"""Design sizes named by format: print sizes and paper at a dpi, social formats, and "square"."""

from __future__ import annotations

import re
from collections.abc import Callable

from nanobananas.engine.ops.resize_preset import PRESET_SIZES
from nanobananas.engine.paper import PRINT_SIZE, print_size_of

__all__ = ["format_size"]

Take = Callable[[str], list[re.Match[str]]]

# Social formats that are no design kind of their own; a kind's own format (Instagram story, Facebook
# cover, YouTube thumbnail) keeps its size.
_SOCIAL: tuple[tuple[str, str], ...] = (
    (r"\b(?:twitter|x)\s+(?:header|banner|cover)\b", "twitter_header"),
    (r"\blinkedin\s+(?:banner|cover|header|background)\b", "linkedin_banner"),
    (r"\bpinterest(?:\s+pin)?\b", "pinterest_pin"),
    (r"\b(?:facebook|fb)\s+post\b", "facebook_post"),
    (r"\b(?:twitter|x)\s+post\b|\btweet\b", "twitter_post"),
    (r"\btik\s*tok\b|\breels?\b|\bsnapchat\b|\bwhatsapp\s+status\b", "instagram_story"),
    (r"\b(?:insta(?:gram)?|ig)\s+portrait\b", "instagram_portrait"),
    (r"\b(?:insta(?:gram)?|ig)\s+landscape\b", "instagram_landscape"),
)
_DPI = r"\b(\d{2,4})\s*(?:dpi|ppi)\b"
_LANDSCAPE = re.compile(r"\b(?:landscape|horizontal)\b", re.IGNORECASE)
_SQUARE = r"\bsquare\b"


def format_size(take: Take, text: str, default: tuple[int, int]) -> tuple[int, int] | None:
    """The size a named format gives a design (`take` finds and uses up words), or None."""
    for match in take(PRINT_SIZE):
        size = print_size_of(match)
        dpi = next((int(found.group(1)) for found in take(_DPI)), None) if not match.group("dpi") else None
        width, height = size.pixels() if dpi is None else print_size_of(match).pixels_at(dpi)
        if _LANDSCAPE.search(text):
            width, height = max(width, height), min(width, height)
        return width, height
    for pattern, preset in _SOCIAL:
        if take(pattern):
            return PRESET_SIZES[preset]
    if take(_SQUARE):
        side = min(default)
        return side, side
    return None
