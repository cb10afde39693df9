"""Where a picture's subject is, and the geometry of crops that keep it in view as the camera moves."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import U8Array

__all__ = ["Crop", "Source", "cover", "ease", "focus_box", "place", "prepare", "warp"]

Box = tuple[int, int, int, int]


def ease(p: float) -> float:
    """Ease in and out (half a cosine): starts and ends at rest, no jolt at either end."""
    p = min(1.0, max(0.0, p))
    return 0.5 - 0.5 * math.cos(math.pi * p)


def focus_box(image: Image.Image, focus: str) -> Box:
    """The box to frame: the largest face ("face"), the subject ("subject"), or the middle ("center").

    "face" falls back to the subject when no face is found, and "subject" finds a face first (with
    head room) and the salient region otherwise, as the engine's subject finder does for other ops.
    """
    from nanobananas.engine.ops._subject import detect_faces, subject_box

    w, h = image.size
    if focus == "face":
        faces = detect_faces(image)
        if faces:
            return faces[0]
    if focus in ("face", "subject"):
        left, top, right, bottom = subject_box(image)
        if right > left and bottom > top:
            return left, top, right, bottom
    return w // 4, h // 4, w - w // 4, h - h // 4


@dataclass(frozen=True)
class Crop:
    """A window on a picture: left, top and width (its height follows from the clip's aspect)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


def cover(size: tuple[int, int], aspect: float) -> tuple[float, float]:
    """The largest window of `aspect` (width / height) that fits inside a picture of `size`."""
    w, h = size
    if w / h > aspect:
        return h * aspect, float(h)
    return float(w), w / aspect


def place(center: tuple[float, float], width: float, height: float, size: tuple[int, int]) -> Crop:
    """A window of this size as near `center` as the picture's edges allow."""
    w, h = size
    x = min(max(0.0, center[0] - width / 2), max(0.0, w - width))
    y = min(max(0.0, center[1] - height / 2), max(0.0, h - height))
    return Crop(x, y, width, height)


def interpolate(a: Crop, b: Crop, p: float) -> Crop:
    """The window `p` of the way from `a` to `b`: size changes geometrically (steady zoom), position linearly."""
    width = a.width * (b.width / a.width) ** p
    height = a.height * (b.height / a.height) ** p
    ax, ay = a.center
    bx, by = b.center
    cx, cy = ax + (bx - ax) * p, ay + (by - ay) * p
    return Crop(cx - width / 2, cy - height / 2, width, height)


@dataclass(frozen=True)
class Source:
    """A picture's pixels, scaled once so that the tightest window needs no more than 1:1 detail."""

    pixels: U8Array
    scale: float

    def crop(self, crop: Crop) -> Crop:
        s = self.scale
        return Crop(crop.x * s, crop.y * s, crop.width * s, crop.height * s)


def prepare(image: Image.Image, *, smallest_window: float, out_width: int, mode: str = "RGB") -> Source:
    """Scale `image` down (never up) so a window `smallest_window` wide maps to `out_width` pixels."""
    converted = image if image.mode == mode else image.convert(mode)
    scale = min(1.0, out_width / max(1.0, smallest_window))
    pixels = np.asarray(converted)
    if scale < 0.999:
        import cv2

        size = (max(1, round(converted.width * scale)), max(1, round(converted.height * scale)))
        # Area averaging straight from the pixels: as sharp as Lanczos for a reduction, without Pillow's
        # four-byte intermediate images (tens of megabytes for a large photo).
        pixels = np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        scale = size[0] / image.width
    else:
        scale = 1.0
    return Source(np.ascontiguousarray(pixels), scale)


def warp(source: Source, crop: Crop, size: tuple[int, int], out: U8Array | None = None) -> U8Array:
    """The window `crop` (in picture pixels) resampled to `size` (width, height), into `out` when given.

    Scenes draw every frame into the same buffers: a new frame-sized array per frame makes the allocator
    hold on to freed memory, and the peak grows by tens of megabytes at 1080p.
    """
    import cv2

    window = source.crop(crop)
    out_w, out_h = size
    ax = out_w / window.width
    ay = out_h / window.height
    # Pixel centres line up: output pixel u samples the window at x + (u + 0.5) / a - 0.5.
    matrix = np.array(
        [[ax, 0.0, ax * (0.5 - window.x) - 0.5], [0.0, ay, ay * (0.5 - window.y) - 0.5]], dtype=np.float64
    )
    if out is None:
        out = np.empty((out_h, out_w, *source.pixels.shape[2:]), dtype=np.uint8)
    cv2.warpAffine(
        source.pixels, matrix, (out_w, out_h), dst=out, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return out
