"""Parallax: the subject, cut out with the engine's subject mask, drifts over its own blurred background."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import U8Array
from nanobananas.engine.video.framing import Crop, cover, ease, focus_box, place, prepare, warp
from nanobananas.engine.video.spec import VideoSpec

__all__ = ["Parallax"]

BACK_ZOOM = 1.10
"""The background is seen a little closer than the picture, so its drift never shows an edge."""
FRONT_GROWTH = 0.08
BACK_DRIFT = 0.05
FRONT_DRIFT = 0.03
_FILL_SIDE = 512


def _without_subject(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The picture with the subject painted out from its surroundings, so no ghost of it shows behind it."""
    import cv2

    scale = min(1.0, _FILL_SIDE / max(image.size))
    small_size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    small = np.asarray(image.convert("RGB").resize(small_size, Image.Resampling.BILINEAR))
    hole = np.asarray(mask.resize(small_size, Image.Resampling.BILINEAR)) > 32
    grow = max(3, round(max(small_size) * 0.03)) | 1
    hole_u8 = cv2.dilate(hole.astype(np.uint8) * 255, np.ones((grow, grow), np.uint8))
    filled = cv2.inpaint(small, hole_u8, 5, cv2.INPAINT_TELEA)
    large = Image.fromarray(np.asarray(filled, dtype=np.uint8)).resize(image.size, Image.Resampling.BILINEAR)
    soft = Image.fromarray(hole_u8).resize(image.size, Image.Resampling.BILINEAR)
    return Image.composite(large, image.convert("RGB"), soft)


class Parallax:
    """Two layers from one picture: the background drifts one way, the subject comes closer and drifts the other."""

    def __init__(self, image: Image.Image, spec: VideoSpec, size: tuple[int, int]) -> None:
        import cv2

        from nanobananas.engine.ops._subject import subject_mask

        self.size = size
        self.duration = spec.seconds
        width, height = cover(image.size, size[0] / size[1])
        left, top, right, bottom = focus_box(image, spec.focus)
        self.base = place(((left + right) / 2, (top + bottom) / 2), width, height, image.size)
        mask = subject_mask(image)
        smallest = width / (BACK_ZOOM + FRONT_GROWTH)
        back = prepare(_without_subject(image, mask), smallest_window=smallest, out_width=size[0])
        sigma = max(2.0, min(back.pixels.shape[:2]) / 90)
        blurred = np.asarray(cv2.GaussianBlur(back.pixels, (0, 0), sigma), dtype=np.uint8)
        self.back = type(back)(blurred, back.scale)
        front = image.convert("RGB")
        front.putalpha(mask)
        self.front = prepare(front, smallest_window=smallest, out_width=size[0], mode="RGBA")

    def _window(self, zoom: float, drift: float) -> Crop:
        base = self.base
        width, height = base.width / zoom, base.height / zoom
        cx, cy = base.center
        return Crop(cx + drift * base.width - width / 2, cy - height / 2, width, height)

    def frame(self, seconds: float) -> U8Array:
        p = ease(seconds / self.duration)
        shift = p - 0.5
        back = warp(self.back, self._window(BACK_ZOOM, shift * BACK_DRIFT), self.size)
        front = warp(self.front, self._window(BACK_ZOOM + FRONT_GROWTH * p, -shift * FRONT_DRIFT), self.size)
        alpha = front[:, :, 3:4].astype(np.uint16)
        mixed = front[:, :, :3].astype(np.uint16) * alpha + back.astype(np.uint16) * (255 - alpha) + 127
        return (mixed // 255).astype(np.uint8)
