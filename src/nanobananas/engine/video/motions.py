"""The built-in motions: each is a scene that draws the frame at a moment of the clip, one frame at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageDraw

from nanobananas.engine.ops._pixels import U8Array
from nanobananas.engine.video.framing import Crop, cover, ease, focus_box, interpolate, place, prepare, warp
from nanobananas.engine.video.spec import VideoSpec

__all__ = ["PAN_TRAVEL", "ZOOM", "Scene", "build_scene"]

ZOOM = 1.3
"""How much closer the last frame of a slow zoom is than the first (the window shrinks by this factor)."""
PAN_TRAVEL = 0.25
"""The least a pan travels, as a share of the window, when the picture is not much wider than the clip."""
SLIDE_ZOOM = 1.06
SLIDE_KEEP = 0.8
"""A slide whose cover crop keeps this share of the picture's width and height is simply centred."""
TRANSITION_SECONDS = 0.8
WIPE_HOLD = 0.15


class Scene(Protocol):
    """Draws the frame `seconds` into the clip as RGB pixels (height x width x 3, uint8)."""

    def frame(self, seconds: float) -> U8Array: ...


def _focus_center(image: Image.Image, focus: str) -> tuple[float, float]:
    left, top, right, bottom = focus_box(image, focus)
    return (left + right) / 2, (top + bottom) / 2


class KenBurns:
    """A slow zoom in (or out) framed on the subject: the tight window is centred on it."""

    def __init__(self, image: Image.Image, spec: VideoSpec, size: tuple[int, int], *, zoom_in: bool) -> None:
        self.size = size
        self.duration = spec.seconds
        aspect = size[0] / size[1]
        width, height = cover(image.size, aspect)
        center = _focus_center(image, spec.focus)
        wide = place(center, width, height, image.size)
        tight = place(center, width / ZOOM, height / ZOOM, image.size)
        self.start, self.end = (wide, tight) if zoom_in else (tight, wide)
        self.source = prepare(image, smallest_window=tight.width, out_width=size[0])
        self.buffer = np.empty((size[1], size[0], 3), dtype=np.uint8)

    def frame(self, seconds: float) -> U8Array:
        crop = interpolate(self.start, self.end, ease(seconds / self.duration))
        return warp(self.source, crop, self.size, self.buffer)


class Pan:
    """The window travels across the picture in the asked direction, at the subject's height (or side)."""

    def __init__(self, image: Image.Image, spec: VideoSpec, size: tuple[int, int]) -> None:
        self.size = size
        self.duration = spec.seconds
        w, h = image.size
        width, height = cover(image.size, size[0] / size[1])
        across = spec.direction in ("left_to_right", "right_to_left")
        # A picture hardly wider (or taller) than the clip leaves no room to travel: move closer until
        # the window can travel at least PAN_TRAVEL of its own width.
        if across and w - width < PAN_TRAVEL * width:
            width, height = w / (1 + PAN_TRAVEL), h * (w / (1 + PAN_TRAVEL)) / width
        if not across and h - height < PAN_TRAVEL * height:
            height, width = h / (1 + PAN_TRAVEL), width * (h / (1 + PAN_TRAVEL)) / height
        cx, cy = _focus_center(image, spec.focus)
        if across:
            first, last = place((0, cy), width, height, image.size), place((w, cy), width, height, image.size)
        else:
            first, last = place((cx, 0), width, height, image.size), place((cx, h), width, height, image.size)
        if spec.direction in ("right_to_left", "bottom_to_top"):
            first, last = last, first
        self.start, self.end = first, last
        self.source = prepare(image, smallest_window=width, out_width=size[0])
        self.buffer = np.empty((size[1], size[0], 3), dtype=np.uint8)

    def frame(self, seconds: float) -> U8Array:
        p = ease(seconds / self.duration)
        a, b = self.start, self.end
        crop = Crop(a.x + (b.x - a.x) * p, a.y + (b.y - a.y) * p, a.width, a.height)
        return warp(self.source, crop, self.size, self.buffer)


