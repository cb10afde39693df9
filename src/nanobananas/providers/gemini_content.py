"""What the Gemini provider sends: shapes as supported aspect ratios, pictures as PNG parts, chat turns as contents."""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
from collections.abc import Sequence
from typing import Final

from google.genai import types
from PIL import Image

from nanobananas.providers.base import ProviderError, Turn

__all__ = [
    "MAX_INPUT_SIDE",
    "SUPPORTED_ASPECT_RATIOS",
    "image_part",
    "nearest_aspect_ratio",
    "parse_ratio",
    "png",
    "png_part",
    "sha256",
    "turn_content",
    "wanted_ratio",
]

SUPPORTED_ASPECT_RATIOS: Final = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
"""The shapes Gemini 2.5 Flash Image makes; any other wanted shape is sent as the nearest of these."""

MAX_INPUT_SIDE: Final = 2048
"""Input pictures are scaled down to this long side before they are sent: Gemini reads pictures at far less
than that, and a few full-size photos inline would pass the API's 20 MB request limit."""


def parse_ratio(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", text)
    if match is None or float(match.group(1)) <= 0 or float(match.group(2)) <= 0:
        raise ProviderError(f"{text!r} is not an aspect ratio; write it as width:height, for example 16:9")
    return float(match.group(1)) / float(match.group(2))


def nearest_aspect_ratio(ratio: float, choices: Sequence[str] = SUPPORTED_ASPECT_RATIOS) -> str:
    """The supported shape closest to width/height `ratio` (compared on a log scale, so 2:1 and 1:2 are
    as far from square as each other)."""
    return min(choices, key=lambda choice: abs(math.log(parse_ratio(choice)) - math.log(ratio)))


def wanted_ratio(*, size: tuple[int, int] | None, aspect_ratio: str | None) -> str | None:
    """The supported shape sent for a wanted aspect ratio or size (None: Gemini chooses)."""
    if aspect_ratio:
        wanted = aspect_ratio.strip()
        if wanted in SUPPORTED_ASPECT_RATIOS:
            return wanted
        return nearest_aspect_ratio(parse_ratio(wanted))
    if size is not None:
        return nearest_aspect_ratio(size[0] / size[1])
    return None


def png(image: Image.Image) -> bytes:
    """The picture as it is sent: PNG, at most MAX_INPUT_SIDE pixels on its long side, in a mode PNG holds."""
    if max(image.size) > MAX_INPUT_SIDE:
        image = image.copy()
        image.thumbnail((MAX_INPUT_SIDE, MAX_INPUT_SIDE), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_part(image: Image.Image) -> types.Part:
    return png_part(png(image))


def png_part(data: bytes, *, signature: str = "") -> types.Part:
    """A PNG as an inline part, with the thought signature (base64) the model gave it when it made it."""
    part = types.Part.from_bytes(data=data, mime_type="image/png")
    if signature:
        part.thought_signature = base64.b64decode(signature)
    return part


def turn_content(turn: Turn, *, pictures: Sequence[bytes] | None = None) -> types.Content | None:
    """An earlier turn of the chat as a content (its pictures, each with its thought signature, then its
    words); None when it has neither. `pictures`: the turn's pictures as PNG when already made."""
    signatures = [*turn.signatures, *([""] * (len(turn.images) - len(turn.signatures)))]
    made = pictures if pictures is not None else [png(item) for item in turn.images]
    parts = [png_part(data, signature=signature) for data, signature in zip(made, signatures, strict=False)]
    if turn.text.strip():
        parts.append(types.Part.from_text(text=turn.text))
    if not parts:
        return None
    return types.Content(role=turn.role, parts=parts)


def sha256(text: str) -> str:
    """What `details["sent"]` records of a prompt: its hash, not its words."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
