"""What a video request is (VideoSpec), what a render produced (VideoInfo), and the errors a render raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nanobananas.engine.errors import EngineError

__all__ = [
    "CONTENT_TYPES",
    "LOOP_SECONDS",
    "MAX_SIDE",
    "MAX_SLIDES",
    "MIN_SIDE",
    "MOTIONS",
    "VideoError",
    "VideoInfo",
    "VideoSpec",
    "check_inputs",
    "images_needed",
]

MOTIONS = ("zoom_in", "zoom_out", "pan", "parallax", "poster", "slideshow", "wipe")
Motion = Literal["zoom_in", "zoom_out", "pan", "parallax", "poster", "slideshow", "wipe"]

MIN_SIDE = 64
MAX_SIDE = 1920
MAX_SLIDES = 20
LOOP_SECONDS = 6.0
"""GIF and animated WebP hold every frame uncompressed in time order: longer loops belong in an MP4."""

CONTENT_TYPES = {"mp4": "video/mp4", "gif": "image/gif", "webp": "image/webp"}


class VideoError(EngineError):
    """A video could not be made from these inputs; `code` names the reason for the API.

    Codes: "bad_input" (wrong number of pictures for the motion, captions without a slideshow...),
    "too_long" (a GIF or WebP loop over LOOP_SECONDS), "no_design" (an animated poster from a picture
    that was not designed here), "encoder" (the encoder failed).
    """

    def __init__(self, message: str, *, code: str = "bad_input") -> None:
        super().__init__(message)
        self.code = code


class VideoSpec(BaseModel):
    """A validated video request: motion, length, size, frame rate, format and the motion's options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    motion: Motion = "zoom_in"
    seconds: float = Field(default=6, ge=2, le=15)
    width: int = Field(default=1280, ge=MIN_SIDE, le=MAX_SIDE)
    height: int = Field(default=720, ge=MIN_SIDE, le=MAX_SIDE)
    fps: Literal[24, 30] = 30
    format: Literal["mp4", "gif", "webp"] = "mp4"
    direction: Literal["left_to_right", "right_to_left", "top_to_bottom", "bottom_to_top"] = "left_to_right"
    transition: Literal["crossfade", "slide"] = "crossfade"
    captions: list[str] = Field(default_factory=list, max_length=MAX_SLIDES)
    focus: Literal["subject", "face", "center"] = "subject"

    @field_validator("width", "height")
    @classmethod
    def _even(cls, value: int) -> int:
        # H.264 in yuv420p halves the colour planes in both directions, so each side must be even.
        if value % 2:
            raise ValueError(f"must be an even number of pixels, not {value}")
        return value

    @field_validator("captions")
    @classmethod
    def _short_captions(cls, captions: list[str]) -> list[str]:
        cleaned = [" ".join(caption.split()) for caption in captions]
        for caption in cleaned:
            if len(caption) > 120:
                raise ValueError("a caption can be at most 120 characters")
        return cleaned

    @model_validator(mode="after")
    def _captions_for_slideshows(self) -> VideoSpec:
        if self.captions and self.motion != "slideshow":
            raise ValueError("captions are only drawn on a slideshow")
        return self

    @property
    def frames(self) -> int:
        """How many frames the clip has: its length times its frame rate, rounded."""
        return max(1, round(self.seconds * self.fps))

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


@dataclass(frozen=True)
class VideoInfo:
    """What a render wrote: its type, size and timing, and frames to show and to screen."""

    content_type: str
    width: int
    height: int
    fps: int
    frames: int
    seconds: float
    poster_frame: Image.Image
    screen_frames: list[Image.Image] = field(default_factory=list)


def images_needed(motion: str) -> tuple[int, int]:
    """The smallest and largest number of pictures a motion takes."""
    if motion == "slideshow":
        return 2, MAX_SLIDES
    if motion == "wipe":
        return 2, 2
    return 1, 1


_WHAT = {
    "zoom_in": "A slow zoom",
    "zoom_out": "A slow zoom out",
    "pan": "A pan",
    "parallax": "A parallax clip",
    "poster": "An animated poster",
    "slideshow": "A slideshow",
    "wipe": "A before/after wipe",
}


def check_inputs(spec: VideoSpec, image_count: int) -> None:
    """Raise VideoError if `image_count` pictures cannot make `spec` (also checked again by the renderers)."""
    low, high = images_needed(spec.motion)
    what = _WHAT[spec.motion]
    if image_count < low or image_count > high:
        if low == high == 1:
            wanted = "exactly one picture"
        elif low == high:
            wanted = f"exactly {low} pictures (the before and the after)"
        else:
            wanted = f"between {low} and {high} pictures"
        raise VideoError(f"{what} needs {wanted}; {image_count} {'was' if image_count == 1 else 'were'} given.")
    if spec.format in ("gif", "webp") and spec.seconds > LOOP_SECONDS:
        raise VideoError(
            f"A {spec.format.upper()} loop can be at most {LOOP_SECONDS:g} seconds; "
            f"ask for an MP4 for a {spec.seconds:g} second clip.",
            code="too_long",
        )
    if spec.captions and len(spec.captions) > image_count:
        raise VideoError(
            f"{len(spec.captions)} captions were given for {image_count} pictures; give at most one per picture."
        )
