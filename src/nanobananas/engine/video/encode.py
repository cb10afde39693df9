"""Frame writers: H.264 MP4 through PyAV (faststart), GIF and animated WebP loops through Pillow.

Frames come one at a time from an iterator and are handed to the encoder at once, so memory stays flat
whatever the clip's length (a GIF is the exception: Pillow keeps its palette frames, which is why loops
are limited to a few seconds).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from typing import BinaryIO

import numpy as np
from PIL import Image

from nanobananas.engine.ops._pixels import U8Array
from nanobananas.engine.video.spec import VideoError

__all__ = ["X264_PRESET", "frame_durations", "write_loop", "write_mp4"]

X264_PRESET = "superfast"
"""Fast enough for a 720p clip at several times real time on two cores; CRF keeps the quality constant."""
X264_CRF = "20"
X264_PARAMS = "sliced-threads=1:bframes=0:rc-lookahead=0:sync-lookahead=0"
"""Threads split each frame instead of holding several frames in flight, and no frame waits for a later one:
x264 then needs about 70 MB at 1080p instead of 130 MB, and the same whatever the clip's length."""
_COPY_CHUNK = 1 << 20


def write_mp4(frames: Iterator[U8Array], out: BinaryIO, *, width: int, height: int, fps: int) -> int:
    """Encode RGB frames (height x width x 3, uint8) as H.264 yuv420p in an MP4 with the index first.

    The moov atom can only be moved in front of the media data by rewriting a named file, so the MP4 is
    written to a temporary file and then copied into `out`. Returns the number of frames written.
    """
    import av
    import cv2

    handle, path = tempfile.mkstemp(prefix="nanobananas-video-", suffix=".mp4")
    os.close(handle)
    count = 0
    try:
        try:
            with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
                stream = container.add_stream("libx264", rate=Fraction(fps))
                stream.width = width
                stream.height = height
                stream.pix_fmt = "yuv420p"
                threads = max(1, min(4, os.cpu_count() or 1))
                stream.options = {
                    "crf": X264_CRF,
                    "preset": X264_PRESET,
                    "x264-params": f"threads={threads}:{X264_PARAMS}",
                }
                planes = np.empty((height * 3 // 2, width), dtype=np.uint8)
                for pixels in frames:
                    # OpenCV's I420 is BT.601 limited range, what swscale would make, at a seventh of the cost.
                    cv2.cvtColor(pixels, cv2.COLOR_RGB2YUV_I420, dst=planes)
                    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                    frame.pts = count
                    frame.time_base = Fraction(1, fps)
                    container.mux(stream.encode(frame))
                    count += 1
                container.mux(stream.encode(None))
        except (av.FFmpegError, ValueError) as exc:
            raise VideoError(f"The video encoder failed: {exc}", code="encoder") from exc
        with open(path, "rb") as written:
            shutil.copyfileobj(written, out, _COPY_CHUNK)
    finally:
        os.unlink(path)
    return count


def frame_durations(frames: int, fps: int, *, tick_ms: int) -> list[int]:
    """Per-frame durations in ms on a `tick_ms` grid that add up to the clip's length exactly.

    GIF counts time in hundredths of a second, so 30 fps alternates 30 and 40 ms instead of drifting.
    """
    edges = [round(index * 1000 / fps / tick_ms) * tick_ms for index in range(frames + 1)]
    return [max(tick_ms, b - a) for a, b in itertools.pairwise(edges)]


def _as_palette(pixels: U8Array) -> Image.Image:
    return Image.fromarray(pixels).quantize(colors=255, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def write_loop(frames: Iterator[U8Array], out: BinaryIO, *, fmt: str, count: int, fps: int) -> int:
    """Write an endlessly looping GIF or animated WebP of `count` frames; returns the frames taken."""
    taken = 0

    def images() -> Iterator[Image.Image]:
        nonlocal taken
        for pixels in frames:
            taken += 1
            yield _as_palette(pixels) if fmt == "gif" else Image.fromarray(np.ascontiguousarray(pixels))

    sequence = images()
    first = next(sequence, None)
    if first is None:
        raise VideoError("There were no frames to write.", code="encoder")
    durations = frame_durations(count, fps, tick_ms=10 if fmt == "gif" else 1)
    if fmt == "gif":
        first.save(out, format="GIF", save_all=True, append_images=sequence, duration=durations, loop=0, optimize=False)
    else:
        first.save(out, format="WEBP", save_all=True, append_images=sequence, duration=durations, loop=0, quality=80)
    return taken
