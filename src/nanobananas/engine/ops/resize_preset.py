"""resize_preset: exact sizes for social networks and ID photos, cropped around the subject."""

from __future__ import annotations

from typing import Literal

from PIL import Image

from nanobananas.engine.ops._pixels import normalize_mode
from nanobananas.engine.ops._subject import Box, detect_faces, subject_box
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


def _passport_window(size: tuple[int, int], face: Box, ratio: float) -> Box:
    """An ID-photo crop: the head fills about 70% of the height, centred, with a margin above the hair."""
    left, top, right, bottom = face
    # The detector's box is about 85% of the head (crown to chin), whose centre sits a little higher.
    window_height = min(size[1], round((bottom - top) * 1.7))
    window_width = min(size[0], round(window_height * ratio))
    window_height = min(size[1], round(window_width / ratio))
    centre_x = (left + right) / 2
    centre_y = (top + bottom) / 2 - (bottom - top) * 0.08
    x0 = int(min(max(0, round(centre_x - window_width / 2)), size[0] - window_width))
    y0 = int(min(max(0, round(centre_y - window_height / 2)), size[1] - window_height))
    return x0, y0, x0 + window_width, y0 + window_height


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
        faces = detect_faces(image)
        if faces:
            window = _passport_window(image.size, faces[0], width / height)
            return image.crop(window).resize((width, height), Image.Resampling.LANCZOS)
    focus = subject_box(image)
    window = crop_window(image.size, width / height, focus)
    return image.crop(window).resize((width, height), Image.Resampling.LANCZOS)