def _fitted(image: Image.Image, size: tuple[int, int], *, focus: str, zoom: float = 1.0) -> U8Array:
    """The picture cropped to the clip's aspect around its subject and scaled to `size` times `zoom`."""
    width, height = cover(image.size, size[0] / size[1])
    crop = place(_focus_center(image, focus), width, height, image.size)
    box = (round(crop.x), round(crop.y), round(crop.x + crop.width), round(crop.y + crop.height))
    target = (round(size[0] * zoom), round(size[1] * zoom))
    fitted = image.convert("RGB").resize(target, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    return np.ascontiguousarray(np.asarray(fitted))


def _blend(a: U8Array, b: U8Array, p: float, out: U8Array) -> U8Array:
    import cv2

    cv2.addWeighted(a, 1.0 - p, b, p, 0.0, dst=out)
    return out


class Wipe:
    """Before and after: a line sweeps across, showing the after behind it; the middle frame is half and half."""

    def __init__(self, images: Sequence[Image.Image], spec: VideoSpec, size: tuple[int, int]) -> None:
        self.size = size
        self.duration = spec.seconds
        self.direction = spec.direction
        self.before = _fitted(images[0], size, focus="center")
        self.after = _fitted(images[1], size, focus="center")
        self.line = max(2, min(size) // 180)

    def frame(self, seconds: float) -> U8Array:
        t = seconds / self.duration
        p = ease((t - WIPE_HOLD) / (1 - 2 * WIPE_HOLD))
        w, h = self.size
        frame = self.before.copy()
        across = self.direction in ("left_to_right", "right_to_left")
        edge = round(p * (w if across else h))
        half = self.line // 2
        line: tuple[slice, slice]
        if self.direction == "left_to_right":
            frame[:, :edge] = self.after[:, :edge]
            line = np.s_[:, max(0, edge - half) : edge - half + self.line]
        elif self.direction == "right_to_left":
            frame[:, w - edge :] = self.after[:, w - edge :]
            line = np.s_[:, max(0, w - edge - half) : w - edge - half + self.line]
        elif self.direction == "top_to_bottom":
            frame[:edge] = self.after[:edge]
            line = np.s_[max(0, edge - half) : edge - half + self.line, :]
        else:
            frame[h - edge :] = self.after[h - edge :]
            line = np.s_[max(0, h - edge - half) : h - edge - half + self.line, :]
        if 0 < p < 1:
            frame[line] = 255
        return frame


class Caption:
    """A caption band (dark, translucent) with crisp white text, kept as the bottom rows it covers."""

    def __init__(self, text: str, size: tuple[int, int]) -> None:
        from nanobananas.engine.ops._fonts import load_font

        w, h = size
        band = max(24, round(h * 0.12))
        font_size = max(12, round(band * 0.45))
        font = load_font("roboto", font_size)
        while font_size > 12 and font.getlength(text) > w * 0.9:
            font_size -= 2
            font = load_font("roboto", font_size)
        layer = Image.new("RGBA", (w, band), (0, 0, 0, 115))
        ImageDraw.Draw(layer).text((w / 2, band / 2), text, font=font, fill=(255, 255, 255, 255), anchor="mm")
        pixels = np.asarray(layer)
        self.top = h - band
        self.alpha = pixels[:, :, 3:4].astype(np.uint16)
        self.premultiplied = (pixels[:, :, :3].astype(np.uint16) * self.alpha).astype(np.uint16)

    def draw(self, frame: U8Array) -> U8Array:
        rows = frame[self.top :].astype(np.uint16)
        frame[self.top :] = ((rows * (255 - self.alpha) + self.premultiplied + 127) // 255).astype(np.uint8)
        return frame


class Slideshow:
    """Each picture in turn with a gentle push in, joined by crossfades or slides, with optional captions.

    Only the pictures on screen are kept prepared (at most two at a time), so memory does not grow with
    the number of pictures or the clip's length.
    """

    def __init__(self, images: Sequence[Image.Image], spec: VideoSpec, size: tuple[int, int]) -> None:
        self.images = list(images)
        self.size = size
        self.transition = spec.transition
        self.focus = spec.focus
        count = len(images)
        self.fade = min(TRANSITION_SECONDS, 0.3 * spec.seconds / count)
        # Every picture is on screen for the same time; neighbours overlap for one transition.
        self.slot = (spec.seconds + (count - 1) * self.fade) / count
        captions = list(spec.captions) + [""] * (count - len(spec.captions))
        self.captions = captions
        self._cache: dict[int, tuple[Any, Caption | None]] = {}
        # Two pictures are drawn during a transition (by index parity), and the mix goes to a third buffer.
        self._buffers = [np.empty((size[1], size[0], 3), dtype=np.uint8) for _ in range(3)]

    def interval(self, index: int) -> tuple[float, float]:
        """When picture `index` is on screen (start and end, seconds), transitions included."""
        start = index * (self.slot - self.fade)
        return start, start + self.slot

    def _slide(self, index: int) -> tuple[Any, Caption | None]:
        if index not in self._cache:
            # Pictures come in order: only the one leaving is still needed while the next comes in.
            for old in [key for key in self._cache if key < index - 1 or key > index]:
                del self._cache[old]
            image = self.images[index]
            width, height = cover(image.size, self.size[0] / self.size[1])
            source = prepare(image, smallest_window=width / SLIDE_ZOOM, out_width=self.size[0])
            # Finding the subject loads OpenCV's face and saliency models (about 50 MB): only worth it when
            # the picture's shape is far from the clip's and the crop could miss the subject.
            kept = min(width / image.width, height / image.height)
            center = (image.width / 2, image.height / 2) if kept >= SLIDE_KEEP else _focus_center(image, self.focus)
            crop = place(center, width, height, image.size)
            caption = Caption(self.captions[index], self.size) if self.captions[index] else None
            self._cache[index] = ((source, crop), caption)
        return self._cache[index]

    def _draw(self, index: int, seconds: float) -> U8Array:
        (source, crop), caption = self._slide(index)
        start, end = self.interval(index)
        p = min(1.0, max(0.0, (seconds - start) / (end - start)))
        tight = Crop(0, 0, crop.width / SLIDE_ZOOM, crop.height / SLIDE_ZOOM)
        cx, cy = crop.center
        tight = Crop(cx - tight.width / 2, cy - tight.height / 2, tight.width, tight.height)
        frame = warp(source, interpolate(crop, tight, p), self.size, self._buffers[index % 2])
        return caption.draw(frame) if caption is not None else frame

    def frame(self, seconds: float) -> U8Array:
        step = self.slot - self.fade
        index = min(len(self.images) - 1, max(0, int(seconds // step)))
        into = seconds - index * step
        # Picture `index` comes in during the first `fade` seconds of its interval, over the one before.
        if index > 0 and into < self.fade:
            p = ease(into / self.fade)
            leaving, coming = self._draw(index - 1, seconds), self._draw(index, seconds)
            frame = self._buffers[2]
            if self.transition == "crossfade":
                return _blend(leaving, coming, p, frame)
            shift = round(p * self.size[0])
            frame[:, : self.size[0] - shift] = leaving[:, shift:]
            frame[:, self.size[0] - shift :] = coming[:, :shift]
            return frame
        return self._draw(index, seconds)


def build_scene(
    spec: VideoSpec, images: Sequence[Image.Image], size: tuple[int, int], design: dict[str, Any] | None
) -> Scene:
    """The scene for `spec.motion`; the inputs have been checked (count, design) by the caller."""
    if spec.motion in ("zoom_in", "zoom_out"):
        return KenBurns(images[0], spec, size, zoom_in=spec.motion == "zoom_in")
    if spec.motion == "pan":
        return Pan(images[0], spec, size)
    if spec.motion == "slideshow":
        return Slideshow(images, spec, size)
    if spec.motion == "wipe":
        return Wipe(images, spec, size)
    if spec.motion == "parallax":
        from nanobananas.engine.video.parallax import Parallax

        return Parallax(images[0], spec, size)
    from nanobananas.engine.video.poster import AnimatedPoster

    return AnimatedPoster(images[0], spec, size, design)
