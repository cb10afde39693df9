"""render_video and preview_video: check the inputs, build the motion's scene, stream its frames to the encoder."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from typing import Any, BinaryIO

from PIL import Image

from nanobananas.engine.ops._pixels import U8Array
from nanobananas.engine.video.encode import write_loop, write_mp4
from nanobananas.engine.video.motions import build_scene
from nanobananas.engine.video.spec import VideoError, VideoInfo, VideoSpec, check_inputs

__all__ = ["PREVIEW_WIDTH", "preview_video", "render_video"]

PREVIEW_WIDTH = 480
Progress = Callable[[int, str], None]
_PROGRESS_EVERY = 0.02
"""Report progress at most every 2% of the frames (and on the last), so a listener is not flooded."""


_M_MMAP_THRESHOLD = -3
_LARGE_BLOCK = 1 << 20


@lru_cache(maxsize=1)
def _return_large_blocks_to_the_system() -> None:
    """Keep glibc serving blocks of 1 MB and more with mmap, so a freed frame or picture goes back to the system.

    By default glibc raises that threshold to the size of the largest block freed so far: after the first
    few frames every picture being prepared comes from the heap, whose holes are never given back, and a
    1080p slideshow's resident size grows by about 8 MB per picture. Fixing the threshold keeps it flat.
    Elsewhere than glibc this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK)


def _checked_images(images: Sequence[Image.Image]) -> list[Image.Image]:
    checked = []
    for index, image in enumerate(images):
        if not isinstance(image, Image.Image):
            raise VideoError(f"Input {index + 1} is not a picture.")
        if image.width < 2 or image.height < 2:
            raise VideoError(f"Picture {index + 1} is {image.width}x{image.height}; it is too small to film.")
        checked.append(image)
    return checked


def _render(
    spec: VideoSpec,
    images: Sequence[Image.Image],
    out: BinaryIO,
    *,
    size: tuple[int, int],
    frames: int,
    design: dict[str, Any] | None,
    progress: Progress | None,
) -> VideoInfo:
    _return_large_blocks_to_the_system()
    pictures = _checked_images(images)
    check_inputs(spec, len(pictures))
    scene = build_scene(spec, pictures, size, design)
    total = spec.frames
    middle = frames // 2
    kept: dict[int, Image.Image] = {}
    step = max(1, round(frames * _PROGRESS_EVERY))

    def stream() -> Iterator[U8Array]:
        for index in range(frames):
            pixels = scene.frame(index / spec.fps if total > 1 else 0.0)
            if index in (0, middle, frames - 1):
                kept[index] = Image.fromarray(pixels)
            yield pixels
            done = index + 1
            if progress is not None and (done % step == 0 or done == frames):
                progress(min(100, done * 100 // frames), f"frame {done} of {frames}")

    if spec.format == "mp4":
        written = write_mp4(stream(), out, width=size[0], height=size[1], fps=spec.fps)
    else:
        written = write_loop(stream(), out, fmt=spec.format, count=frames, fps=spec.fps)
    screens = [kept[index] for index in sorted(kept)]
    poster = kept[frames - 1] if spec.motion == "poster" else kept[0]
    return VideoInfo(
        content_type=spec.content_type,
        width=size[0],
        height=size[1],
        fps=spec.fps,
        frames=written,
        seconds=written / spec.fps,
        poster_frame=poster,
        screen_frames=screens,
    )


def render_video(
    spec: VideoSpec,
    images: list[Image.Image],
    out: BinaryIO,
    *,
    design: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> VideoInfo:
    """Render `spec` from `images` into `out` (MP4, GIF or WebP), reporting progress(percent, "frame i of n").

    `design` is a generated poster's stored plan, needed for motion="poster". Raises VideoError with a
    code ("bad_input", "too_long", "no_design", "encoder") when the inputs cannot make this video.
    """
    return _render(
        spec, images, out, size=(spec.width, spec.height), frames=spec.frames, design=design, progress=progress
    )


def preview_size(spec: VideoSpec) -> tuple[int, int]:
    """The clip's size scaled to at most PREVIEW_WIDTH wide, both sides even."""
    scale = min(1.0, PREVIEW_WIDTH / spec.width)
    width = max(2, int(spec.width * scale) // 2 * 2)
    height = max(2, round(spec.height * scale) // 2 * 2)
    return width, height


def preview_video(
    spec: VideoSpec, images: list[Image.Image], out: BinaryIO, *, design: dict[str, Any] | None = None
) -> VideoInfo:
    """The clip's first second, at most PREVIEW_WIDTH pixels wide: the same motion on the full clip's timeline."""
    return _render(
        spec, images, out, size=preview_size(spec), frames=min(spec.frames, spec.fps), design=design, progress=None
    )
