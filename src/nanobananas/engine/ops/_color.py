"""Colour names and the validated colour type used by op parameters ("#rrggbb")."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["COLOR_NAMES", "Color", "parse_color", "rgb_of"]

COLOR_NAMES: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "green": (0, 160, 0),
    "blue": (0, 80, 255),
    "yellow": (255, 220, 0),
    "orange": (255, 140, 0),
    "purple": (128, 0, 160),
    "violet": (143, 0, 255),
    "pink": (255, 150, 190),
    "magenta": (255, 0, 255),
    "cyan": (0, 220, 230),
    "teal": (0, 128, 128),
    "turquoise": (64, 224, 208),
    "navy": (0, 0, 128),
    "brown": (120, 70, 30),
    "beige": (235, 220, 190),
    "cream": (255, 250, 230),
    "ivory": (255, 255, 240),
    "gold": (212, 175, 55),
    "silver": (192, 192, 192),
    "gray": (128, 128, 128),
    "lightgray": (211, 211, 211),
    "darkgray": (80, 80, 80),
    "lime": (50, 205, 50),
    "olive": (128, 128, 0),
    "maroon": (128, 0, 0),
    "coral": (255, 127, 80),
    "salmon": (250, 128, 114),
    "lavender": (200, 180, 240),
    "mint": (170, 240, 200),
    "skyblue": (135, 206, 235),
    "lightblue": (173, 216, 230),
    "darkblue": (0, 0, 139),
    "darkgreen": (0, 100, 0),
    "lightgreen": (144, 238, 144),
    "indigo": (75, 0, 130),
    "tan": (210, 180, 140),
}

_ALIASES = {
    "grey": "gray",
    "lightgrey": "lightgray",
    "darkgrey": "darkgray",
    "fuchsia": "magenta",
    "aqua": "cyan",
}
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_color(value: str) -> str:
    """Normalize a colour name or hex string to '#rrggbb'; ValueError when it is neither."""
    key = value.strip().lower().replace(" ", "").replace("-", "")
    key = _ALIASES.get(key, key)
    if key in COLOR_NAMES:
        r, g, b = COLOR_NAMES[key]
        return f"#{r:02x}{g:02x}{b:02x}"
    match = _HEX.fullmatch(key)
    if match is None:
        raise ValueError(f"not a colour: {value!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits.lower()}"


def rgb_of(color: str) -> tuple[int, int, int]:
    """The (r, g, b) of a colour accepted by parse_color."""
    digits = parse_color(color)[1:]
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


Color = Annotated[str, AfterValidator(parse_color)]
