"""social-resize tool: one picture at every common social-media size at once, cropped around the subject or
padded with a blurred fill."""

from __future__ import annotations

from typing import Literal, get_args

from PIL import Image, ImageFilter, ImageOps
from pydantic import Field, field_validator

from nanobananas.engine.ops._subject import subject_box
from nanobananas.engine.ops.crop_aspect import crop_window
from nanobananas.engine.ops.registry import OpParams
from nanobananas.engine.tools.base import Progress, Tool, ToolOutput, ToolResult

__all__ = ["SOCIAL_FORMATS", "TOOL", "SocialFormat", "SocialResizeParams", "social_version"]

SocialFormat = Literal[
    "instagram-post",
    "instagram-portrait",
    "instagram-story",
    "facebook-post",
    "facebook-cover",
    "x-post",
    "x-header",
    "linkedin-post",
    "linkedin-banner",
    "youtube-thumbnail",
    "pinterest-pin",
]

# The sizes each network recommends for uploads, in pixels.
SOCIAL_FORMATS: dict[str, tuple[int, int]] = {
    "instagram-post": (1080, 1080),
    "instagram-portrait": (1080, 1350),
    "instagram-story": (1080, 1920),
    "facebook-post": (1200, 630),
    "facebook-cover": (851, 315),
    "x-post": (1600, 900),
    "x-header": (1500, 500),
    "linkedin-post": (1200, 627),
    "linkedin-banner": (1584, 396),
    "youtube-thumbnail": (1280, 720),
    "pinterest-pin": (1000, 1500),
}

# A preview is this share of each format's size.
_PREVIEW_SCALE = 0.25


def _every_format() -> list[SocialFormat]:
    return list(get_args(SocialFormat))


class SocialResizeParams(OpParams):
    formats: list[SocialFormat] = Field(
        default_factory=_every_format, min_length=1, description="which formats (all by default)"
    )
    fit: Literal["crop", "pad"] = "crop"

    @field_validator("formats")
    @classmethod
    def _once_each(cls, formats: list[str]) -> list[str]:
        return list(dict.fromkeys(formats))


def _blurred_fill(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture stretched to cover `size`, heavily blurred and a little darker: a backdrop that matches it.
    Blurred small and scaled up, which costs a fraction of blurring at full size."""
    small = ImageOps.fit(image, (max(1, size[0] // 16), max(1, size[1] // 16)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(2)).point(lambda value: round(value * 0.85))
    return small.resize(size, Image.Resampling.BICUBIC)


def social_version(
    image: Image.Image, size: tuple[int, int], fit: str, focus: tuple[int, int, int, int] | None
) -> Image.Image:
    """The picture at exactly `size`: the largest window of that shape around `focus`, or the whole picture
    padded with a blurred fill."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if fit == "pad":
        fitted = ImageOps.contain(rgb, size, Image.Resampling.LANCZOS)
        backdrop = _blurred_fill(rgb, size)
        backdrop.paste(fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2))
        return backdrop
    window = crop_window(rgb.size, size[0] / size[1], focus)
    return rgb.resize(size, Image.Resampling.LANCZOS, box=window, reducing_gap=3.0)


def _render(
    images: list[Image.Image], params: SocialResizeParams, mask: Image.Image | None, progress: Progress, preview: bool
) -> ToolResult:
    image = images[0] if images[0].mode == "RGB" else images[0].convert("RGB")
    focus = None
    if params.fit == "crop":
        progress(5, "finding the subject")
        focus = subject_box(image)
    outputs = []
    enlarged = []
    for index, name in enumerate(params.formats):
        progress(10 + 85 * index // len(params.formats), f"making the {name} version")
        width, height = SOCIAL_FORMATS[name]
        if preview:
            width, height = max(1, round(width * _PREVIEW_SCALE)), max(1, round(height * _PREVIEW_SCALE))
        # The picture's pixels that land in this format: fewer than the format's means it is enlarged.
        scale = min(image.width / width, image.height / height) if params.fit == "crop" else 1.0
        if params.fit == "pad":
            scale = max(image.width / width, image.height / height)
        if scale < 1 and not preview:
            enlarged.append(name)
        outputs.append(ToolOutput(name, social_version(image, (width, height), params.fit, focus)))
    how = "cropped around the subject" if params.fit == "crop" else "padded with a blurred fill"
    notes = [f"{len(outputs)} sizes, {how}."]
    if enlarged:
        notes.append(
            f"The picture ({image.width}x{image.height}) is smaller than {', '.join(enlarged)}, so "
            + ("that version was" if len(enlarged) == 1 else "those versions were")
            + " enlarged and may look soft."
        )
    return ToolResult(outputs=outputs, notes=notes, operation=f"resized for {len(outputs)} social formats")


TOOL = Tool(
    name="social-resize",
    title="Social resizer",
    summary="Every social-media size at once, cropped around the subject.",
    params=SocialResizeParams,
    render=_render,
    slow=True,
)
