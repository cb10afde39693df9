"""resize_preset: exact sizes for social networks and ID photos, cropped around the subject."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import subject_box
from nanobananas.engine.ops.crop_aspect import crop_window
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["PRESET_SIZES", "PresetName", "ResizePresetParams", "resize_preset"]

PresetName = Literal[
    "instagram_post",
    "instagram_portrait",
    "instagram_story",
    "instagram_landscape",
    "youtube_thumbnail",
    "facebook_cover",
    "facebook_post",
    "twitter_post",
    "twitter_header",
    "linkedin_banner",
    "pinterest_pin",
    "passport",
    "hd",
    "full_hd",
    "4k",
]

# Passport: 35 x 45 mm at 300 dpi.
PRESET_SIZES: dict[str, tuple[int, int]] = {
    "instagram_post": (1080, 1080),
    "instagram_portrait": (1080, 1350),
    "instagram_story": (1080, 1920),
    "instagram_landscape": (1080, 566),
    "youtube_thumbnail": (1280, 720),
    "facebook_cover": (851, 315),
    "facebook_post": (1200, 630),
    "twitter_post": (1600, 900),
    "twitter_header": (1500, 500),
    "linkedin_banner": (1584, 396),
    "pinterest_pin": (1000, 1500),
    "passport": (413, 531),
    "hd": (1280, 720),
    "full_hd": (1920, 1080),
    "4k": (3840, 2160),
}


class ResizePresetParams(OpParams):
    preset: PresetName


@register(
    "resize_preset",
    version=1,
    params=ResizePresetParams,
    summary="crop and resize to a named format",
)
def resize_preset(image: Image.Image, params: ResizePresetParams) -> Image.Image:
    image = normalize_mode(image)
    width, height = PRESET_SIZES[params.preset]
    if params.preset == "passport":
        box = subject_box(image)
        # Head and shoulders: the face box from subject_box is centred a little low for an ID photo.
        focus = (box[0], box[1], box[2], box[3] + (box[3] - box[1]) // 3)
    else:
        focus = subject_box(image)
    window = crop_window(image.size, width / height, focus)
    return image.crop(window).resize((width, height), Image.Resampling.LANCZOS)
