"""Helpers for the video tests: pictures in a conversation, running a video job, reading an MP4 back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

import av
from django.core.files.storage import default_storage
from PIL import Image

from nanobananas.accounts.identity import Owner
from nanobananas.studio.jobs import job_run
from nanobananas.studio.models import Asset, Conversation, Job
from nanobananas.studio.services import IncomingFile, message_send


def png(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> IncomingFile:
    """A picture with a white square in its middle (so a zoom has something to frame)."""
    image = Image.new("RGB", size, colour)
    w, h = size
    image.paste((255, 255, 255), (w // 3, h // 3, 2 * w // 3, 2 * h // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return IncomingFile(name="photo.png", data=buffer.getvalue())


def uploads(owner: Owner, conversation: Conversation, *colours: tuple[int, int, int]) -> list[Asset]:
    """Send the pictures without words: they are stored as uploads, no job."""
    message, job = message_send(owner=owner, conversation_id=conversation.id, text="", files=[png(c) for c in colours])
    assert job is None
    return list(Asset.objects.filter(message=message).order_by("number"))


def run(job: Job) -> Job:
    job_run(job_id=job.id)
    job.refresh_from_db()
    return job


def stored(asset: Asset) -> bytes:
    with default_storage.open(asset.blob_name, "rb") as handle:
        return bytes(handle.read())


@dataclass(frozen=True)
class Decoded:
    codec: str
    pix_fmt: str
    width: int
    height: int
    fps: Fraction
    frames: int
    seconds: float
    first: Image.Image
    last: Image.Image


def decode(data: bytes) -> Decoded:
    """Read an MP4 back with PyAV: what a player would see."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = [frame.to_image() for frame in container.decode(stream)]
        seconds = float(container.duration / av.time_base) if container.duration else 0.0
        return Decoded(
            codec=stream.codec_context.name,
            pix_fmt=str(stream.codec_context.pix_fmt),
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=Fraction(stream.average_rate),
            frames=len(frames),
            seconds=seconds,
            first=frames[0],
            last=frames[-1],
        )
