"""The Gemini provider: images with Gemini 2.5 Flash Image ("nano banana") and videos with Veo, via google-genai.

What leaves this server is only what the feature needs: the prompt or instruction text, the input images
(re-encoded as PNG: pixels and colour profile, no EXIF, GPS or text chunks), earlier turns of the same chat,
and the wanted aspect ratio.
Nothing about the user is sent. `GeneratedImage.details["sent"]` records it without the content.

Retries are ours, not the SDK's (its own are switched off), so `retries` is exact: 429 and 5xx answers are
tried again after an exponential backoff with jitter, or after the delay the service asks for. A timeout is
not retried: the request may still be running on Gemini's side, and waiting `timeout` seconds again would
keep the person waiting several times as long for the same answer.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib
import io
import json
import math
import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from PIL import Image, ImageOps

from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.safety import decode_image
from nanobananas.providers.base import (
    GeneratedImage,
    GeneratedVideo,
    ImageProvider,
    ProgressCallback,
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
    ProviderTimeout,
    Turn,
)
from nanobananas.providers.http import retry_after_seconds
from nanobananas.providers.labels import model_label

__all__ = [
    "DEFAULT_IMAGE_MODEL",
    "DEFAULT_VIDEO_MODEL",
    "MAX_INPUT_SIDE",
    "SUPPORTED_ASPECT_RATIOS",
    "GeminiProvider",
    "nearest_aspect_ratio",
]

DEFAULT_IMAGE_MODEL: Final = "gemini-2.5-flash-image"
DEFAULT_VIDEO_MODEL: Final = "veo-3.0-fast-generate-001"

SUPPORTED_ASPECT_RATIOS: Final = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
"""The shapes Gemini 2.5 Flash Image makes; any other wanted shape is sent as the nearest of these."""

MAX_INPUT_SIDE: Final = 2048
"""Input pictures are scaled down to this long side before they are sent: Gemini reads pictures at far less
than that, and a few full-size photos inline would pass the API's 20 MB request limit."""

VIDEO_ASPECT_RATIOS: Final = ("16:9", "9:16")
MAX_VIDEO_SECONDS: Final = 8

# 408 and 5xx are the service's trouble, 429 is its rate limit: a later try may work.
_RETRYABLE_STATUS: Final = frozenset({408, 429, 500, 502, 503, 504})

_CATEGORIES: Final = {
    "HARM_CATEGORY_SEXUALLY_EXPLICIT": "sexual",
    "HARM_CATEGORY_IMAGE_SEXUALLY_EXPLICIT": "sexual",
    "HARM_CATEGORY_HATE_SPEECH": "hate",
    "HARM_CATEGORY_IMAGE_HATE": "hate",
    "HARM_CATEGORY_HARASSMENT": "harassment",
    "HARM_CATEGORY_IMAGE_HARASSMENT": "harassment",
    "HARM_CATEGORY_DANGEROUS_CONTENT": "dangerous",
    "HARM_CATEGORY_IMAGE_DANGEROUS_CONTENT": "dangerous",
    "HARM_CATEGORY_CIVIC_INTEGRITY": "civic_integrity",
}
_PROBABILITY_RANK: Final = {"NEGLIGIBLE": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3}

_REPHRASE = "Nothing was made; rephrasing the request or using a different picture may work."

_BLOCKED_PROMPT_MESSAGE: Final = (
    "Gemini declined this request under its safety guidelines before making anything. " + _REPHRASE
)

# finishReason -> (code, message) when a candidate ends without an image.
_FINISH_REFUSALS: Final = {
    "IMAGE_SAFETY": (
        "image_safety",
        "Gemini made an image but did not return it because it may go against its safety guidelines. " + _REPHRASE,
    ),
    "PROHIBITED_CONTENT": (
        "prohibited_content",
        "Gemini does not make this kind of content, so no image was made.",
    ),
    "IMAGE_PROHIBITED_CONTENT": (
        "prohibited_content",
        "Gemini does not make this kind of image, so none was returned.",
    ),
    "NO_IMAGE": (
        "no_image",
        "Gemini could not make an image for this request. Describing the picture you want more concretely may work.",
    ),
    "SAFETY": ("safety", "Gemini stopped because the request may go against its safety guidelines. " + _REPHRASE),
    "BLOCKLIST": ("blocklist", "The request contains terms Gemini does not accept. " + _REPHRASE),
    "SPII": (
        "personal_information",
        "Gemini stopped because the answer could reveal someone's personal information. " + _REPHRASE,
    ),
    "RECITATION": (
        "recitation",
        "Gemini stopped because the result would be too close to existing protected work. " + _REPHRASE,
    ),
    "IMAGE_RECITATION": (
        "recitation",
        "Gemini did not return the image because it would be too close to existing protected work. " + _REPHRASE,
    ),
    "LANGUAGE": ("language", "Gemini does not support the language of this request yet."),
    "IMAGE_OTHER": ("refused", "Gemini did not return an image for this request. " + _REPHRASE),
    "OTHER": ("refused", "Gemini did not return an image for this request. " + _REPHRASE),
}

