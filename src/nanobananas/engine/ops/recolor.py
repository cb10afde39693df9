"""recolor: give one thing the request names a new colour, keeping its shading (lightness keeps its pattern)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from pydantic import Field

from nanobananas.engine.ops._color import Color, rgb_of
from nanobananas.engine.ops._pixels import normalize_mode, on_rgb
from nanobananas.engine.ops._region import ObjectPhrase
from nanobananas.engine.ops.registry import OpParams, register

__all__ = ["RecolorParams", "recolor"]

# How far the object's mean lightness moves toward the new colour's: light yellow made red becomes a full red, not
# a pale pink, while every shade and highlight keeps its distance from that mean.
_LIGHTNESS_SHIFT = 0.6


class RecolorParams(OpParams):
    object: ObjectPhrase = Field(description="the thing to recolour, as the request names it")
    color: Color
    amount: float = Field(default=1.0, gt=0, le=1, description="1 is the new colour, less moves part of the way")


def _lab(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)


@register("recolor", version=1, params=RecolorParams, summary="recolour one object, keeping its shading")
def recolor(image: Image.Image, params: RecolorParams) -> Image.Image:
    from nanobananas.engine.finders import find_objects

    image = normalize_mode(image)
    mask = find_objects(image, params.object)
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1
    target = _lab(np.array([[rgb_of(params.color)]], dtype=np.uint8))[0, 0]
    target_chroma = float(np.hypot(target[1], target[2]))
    target_hue = float(np.arctan2(target[2], target[1]))

    def apply(rgb: Image.Image) -> Image.Image:
        import cv2

        crop = np.asarray(rgb.crop((left, top, right, bottom)))
        weight = mask[top:bottom, left:right].astype(np.float32) / 255
        lab = _lab(crop)
        inside = weight >= 0.5
        mean_lightness = float(lab[..., 0][inside].mean()) if inside.any() else float(lab[..., 0].mean())
        amount = params.amount
        lightness = lab[..., 0] + (float(target[0]) - mean_lightness) * _LIGHTNESS_SHIFT * amount
        chroma = np.hypot(lab[..., 1], lab[..., 2])
        hue = np.arctan2(lab[..., 2], lab[..., 1])
        # The shorter way round the hue circle, so "a bit more purple" passes through violet, not green.
        turn = (target_hue - hue + np.pi) % (2 * np.pi) - np.pi
        hue = hue + turn * amount
        chroma = chroma + (target_chroma - chroma) * amount
        recoloured = np.stack([lightness, chroma * np.cos(hue), chroma * np.sin(hue)], axis=-1).astype(np.float32)
        back = np.clip(cv2.cvtColor(recoloured, cv2.COLOR_LAB2RGB) * 255, 0, 255)
        blended = crop + (back - crop) * weight[..., None]
        result = rgb.copy()
        result.paste(Image.fromarray(np.clip(np.rint(blended), 0, 255).astype(np.uint8)), (left, top))
        return result

    return on_rgb(image, apply)
