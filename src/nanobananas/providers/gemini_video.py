"""Videos with Veo through the Gemini provider: the job's request, polling it, and reading the video it made.

The installed google-genai refuses `models.generate_videos` for API keys of the Gemini Developer API (it only
builds the Vertex request), so the job is started with the Developer API's own `predictLongRunning` body
through the SDK's HTTP client (same key, base URL, timeout); polling and the download use the SDK's public
`operations.get` and `files.download`.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from typing import Any, Final, Protocol, TypeVar

from google.genai import Client, types
from PIL import Image

from nanobananas.providers.base import GeneratedVideo, ProgressCallback, ProviderError, ProviderRefused, ProviderTimeout
from nanobananas.providers.gemini_content import nearest_aspect_ratio, parse_ratio, png, sha256
from nanobananas.providers.labels import model_label

__all__ = ["MAX_VIDEO_SECONDS", "VIDEO_ASPECT_RATIOS", "video_generate"]

VIDEO_ASPECT_RATIOS: Final = ("16:9", "9:16")
MAX_VIDEO_SECONDS: Final = 8
_T = TypeVar("_T")


class VideoCaller(Protocol):
    """What the video calls take from the Gemini provider that passes itself in: its SDK client, its retried
    call and its video settings (a protocol, so this module never imports the provider's)."""

    video_model_id: str
    video_poll_seconds: float
    video_max_wait_seconds: float
    sleep: Callable[[float], None]

    @property
    def name(self) -> str: ...

    @property
    def client(self) -> Client: ...

    def call(
        self,
        request: Callable[[], _T],
        *,
        progress: ProgressCallback | None,
        what: str,
        retries: int | None = None,
        timeout: float | None = None,
    ) -> tuple[_T, int]: ...


# Operation error codes (google.rpc.Code) for which a later try may work.
_RETRYABLE_RPC_CODES: Final = frozenset({4, 8, 10, 13, 14})


def _seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


def _request_body(
    *, prompt: str, image: Image.Image | None, ratio: str | None, duration_seconds: int | None
) -> dict[str, Any]:
    instance: dict[str, Any] = {"prompt": prompt}
    if image is not None:
        encoded = base64.b64encode(png(image)).decode("ascii")
        instance["image"] = {"bytesBase64Encoded": encoded, "mimeType": "image/png"}
    body: dict[str, Any] = {"instances": [instance]}
    parameters: dict[str, Any] = {}
    if ratio:
        parameters["aspectRatio"] = ratio
    if duration_seconds is not None:
        parameters["durationSeconds"] = duration_seconds
    if parameters:
        body["parameters"] = parameters
    return body


def video_generate(
    provider: VideoCaller,
    *,
    prompt: str,
    progress: ProgressCallback,
    image: Image.Image | None,
    aspect_ratio: str | None,
    duration_seconds: int | None,
) -> GeneratedVideo:
    """Start a Veo job, poll it until it is done (at most `video_max_wait_seconds`), download the video."""
    if not prompt.strip() and image is None:
        raise ProviderError("a video needs a prompt or a first frame")
    if duration_seconds is not None and not 1 <= duration_seconds <= MAX_VIDEO_SECONDS:
        raise ProviderError(f"Veo makes videos of 1 to {MAX_VIDEO_SECONDS} seconds, not {duration_seconds}")
    ratio = None
    if aspect_ratio:
        ratio = aspect_ratio.strip()
        if ratio not in VIDEO_ASPECT_RATIOS:
            ratio = nearest_aspect_ratio(parse_ratio(ratio), VIDEO_ASPECT_RATIOS)
    body = _request_body(prompt=prompt, image=image, ratio=ratio, duration_seconds=duration_seconds)
    video_label = model_label(provider.video_model_id)

    progress(5, f"Sending the request to {video_label}")
    started, attempts = provider.call(
        lambda: provider.client._api_client.request(
            "post", f"models/{provider.video_model_id}:predictLongRunning", body, None
        ),
        progress=progress,
        what="start the video",
    )
    operation = types.GenerateVideosOperation.from_api_response(json.loads(started.body or "{}"), is_vertex_ai=False)
    if not operation.name:
        raise ProviderError(f"{video_label} did not return a job to follow; trying again may work", retryable=True)
    waited = 0.0
    polls = 0
    while not operation.done:
        if waited >= provider.video_max_wait_seconds:
            raise ProviderTimeout(
                f"{video_label} did not finish the video within {_seconds(provider.video_max_wait_seconds)}; "
                "try again later"
            )
        provider.sleep(provider.video_poll_seconds)
        waited += provider.video_poll_seconds
        polls += 1
        progress(min(90, 10 + int(80 * waited / provider.video_max_wait_seconds)), f"{video_label} is making the video")
        operation, _ = provider.call(
            functools.partial(provider.client.operations.get, operation),
            progress=progress,
            what="follow the video job",
        )
    data, content_type = _read_video(provider, operation, video_label, progress)
    progress(100, "Video ready")
    return GeneratedVideo(
        data=data,
        content_type=content_type,
        provider=provider.name,
        model=provider.video_model_id,
        details={
            "sent": {
                "prompt_sha256": sha256(prompt),
                "input_images": 0 if image is None else 1,
                "history_turns": 0,
                "aspect_ratio": ratio,
                "duration_seconds": duration_seconds,
                "model": provider.video_model_id,
            },
            "attempts": attempts,
            "polls": polls,
            "operation": operation.name,
        },
    )


def _read_video(
    provider: VideoCaller,
    operation: types.GenerateVideosOperation,
    video_label: str,
    progress: ProgressCallback,
) -> tuple[bytes, str]:
    if operation.error:
        code = int(operation.error.get("code") or 0)
        message = str(operation.error.get("message") or "no reason given")
        raise ProviderError(
            f"{video_label} could not make the video: {message}", retryable=code in _RETRYABLE_RPC_CODES
        )
    result = operation.result or operation.response
    videos = result.generated_videos if result is not None else None
    if not videos or videos[0].video is None:
        reasons = (result.rai_media_filtered_reasons if result is not None else None) or []
        if reasons or (result is not None and result.rai_media_filtered_count):
            raise ProviderRefused(
                f"{video_label} did not return the video because it may go against its safety guidelines"
                + (f": {' '.join(reasons)}" if reasons else ".")
                + " Rephrasing the request or using a different picture may work.",
                code="safety",
            )
        raise ProviderError(f"{video_label} finished without a video; trying again may work", retryable=True)
    video = videos[0].video
    data = video.video_bytes or b""
    if not data:
        if not video.uri:
            raise ProviderError(f"{video_label} finished without a video; trying again may work", retryable=True)
        progress(95, "Downloading the video")
        data, _ = provider.call(
            lambda: provider.client.files.download(file=video), progress=progress, what="download the video"
        )
    content_type = video.mime_type or "video/mp4"
    if not _looks_like_video(data):
        raise ProviderError(
            f"{video_label} returned a file that is not a video ({len(data)} bytes); nothing was saved",
            retryable=True,
        )
    return data, content_type


def _looks_like_video(data: bytes) -> bool:
    """An MP4/MOV (an `ftyp` box first) or a WebM/Matroska file (EBML magic)."""
    return (len(data) >= 12 and data[4:8] == b"ftyp") or data[:4] == b"\x1a\x45\xdf\xa3"
