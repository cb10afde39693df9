"""What a rendered design is: the image and a description of what was understood and drawn."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image
from pydantic import BaseModel, ConfigDict

from nanobananas.engine.render.text import Box

__all__ = ["RENDERER_VERSION", "Design", "DesignSpec"]

RENDERER_VERSION = "nanobananas-render/1"


class DesignSpec(BaseModel):
    """What the renderer understood from the prompt and how it drew it; serializes to JSON with the image."""

    model_config = ConfigDict(frozen=True)

    kind: str
    title: str
    subtitle: str
    details: list[str]
    palette: str
    colors: dict[str, str]
    size: tuple[int, int]
    layout: str
    fonts: list[str]
    scene: str | None
    seed: int
    renderer: str = RENDERER_VERSION


@dataclass(frozen=True)
class Design:
    """A rendered design: an RGB image, its spec, and where every piece of text was inked."""

    image: Image.Image
    spec: DesignSpec
    text_boxes: tuple[Box, ...]