# Operation error codes (google.rpc.Code) for which a later try may work.
_RETRYABLE_RPC_CODES: Final = frozenset({4, 8, 10, 13, 14})

_T = TypeVar("_T")


def _http_client_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    """Timeout and transport exception classes of the HTTP library the SDK uses: it takes httpx2 (a fork
    under its own name) or httpx, whichever is installed, and lets their exceptions through."""
    timeouts: list[type[Exception]] = []
    transport: list[type[Exception]] = []
    for name in ("httpx2", "httpx"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.TransportError)
    return tuple(timeouts), tuple(transport)


_TIMEOUT_ERRORS, _TRANSPORT_ERRORS = _http_client_errors()


def _parse_ratio(text: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*", text)
    if match is None or float(match.group(1)) <= 0 or float(match.group(2)) <= 0:
        raise ProviderError(f"{text!r} is not an aspect ratio; write it as width:height, for example 16:9")
    return float(match.group(1)) / float(match.group(2))


def nearest_aspect_ratio(ratio: float, choices: Sequence[str] = SUPPORTED_ASPECT_RATIOS) -> str:
    """The supported shape closest to width/height `ratio` (compared on a log scale, so 2:1 and 1:2 are
    as far from square as each other)."""
    return min(choices, key=lambda choice: abs(math.log(_parse_ratio(choice)) - math.log(ratio)))


def _png(image: Image.Image) -> bytes:
    """The picture as it is sent: PNG, at most MAX_INPUT_SIDE pixels on its long side, in a mode PNG holds."""
    if max(image.size) > MAX_INPUT_SIDE:
        image = image.copy()
        image.thumbnail((MAX_INPUT_SIDE, MAX_INPUT_SIDE), Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _image_part(image: Image.Image) -> types.Part:
    return types.Part.from_bytes(data=_png(image), mime_type="image/png")


def _seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name(value: Any) -> str:
    """An SDK enum or a plain string as its upper-case name ("" for None)."""
    if value is None:
        return ""
    return str(getattr(value, "value", value)).upper()


def _category(ratings: Sequence[types.SafetyRating] | None) -> str:
    """The product's name for the content category Gemini blocked for, else the most probable one rated
    MEDIUM or above; "" when it named none."""
    blocked = [rating for rating in ratings or () if rating.blocked]
    if not blocked:
        blocked = sorted(
            (rating for rating in ratings or () if _PROBABILITY_RANK.get(_name(rating.probability), 0) >= 2),
            key=lambda rating: -_PROBABILITY_RANK.get(_name(rating.probability), 0),
        )
    for rating in blocked:
        category = _CATEGORIES.get(_name(rating.category))
        if category:
            return category
    return ""


def _category_phrase(category: str) -> str:
    return f" (flagged category: {category.replace('_', ' ')})" if category else ""


class GeminiProvider(ImageProvider):
    """Gemini through the google-genai SDK.

    OPTIONS: api_key (required), base_url (a proxy or a test server; None for Google's), model, video_model,
    timeout (seconds per request), retries (extra tries after a 429 or 5xx), api_version ("v1beta"),
    backoff_seconds (1.0, doubled per try), max_backoff_seconds (60: a longer Retry-After ends the tries),
    video_poll_seconds (10), video_max_wait_seconds (600), check_timeout (15), and for tests `sleep` (how to
    wait) and `random` (the jitter source, a function returning a float in [0, 1)).

    Masks: Gemini has no mask parameter, so `edit(mask=...)` sends the image and instruction only; the studio
    composites a masked edit itself, keeping the original pixels outside the mask.
    """

    name = "gemini"
    third_party = True
    can_generate = True
    can_edit = True
    can_edit_many = True
    can_chat = True
    can_video = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        api_key = options.get("api_key")
        if not api_key:
            raise ProviderError("the Gemini provider needs an API key (set NANOBANANAS_GEMINI_API_KEY)")
        self.api_key = str(api_key)
        self.base_url: str | None = options.get("base_url") or None
        self.model_id = str(options.get("model") or DEFAULT_IMAGE_MODEL)
        self.video_model_id = str(options.get("video_model") or DEFAULT_VIDEO_MODEL)
        timeout = options.get("timeout")
        self.timeout = 120.0 if timeout is None else float(timeout)
        if self.timeout <= 0:
            raise ProviderError(f"timeout must be a positive number of seconds, not {timeout}")
        retries = options.get("retries")
        self.retries = 3 if retries is None else int(retries)
        if self.retries < 0:
            raise ProviderError(f"retries must be 0 or more, not {self.retries}")
        self.api_version = str(options.get("api_version") or "v1beta")
        self.backoff_seconds = float(options.get("backoff_seconds", 1.0))
        self.max_backoff_seconds = float(options.get("max_backoff_seconds", 60.0))
        self.video_poll_seconds = float(options.get("video_poll_seconds", 10.0))
        self.video_max_wait_seconds = float(options.get("video_max_wait_seconds", 600.0))
        self.check_timeout = float(options.get("check_timeout", 15.0))
        sleep = options.get("sleep")
        self.sleep: Callable[[float], None] = time.sleep if sleep is None else sleep
        jitter = options.get("random")
        self.random: Callable[[], float] = random.random if jitter is None else jitter
        self._client: genai.Client | None = None

    @property
    def model(self) -> str:
        return self.model_id

    @property
    def label(self) -> str:  # type: ignore[override]  # per instance: the label follows the configured model
        return model_label(self.model_id.removeprefix("models/"))

    @property
    def client(self) -> genai.Client:
        """The SDK client, made on first use (no network until a request)."""
        if self._client is None:
            self._client = genai.Client(
                vertexai=False,
                api_key=self.api_key,
                http_options=types.HttpOptions(
                    base_url=self.base_url,
                    api_version=self.api_version,
                    timeout=int(self.timeout * 1000),  # the SDK takes milliseconds
                    # One attempt per call: the loop in _call owns retries, so their count is exact.
                    retry_options=types.HttpRetryOptions(attempts=1),
                ),
            )
        return self._client

    # -- images -----------------------------------------------------------------------------------------------

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        if not prompt.strip():
            raise ProviderError("the prompt is empty; say what the image should show")
        if size is not None and (len(size) != 2 or min(size) < 1):
            raise ProviderError(f"an image size must be two positive numbers of pixels, not {size!r}")
        ratio = self._ratio_for(size=size, aspect_ratio=aspect_ratio)
        contents = [types.Content(role="user", parts=[types.Part.from_text(text=prompt)])]
        made = self._make_image(
            contents=contents,
            aspect_ratio=ratio,
            progress=progress,
            sent={
                "prompt_sha256": _sha256(prompt),
                "input_images": 0,
                "history_turns": 0,
                "aspect_ratio": ratio,
                "model": self.model_id,
            },
        )
        if size is not None and made.image.size != tuple(size):
            made.details["returned_size"] = list(made.image.size)
            made.image = ImageOps.fit(made.image, (int(size[0]), int(size[1])), Image.Resampling.LANCZOS)
        return made

    def edit(
        self,
        *,
        image: Image.Image,
        instruction: str,
        progress: ProgressCallback,
        plan: dict[str, Any] | None = None,
        images: Sequence[Image.Image] = (),
        mask: Image.Image | None = None,
        history: Sequence[Turn] = (),
    ) -> GeneratedImage:
        """Edit with the input images as inline PNG parts followed by the instruction; `history` goes first
        as earlier user and model turns (with their images) so "now make it blue" has its context.

        `plan` is the built-in engine's and `mask` has no Gemini counterpart: both are not sent."""
        if not instruction.strip():
            raise ProviderError("the instruction is empty; say what should change")
        inputs = [image, *images]
        contents = [turn_content for turn in history if (turn_content := self._turn_content(turn)) is not None]
        history_turns = len(contents)
        contents.append(
            types.Content(
                role="user",
                parts=[*(_image_part(item) for item in inputs), types.Part.from_text(text=instruction)],
            )
        )
        # Keep the photo's shape: Gemini otherwise may answer in a shape of its own choosing.
        ratio = nearest_aspect_ratio(image.width / image.height)
        return self._make_image(
            contents=contents,
            aspect_ratio=ratio,
            progress=progress,
            sent={
                "prompt_sha256": _sha256(instruction),
                "input_images": len(inputs),
                "history_turns": history_turns,
                "aspect_ratio": ratio,
                "model": self.model_id,
            },
        )

    def _turn_content(self, turn: Turn) -> types.Content | None:
        parts = [_image_part(item) for item in turn.images]
        if turn.text.strip():
            parts.append(types.Part.from_text(text=turn.text))
        if not parts:
            return None
        return types.Content(role=turn.role, parts=parts)

    def _ratio_for(self, *, size: tuple[int, int] | None, aspect_ratio: str | None) -> str | None:
        if aspect_ratio:
            wanted = aspect_ratio.strip()
            if wanted in SUPPORTED_ASPECT_RATIOS:
                return wanted
            return nearest_aspect_ratio(_parse_ratio(wanted))
        if size is not None:
            return nearest_aspect_ratio(size[0] / size[1])
        return None

    def _make_image(
        self,
        *,
        contents: list[types.Content],
        aspect_ratio: str | None,
        progress: ProgressCallback,
        sent: dict[str, Any],
    ) -> GeneratedImage:
        config = types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            image_config=types.ImageConfig(aspect_ratio=aspect_ratio) if aspect_ratio else None,
            # No tools are sent, so the SDK's function-calling loop has nothing to do.
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        progress(10, f"Sending the request to {self.label}")
        response, attempts = self._call(
            lambda: self.client.models.generate_content(model=self.model_id, contents=contents, config=config),
            progress=progress,
            what="make the image",
        )
        progress(90, f"Reading the answer from {self.label}")
        image, content_type, text, finish = self._read_image(response)
        details: dict[str, Any] = {"sent": sent, "attempts": attempts, "finish_reason": finish}
        if text:
            details["text"] = text
        return GeneratedImage(
            image=image, provider=self.name, model=self.model_id, details=details, content_type=content_type
        )

    def _read_image(self, response: types.GenerateContentResponse) -> tuple[Image.Image, str, str, str]:
        """The image, its MIME type, the model's words and the finish reason, or the refusal/answer raised."""
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            category = _category(feedback.safety_ratings)
            raise ProviderRefused(
                _BLOCKED_PROMPT_MESSAGE + _category_phrase(category), code="blocked_prompt", category=category
            )
        if not response.candidates:
            raise ProviderError("Gemini answered with no result at all; trying again may work", retryable=True)
        candidate = response.candidates[0]
        finish = _name(candidate.finish_reason)
        parts = candidate.content.parts if candidate.content is not None and candidate.content.parts else []
        text = "\n".join(part.text.strip() for part in parts if part.text and part.text.strip() and not part.thought)
        inline = next(
            (
                part.inline_data
                for part in parts
                if part.inline_data is not None
                and part.inline_data.data
                and (part.inline_data.mime_type or "").startswith("image/")
                and not part.thought
            ),
            None,
        )
        if inline is None or inline.data is None:
            refusal = _FINISH_REFUSALS.get(finish)
            if refusal is not None:
                category = _category(candidate.safety_ratings)
                code, message = refusal
                raise ProviderRefused(message + _category_phrase(category), code=code, category=category)
            if text:
                raise ProviderAnsweredText(text, provider=self.name, model=self.model_id)
            raise ProviderError(
                f"Gemini finished ({finish or 'no reason given'}) without an image or any words; trying again may work",
                retryable=True,
            )
        try:
            image = decode_image(inline.data)
        except ImageInputError as exc:
            raise ProviderError(
                f"Gemini returned an image that cannot be read ({exc}); nothing was saved. Trying again may work.",
                retryable=True,
            ) from exc
        return image, inline.mime_type or "image/png", text, finish

    # -- video --------------------------------------------------------------------------------------------------

    def generate_video(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        image: Image.Image | None = None,
        aspect_ratio: str | None = None,
        duration_seconds: int | None = None,
    ) -> GeneratedVideo:
        """Start a Veo job, poll it until it is done (at most `video_max_wait_seconds`), download the video.

        The installed google-genai refuses `models.generate_videos` for API keys of the Gemini Developer API
        (it only builds the Vertex request), so the job is started with the Developer API's own
        `predictLongRunning` body through the SDK's HTTP client (same key, base URL, timeout); polling and
        the download use the SDK's public `operations.get` and `files.download`.
        """
        if not prompt.strip() and image is None:
            raise ProviderError("a video needs a prompt or a first frame")
        if duration_seconds is not None and not 1 <= duration_seconds <= MAX_VIDEO_SECONDS:
            raise ProviderError(f"Veo makes videos of 1 to {MAX_VIDEO_SECONDS} seconds, not {duration_seconds}")
        ratio = None
        if aspect_ratio:
            ratio = aspect_ratio.strip()
            if ratio not in VIDEO_ASPECT_RATIOS:
                ratio = nearest_aspect_ratio(_parse_ratio(ratio), VIDEO_ASPECT_RATIOS)
        instance: dict[str, Any] = {"prompt": prompt}
        if image is not None:
            instance["image"] = {
                "bytesBase64Encoded": base64.b64encode(_png(image)).decode("ascii"),
                "mimeType": "image/png",
            }
        body: dict[str, Any] = {"instances": [instance]}
        parameters: dict[str, Any] = {}
        if ratio:
            parameters["aspectRatio"] = ratio
        if duration_seconds is not None:
            parameters["durationSeconds"] = duration_seconds
        if parameters:
            body["parameters"] = parameters
        video_label = model_label(self.video_model_id)

        progress(5, f"Sending the request to {video_label}")
        started, attempts = self._call(
            lambda: self.client._api_client.request(
                "post", f"models/{self.video_model_id}:predictLongRunning", body, None
            ),
            progress=progress,
            what="start the video",
        )
        operation = types.GenerateVideosOperation.from_api_response(
            json.loads(started.body or "{}"), is_vertex_ai=False
        )
        if not operation.name:
            raise ProviderError(f"{video_label} did not return a job to follow; trying again may work", retryable=True)
        waited = 0.0
        polls = 0
        while not operation.done:
            if waited >= self.video_max_wait_seconds:
                raise ProviderTimeout(
                    f"{video_label} did not finish the video within {_seconds(self.video_max_wait_seconds)}; "
                    "try again later"
                )
            self.sleep(self.video_poll_seconds)
            waited += self.video_poll_seconds
            polls += 1
            progress(min(90, 10 + int(80 * waited / self.video_max_wait_seconds)), f"{video_label} is making the video")
            operation, _ = self._call(
                functools.partial(self.client.operations.get, operation),
                progress=progress,
                what="follow the video job",
            )
        data, content_type = self._read_video(operation, video_label, progress)
        progress(100, "Video ready")
        return GeneratedVideo(
            data=data,
            content_type=content_type,
            provider=self.name,
            model=self.video_model_id,
            details={
                "sent": {
                    "prompt_sha256": _sha256(prompt),
                    "input_images": 0 if image is None else 1,
                    "history_turns": 0,
                    "aspect_ratio": ratio,
                    "duration_seconds": duration_seconds,
                    "model": self.video_model_id,
                },
                "attempts": attempts,
                "polls": polls,
                "operation": operation.name,
            },
        )

    def _read_video(
        self, operation: types.GenerateVideosOperation, video_label: str, progress: ProgressCallback
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
            data, _ = self._call(
                lambda: self.client.files.download(file=video), progress=progress, what="download the video"
            )
        content_type = video.mime_type or "video/mp4"
        if not _looks_like_video(data):
            raise ProviderError(
                f"{video_label} returned a file that is not a video ({len(data)} bytes); nothing was saved",
                retryable=True,
            )
        return data, content_type

    # -- checks and calls ---------------------------------------------------------------------------------------

    def check(self) -> str:
        """Read the image model's description (no generation): proves the key, the address and the model.
        One try, and at most `check_timeout` seconds, so listing providers never hangs on a dead address."""
        timeout = min(self.timeout, self.check_timeout)
        config = types.GetModelConfig(http_options=types.HttpOptions(timeout=int(timeout * 1000)))
        self._call(
            lambda: self.client.models.get(model=self.model_id, config=config),
            progress=None,
            what="answer",
            retries=0,
            timeout=timeout,
        )
        return f"ok: {self.model_id}"

    def _call(
        self,
        request: Callable[[], _T],
        *,
        progress: ProgressCallback | None,
        what: str,
        retries: int | None = None,
        timeout: float | None = None,
    ) -> tuple[_T, int]:
        """Run one SDK request with our bounded retries; returns its result and how many tries it took."""
        allowed = self.retries if retries is None else retries
        waited_at_most = self.timeout if timeout is None else timeout
        attempt = 0
        while True:
            attempt += 1
            try:
                return request(), attempt
            except genai_errors.APIError as exc:
                if exc.code not in _RETRYABLE_STATUS:
                    raise self._refused_call(exc, what) from exc
                delay = self._retry_delay(exc, attempt)
                if attempt > allowed or delay is None:
                    raise self._exhausted(exc, what, attempt, delay) from exc
            except _TIMEOUT_ERRORS as exc:
                raise ProviderTimeout(
                    f"Gemini did not {what} within {_seconds(waited_at_most)} (it may be overloaded); try again later",
                    retryable=True,
                ) from exc
            except _TRANSPORT_ERRORS as exc:
                if attempt > allowed:
                    raise ProviderError(
                        f"could not reach Gemini at {self._host()} ({type(exc).__name__}: {exc}) "
                        f"after {attempt} {'try' if attempt == 1 else 'tries'}",
                        retryable=True,
                    ) from exc
                delay = self._backoff(attempt)
            except genai_errors.UnknownApiResponseError as exc:
                raise ProviderError(f"Gemini sent an answer that is not valid JSON ({exc})", retryable=True) from exc
            if progress is not None:
                progress(10, f"Gemini is busy; trying again in {delay:.0f} s")
            self.sleep(delay)

    def _backoff(self, attempt: int) -> float:
        base = self.backoff_seconds * 2 ** (attempt - 1)
        return min(self.max_backoff_seconds, base * (1 + 0.5 * self.random()))

    def _retry_delay(self, exc: genai_errors.APIError, attempt: int) -> float | None:
        """How long to wait before the next try: what the service asked for, else the backoff. None when it
        asks for longer than `max_backoff_seconds` (then waiting here is worse than failing now)."""
        asked = _asked_delay(exc)
        if asked is None:
            return self._backoff(attempt)
        return asked if asked <= self.max_backoff_seconds else None

    def _exhausted(self, exc: genai_errors.APIError, what: str, attempts: int, delay: float | None) -> ProviderError:
        busy = "is rate-limiting requests" if exc.code == 429 else f"is unavailable ({exc.code})"
        if delay is None:
            wait = _seconds(_asked_delay(exc) or 0)
            return ProviderError(f"Gemini {busy} and asks to wait {wait}; try again later", retryable=True)
        tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
        status = f" {exc.status}" if exc.status else ""
        if exc.code == 429:
            return ProviderError(
                f"Gemini {busy} (429{status}) and still was after {tries}; try again later", retryable=True
            )
        return ProviderError(
            f"Gemini could not {what}: {exc.code}{status} after {tries} ({exc.message or 'no details'}); "
            "try again later",
            retryable=True,
        )

    def _refused_call(self, exc: genai_errors.APIError, what: str) -> ProviderError:
        reasons = _error_reasons(exc)
        message = exc.message or "no details"
        if "API_KEY_INVALID" in reasons or exc.code in (401, 403):
            return ProviderError(
                f"Gemini refused the API key ({exc.code} {', '.join(sorted(reasons)) or exc.status}: {message}); "
                "check NANOBANANAS_GEMINI_API_KEY"
            )
        if exc.code == 404:
            return ProviderError(f"Gemini at {self._host()} does not offer this model or job: {message}")
        return ProviderError(f"Gemini did not accept the request to {what} ({exc.code} {exc.status}: {message})")

    def _host(self) -> str:
        if not self.base_url:
            return "generativelanguage.googleapis.com"
        return urlsplit(self.base_url).netloc or self.base_url


def _asked_delay(exc: genai_errors.APIError) -> float | None:
    """The wait the service asked for: the Retry-After header (seconds or a date), else the RetryInfo detail
    in the error body ("retryDelay": "26s"), which is how the Gemini API usually says it."""
    response = getattr(exc, "response", None)
    asked = retry_after_seconds(getattr(response, "headers", None))
    if asked is not None:
        return asked
    for detail in _error_details(exc):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = re.fullmatch(r"(\d+(?:\.\d+)?)s", str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _error_details(exc: genai_errors.APIError) -> list[dict[str, Any]]:
    body = exc.details if isinstance(exc.details, dict) else {}
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, dict) else None
    return [detail for detail in details or [] if isinstance(detail, dict)]


def _error_reasons(exc: genai_errors.APIError) -> set[str]:
    return {str(detail["reason"]) for detail in _error_details(exc) if detail.get("reason")}


def _looks_like_video(data: bytes) -> bool:
    """An MP4/MOV (an `ftyp` box first) or a WebM/Matroska file (EBML magic)."""
    return (len(data) >= 12 and data[4:8] == b"ftyp") or data[:4] == b"\x1a\x45\xdf\xa3"
