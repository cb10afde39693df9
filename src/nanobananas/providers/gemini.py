"""The Gemini provider: images with Gemini 2.5 Flash Image ("nano banana") and videos with Veo, via google-genai.

What leaves this server is only what the feature needs: the prompt or instruction text, the input images
(re-encoded as PNG: pixels and colour profile, no EXIF, GPS or text chunks), earlier turns of the same chat,
and the wanted aspect ratio.
Nothing about the user is sent. `GeneratedImage.details["sent"]` records it without the content.

Retries follow the shared policy of `providers/retry.py` (the SDK's own are switched off, so `retries` is
exact): 408, 409, 429 and 5xx answers (not 501) and lost connections are tried again after an exponential
backoff with jitter, or after the delay the service asks for. A timeout is not retried: the request may
still be running on Gemini's side, and waiting `timeout` seconds again would keep the person waiting several
times as long for the same answer.

The request building lives in `gemini_content`, the reading of answers and errors in `gemini_answers`, Veo
in `gemini_video`; this module holds the provider and its calls.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from PIL import Image, ImageOps

from nanobananas.providers.base import (
    GeneratedImage,
    GeneratedVideo,
    ImageProvider,
    ProgressCallback,
    ProviderError,
    ProviderTimeout,
    Turn,
)
from nanobananas.providers.gemini_answers import asked_delay, error_reasons, image_signature, read_image
from nanobananas.providers.gemini_content import (
    MAX_INPUT_SIDE,
    SUPPORTED_ASPECT_RATIOS,
    nearest_aspect_ratio,
    png,
    png_part,
    sha256,
    turn_content,
    wanted_ratio,
)
from nanobananas.providers.gemini_video import video_generate
from nanobananas.providers.labels import model_label
from nanobananas.providers.retry import Failure, RetryPolicy, call_with_retries, retryable_status

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


def _seconds(value: float) -> str:
    return "1 second" if value == 1 else f"{value:g} seconds"


class GeminiProvider(ImageProvider):
    """Gemini through the google-genai SDK.

    OPTIONS: api_key (required), base_url (a proxy or a test server; None for Google's), model, video_model,
    timeout (seconds per request), retries (extra tries after a 429 or 5xx), api_version ("v1beta"),
    video_poll_seconds (10), video_max_wait_seconds (600), check_timeout (15), and the shared retry settings
    of `RetryPolicy.from_options`: backoff_seconds (1.0, doubled per try), max_backoff_seconds (60: a longer
    asked wait ends the tries), and for tests `sleep` (how to wait) and `random` (the jitter source).

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
        self.retry_policy = RetryPolicy.from_options(options)
        self.retries = self.retry_policy.retries
        if self.retries < 0:
            raise ProviderError(f"retries must be 0 or more, not {self.retries}")
        self.sleep: Callable[[float], None] = self.retry_policy.sleep
        self.api_version = str(options.get("api_version") or "v1beta")
        self.video_poll_seconds = float(options.get("video_poll_seconds", 10.0))
        self.video_max_wait_seconds = float(options.get("video_max_wait_seconds", 600.0))
        self.check_timeout = float(options.get("check_timeout", 15.0))
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
                    # One attempt per call: the shared retry loop owns retries, so their count is exact.
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
        ratio = wanted_ratio(size=size, aspect_ratio=aspect_ratio)
        contents = [types.Content(role="user", parts=[types.Part.from_text(text=prompt)])]
        made = self._make_image(
            contents=contents,
            aspect_ratio=ratio,
            progress=progress,
            sent={
                "prompt_sha256": sha256(prompt),
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
        as earlier user and model turns (with their images and the thought signatures Gemini 3 gave them) so
        "now make it blue" has its context.

        Each picture is sent once. The picture being edited is usually the model's own latest answer, already
        in the history: it is not sent again. When it is an older answer ("go back to version 2"), the
        history ends at that answer, so what came after it is not the context of this edit.

        `plan` is the built-in engine's and `mask` has no Gemini counterpart: both are not sent."""
        if not instruction.strip():
            raise ProviderError("the instruction is empty; say what should change")
        inputs = [image, *images]
        turns = list(history)
        turn_pictures = [[png(item) for item in turn.images] for turn in turns]
        wanted = [png(item) for item in inputs]
        answered = [at for at, turn in enumerate(turns) if turn.role == "model" and wanted[0] in turn_pictures[at]]
        if answered:
            turns, turn_pictures = turns[: answered[-1] + 1], turn_pictures[: answered[-1] + 1]
        contents = [
            content
            for turn, pictures in zip(turns, turn_pictures, strict=True)
            if (content := turn_content(turn, pictures=pictures)) is not None
        ]
        history_turns = len(contents)
        already = {data for pictures in turn_pictures for data in pictures}
        new_pictures = [data for at, data in enumerate(wanted) if data not in already and data not in wanted[:at]]
        contents.append(
            types.Content(
                role="user",
                parts=[*(png_part(data) for data in new_pictures), types.Part.from_text(text=instruction)],
            )
        )
        # Keep the photo's shape: Gemini otherwise may answer in a shape of its own choosing.
        ratio = nearest_aspect_ratio(image.width / image.height)
        return self._make_image(
            contents=contents,
            aspect_ratio=ratio,
            progress=progress,
            sent={
                "prompt_sha256": sha256(instruction),
                "input_images": len(inputs),
                "history_turns": history_turns,
                "images_sent": sum(len(pictures) for pictures in turn_pictures) + len(new_pictures),
                "aspect_ratio": ratio,
                "model": self.model_id,
            },
        )

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
        response, attempts = self.call(
            lambda: self.client.models.generate_content(model=self.model_id, contents=contents, config=config),
            progress=progress,
            what="make the image",
        )
        progress(90, f"Reading the answer from {self.label}")
        image, content_type, text, finish = read_image(response, provider=self.name, model=self.model_id)
        details: dict[str, Any] = {"sent": sent, "attempts": attempts, "finish_reason": finish}
        if text:
            details["text"] = text
        if signature := image_signature(response):
            # Gemini 3 wants it back with this picture on the chat's next turn; the studio keeps the steps
            # (sealed, with the picture) and hands them back as the turn's `signatures`.
            details["steps"] = [
                {"op": "gemini_turn", "version": 1, "model": self.model_id, "thought_signatures": [signature]}
            ]
        return GeneratedImage(
            image=image, provider=self.name, model=self.model_id, details=details, content_type=content_type
        )

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
        """Start a Veo job, poll it until it is done (at most `video_max_wait_seconds`), download the video."""
        return video_generate(
            self,
            prompt=prompt,
            progress=progress,
            image=image,
            aspect_ratio=aspect_ratio,
            duration_seconds=duration_seconds,
        )

    # -- checks and calls ---------------------------------------------------------------------------------------

    def check(self) -> str:
        """Read the image model's description (no generation): proves the key, the address and the model.
        One try, and at most `check_timeout` seconds, so listing providers never hangs on a dead address."""
        timeout = min(self.timeout, self.check_timeout)
        config = types.GetModelConfig(http_options=types.HttpOptions(timeout=int(timeout * 1000)))
        self.call(
            lambda: self.client.models.get(model=self.model_id, config=config),
            progress=None,
            what="answer",
            retries=0,
            timeout=timeout,
        )
        return f"ok: {self.model_id}"

    def call(
        self,
        request: Callable[[], _T],
        *,
        progress: ProgressCallback | None,
        what: str,
        retries: int | None = None,
        timeout: float | None = None,
    ) -> tuple[_T, int]:
        """Run one SDK request under the shared retry policy; returns its result and how many tries it took."""
        waited_at_most = self.timeout if timeout is None else timeout

        def classify(exc: Exception) -> Failure | None:
            if isinstance(exc, genai_errors.APIError):
                if not retryable_status(exc.code):
                    return Failure(self._refused_call(exc, what), cause=exc)
                busy = ProviderError(f"Gemini answered {exc.code}", retryable=True)
                return Failure(busy, retry=True, asked=asked_delay(exc), cause=exc)
            if isinstance(exc, _TIMEOUT_ERRORS):
                return Failure(
                    ProviderTimeout(
                        f"Gemini did not {what} within {_seconds(waited_at_most)} (it may be overloaded); "
                        "try again later",
                        retryable=True,
                    )
                )
            if isinstance(exc, _TRANSPORT_ERRORS):
                unreachable = f"could not reach Gemini at {self._host()} ({type(exc).__name__}: {exc})"
                return Failure(ProviderError(unreachable, retryable=True), retry=True)
            if isinstance(exc, genai_errors.UnknownApiResponseError):
                return Failure(ProviderError(f"Gemini sent an answer that is not valid JSON ({exc})", retryable=True))
            return None

        def waiting(delay: float) -> None:
            if progress is not None:
                progress(10, f"Gemini is busy; trying again in {delay:.0f} s")

        return call_with_retries(
            request,
            policy=self.retry_policy,
            classify=classify,
            give_up=functools.partial(self._exhausted, what=what),
            retries=retries,
            waiting=waiting,
            label="gemini",
        )

    def _exhausted(self, failure: Failure, attempts: int, delay: float | None, *, what: str) -> ProviderError:
        """The error once the tries have run out (`delay` None: Gemini asked for too long a wait)."""
        tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
        exc = failure.cause
        if not isinstance(exc, genai_errors.APIError):
            return ProviderError(f"{failure.error} after {tries}", retryable=True)
        busy = "is rate-limiting requests" if exc.code == 429 else f"is unavailable ({exc.code})"
        if delay is None:
            wait = _seconds(failure.asked or 0)
            return ProviderError(f"Gemini {busy} and asks to wait {wait}; try again later", retryable=True)
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
        reasons = error_reasons(exc)
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
