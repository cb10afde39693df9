"""Helpers for the video tests: synthetic pictures, and decoding what the engine wrote with PyAV."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw


@dataclass
class Decoded:
    """What a decoder sees in an MP4: stream facts, the frames as RGB arrays, and the top-level boxes in order."""

    codec: str
    pix_fmt: str
    width: int
    height: int
    rate: Fraction
    duration: float
    frames: list[np.ndarray]
    boxes: list[str]
    audio_streams: int


def top_level_boxes(data: bytes) -> list[str]:
    """The MP4's top-level box types in file order (ftyp, moov, mdat ...)."""
    boxes, offset = [], 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        boxes.append(kind.decode("latin-1"))
        if size == 0:
            break
        offset += size
    return boxes


def decode(data: bytes) -> Decoded:
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.video[0]
        audio = len(container.streams.audio)
        codec = stream.codec_context.name
        rate = stream.average_rate
        base = stream.time_base
        duration = float(stream.duration * base) if stream.duration and base is not None else 0.0
        frames = []
        pix_fmt = ""
        for frame in container.decode(stream):
            pix_fmt = frame.format.name
            frames.append(frame.to_ndarray(format="rgb24"))
        width, height = stream.codec_context.width, stream.codec_context.height
    assert rate is not None
    return Decoded(codec, pix_fmt, width, height, rate, duration, frames, top_level_boxes(data), audio)


def blocks(size: tuple[int, int], cell: int = 60, seed: int = 3) -> Image.Image:
    """A picture of random grey blocks: structure at every place, so a zoom or shift is measurable.

    Grey keeps the comparison on luma, which H.264 in yuv420p keeps at full resolution.
    """
    rng = np.random.default_rng(seed)
    w, h = size
    grid = rng.integers(0, 256, ((h + cell - 1) // cell, (w + cell - 1) // cell), dtype=np.uint8)
    return Image.fromarray(grid.repeat(cell, 0).repeat(cell, 1)[:h, :w]).convert("RGB")


def disc_on_backdrop(size: tuple[int, int], center: tuple[int, int], radius: int) -> Image.Image:
    """A red disc (the subject) on a plain grey-blue backdrop."""
    image = Image.new("RGB", size, (90, 110, 140))
    x, y = center
    ImageDraw.Draw(image).ellipse((x - radius, y - radius, x + radius, y + radius), fill=(230, 30, 30))
    return image


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (400, 300)) -> Image.Image:
    return Image.new("RGB", size, colour)


@pytest.fixture
def block_picture() -> Image.Image:
    return blocks((960, 540))
