"""OpenAI image provider: gpt-image models (or any OpenAI-compatible images API) through the `openai` SDK."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from PIL import Image, ImageOps

from nanobananas.providers.base import (
    GeneratedImage,
    ImageProvider,
    ProgressCallback,
    ProviderError,
    ProviderRefused,
    ProviderTimeout,
    Turn,
)
from nanobananas.providers.http import public_url, retry_after_seconds
from nanobananas.providers.labels import model_label
from nanobananas.providers.retry import Failure, RetryPolicy, call_with_retries, retryable_status

if TYPE_CHECKING:
    from openai import OpenAI

__all__ = ["MODERATION_MESSAGE", "OpenAIImageProvider", "supported_size"]

T = TypeVar("T")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
SUPPORTED_SIZES = {"square": (1024, 1024), "landscape": (1536, 1024), "portrait": (1024, 1536)}
QUALITIES = ("low", "medium", "high", "auto")
BACKGROUNDS = ("transparent", "opaque", "auto")
# Inputs larger than this are scaled down before sending: the model works at most at 1536 px, and a
# smaller upload sends no more of the person's picture than the edit needs.
MAX_INPUT_SIDE = 2048
MAX_EDIT_IMAGES = 16

MODERATION_MESSAGE = (
    "OpenAI's safety system declined this request, so no image was made. "
    "Rephrasing the request or using a different picture may work."
)


def supported_size(size: tuple[int, int] | None, aspect_ratio: str | None = None) -> str:
    """The size the images API accepts for a wanted size or aspect ratio ("auto" when neither is known)."""
    ratio = _ratio(size, aspect_ratio)
    if ratio is None:
        return "auto"
    # Halfway (geometrically) between square (1.0) and the 3:2 sizes (1.5) picks the nearer shape.
    threshold = 1.5**0.5
    if ratio >= threshold:
        width, height = SUPPORTED_SIZES["landscape"]
    elif ratio <= 1 / threshold:
        width, height = SUPPORTED_SIZES["portrait"]
    else:
        width, height = SUPPORTED_SIZES["square"]
    return f"{width}x{height}"


def _ratio(size: tuple[int, int] | None, aspect_ratio: str | None) -> float | None:
    if size is not None:
        width, height = size
        if width <= 0 or height <= 0:
            raise ProviderError(f"an image size must be positive, not {width}x{height}")
        return width / height
    if aspect_ratio:
        left, sep, right = aspect_ratio.partition(":")
        try:
            width_part, height_part = float(left), float(right)
        except ValueError:
            width_part = height_part = 0.0
        if not sep or width_part <= 0 or height_part <= 0:
            raise ProviderError(f"an aspect ratio looks like 16:9, not {aspect_ratio!r}")
        return width_part / height_part
    return None


def _crop_to_ratio(image: Image.Image, ratio: float) -> Image.Image:
    """The largest centred crop of `image` with `ratio` (width / height); never scales up."""
    width, height = image.size
    if abs(width / height - ratio) < 1e-3:
        return image
    if width / height > ratio:
        new_width = max(1, round(height * ratio))
        left = (width - new_width) // 2
        return image.crop((left, 0, left + new_width, height))
    new_height = max(1, round(width / ratio))
    top = (height - new_height) // 2
    return image.crop((0, top, width, top + new_height))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _for_upload(image: Image.Image) -> Image.Image:
    """An RGB or RGBA copy no larger than MAX_INPUT_SIDE on its long side."""
    if image.mode not in {"RGB", "RGBA"}:
        has_alpha = image.mode in {"LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
        image = image.convert("RGBA" if has_alpha else "RGB")
    if max(image.size) > MAX_INPUT_SIDE:
        image = image.copy()
        image.thumbnail((MAX_INPUT_SIDE, MAX_INPUT_SIDE), Image.Resampling.LANCZOS)
    return image


def _mask_png(mask: Image.Image, size: tuple[int, int]) -> bytes:
    """The mask as the images API wants it: a PNG the size of the first image whose alpha 0 marks the
    area to change (the same reading of a mask as the studio's)."""
    alpha = mask.convert("RGBA").getchannel("A")
    if alpha.size != size:
        alpha = alpha.resize(size, Image.Resampling.NEAREST)
    prepared = Image.new("RGBA", size, (0, 0, 0, 255))
    prepared.putalpha(alpha)
    return _png(prepared)


class OpenAIImageProvider(ImageProvider):
    """gpt-image-1 through the OpenAI images API.

    OPTIONS: api_key, base_url (None = api.openai.com), model ("gpt-image-1"), timeout (seconds per
    request), retries (extra tries after a 408, 409, 429, a 5xx or a lost connection), quality
    ("auto"), background ("auto"), check_timeout (15 seconds for `check()`), and the shared retry settings
    of `RetryPolicy.from_options` (backoff_seconds, max_backoff_seconds; for tests `sleep` and `random`).
    """

    name = "openai"
    third_party = True
    can_generate = True
    can_edit = True
    can_edit_many = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.api_key = str(options.get("api_key") or "")
        if not self.api_key:
            raise ImproperlyConfigured("the openai provider needs an API key (NANOBANANAS_OPENAI_API_KEY)")
        self.base_url = str(options.get("base_url") or DEFAULT_BASE_URL)
        self.model_id = str(options.get("model") or "gpt-image-1")
        self.timeout = float(options.get("timeout", 120))
        self.quality = str(options.get("quality") or "auto")
        self.background = str(options.get("background") or "auto")
        self.check_timeout = float(options.get("check_timeout", 15))
        self.retry_policy = RetryPolicy.from_options(options)
        self.retries = self.retry_policy.retries
        if self.timeout <= 0 or self.check_timeout <= 0:
            raise ImproperlyConfigured(
                f"the openai provider's timeouts must be positive, not {self.timeout} and {self.check_timeout}"
            )
        if self.retries < 0:
            raise ImproperlyConfigured(f"the openai provider's retries cannot be negative, not {self.retries}")
        if self.quality not in QUALITIES:
            raise ImproperlyConfigured(f"the openai provider's quality must be one of {', '.join(QUALITIES)}")
        if self.background not in BACKGROUNDS:
            raise ImproperlyConfigured(f"the openai provider's background must be one of {', '.join(BACKGROUNDS)}")
        self._client: OpenAI | None = None

    @property
    def model(self) -> str:
        return self.model_id

    @property
    def label(self) -> str:  # type: ignore[override]  # per instance: the label follows the configured model
        return model_label(self.model_id)

    @property
    def client(self) -> OpenAI:
        if self._client is None:
            from openai import OpenAI

            # The SDK's own retries are off: the shared retry loop counts tries exactly (see providers/retry.py).
            self._client = OpenAI(
                api_key=self.api_key,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=0,
            )
        return self._client

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        if not prompt.strip():
            raise ProviderError("a prompt is needed to make an image")
        api_size = supported_size(size, aspect_ratio)
        progress(10, "Sending the request to OpenAI")
        arguments: dict[str, Any] = {
            "model": self.model_id,
            "prompt": prompt,
            "size": api_size,
            "quality": self.quality,
            "background": self.background,
            "output_format": "png",
            "n": 1,
        }
        response = self._call(lambda: self.client.images.generate(**arguments))
        progress(90, "Reading the result")
        image, content_type = self._decode(response)
        if size is not None:
            image = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
        elif aspect_ratio:
            image = _crop_to_ratio(image, _ratio(None, aspect_ratio) or 1.0)
        return self._result(image, content_type, prompt=prompt, input_images=0, mask=False, size=api_size)

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
        """The images API has no chat: `history` is not sent, and `plan` (a built-in engine plan) is unused."""
        if not instruction.strip():
            raise ProviderError("an instruction is needed to edit an image")
        if 1 + len(images) > MAX_EDIT_IMAGES:
            raise ProviderError(f"OpenAI takes at most {MAX_EDIT_IMAGES} pictures in one edit, not {1 + len(images)}")
        first = _for_upload(image)
        uploads = [first, *(_for_upload(extra) for extra in images)]
        files = [(f"image-{index}.png", _png(upload), "image/png") for index, upload in enumerate(uploads, start=1)]
        api_size = supported_size(image.size)
        arguments: dict[str, Any] = {
            "model": self.model_id,
            "image": files,
            "prompt": instruction,
            "size": api_size,
            "quality": self.quality,
            "background": self.background,
            "output_format": "png",
            "n": 1,
        }
        if mask is not None:
            arguments["mask"] = ("mask.png", _mask_png(mask, first.size), "image/png")
        progress(10, "Sending the images to OpenAI")
        response = self._call(lambda: self.client.images.edit(**arguments))
        progress(90, "Reading the result")
        result, content_type = self._decode(response)
        # The edited picture keeps the size of the picture the person gave.
        result = ImageOps.fit(result, image.size, Image.Resampling.LANCZOS)
        return self._result(
            result, content_type, prompt=instruction, input_images=len(uploads), mask=mask is not None, size=api_size
        )

    def check(self) -> str:
        # Listing providers must not hang for a whole generation timeout on a dead endpoint.
        timeout = min(self.timeout, self.check_timeout)
        try:
            found = self._call(lambda: self.client.models.retrieve(self.model_id, timeout=timeout), retries=0)
        except ProviderTimeout:
            raise ProviderTimeout(f"OpenAI did not answer within {timeout:g} seconds", retryable=True) from None
        return f"ok: {found.id}"

    def describe(self) -> dict[str, Any]:
        description = super().describe()
        description["base_url"] = public_url(self.base_url)
        return description

    def _result(
        self, image: Image.Image, content_type: str, *, prompt: str, input_images: int, mask: bool, size: str
    ) -> GeneratedImage:
        return GeneratedImage(
            image=image,
            provider=self.name,
            model=self.model_id,
            content_type=content_type,
            details={
                "sent": {
                    "prompt_sha256": hashlib.sha256(prompt.encode()).hexdigest(),
                    "input_images": input_images,
                    "mask": mask,
                    "size": size,
                    "quality": self.quality,
                    "model": self.model_id,
                }
            },
        )

    def _decode(self, response: Any) -> tuple[Image.Image, str]:
        from nanobananas.engine.errors import ImageInputError
        from nanobananas.engine.safety import decode_image

        data = getattr(response, "data", None) or []
        encoded = getattr(data[0], "b64_json", None) if data else None
        if not encoded:
            raise ProviderError("OpenAI answered without an image", retryable=True)
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError("OpenAI returned image data that is not valid base64", retryable=True) from None
        try:
            image = decode_image(raw)
        except ImageInputError as error:
            raise ProviderError(f"OpenAI returned an image that cannot be read: {error}", retryable=True) from None
        output_format = getattr(response, "output_format", None) or "png"
        return image, f"image/{output_format}"

    def _call(self, request: Callable[[], T], *, retries: int | None = None) -> T:
        """Run `request` under the shared retry policy: 408, 409, 429, 5xx and lost connections are tried
        again; SDK errors become ours.

        A timeout is not repeated: the image may still be in the making (and billed) at OpenAI, and the
        person has already waited the whole timeout."""
        result, _ = call_with_retries(
            request,
            policy=self.retry_policy,
            classify=self._classify,
            give_up=_give_up,
            retries=retries,
            label="openai",
        )
        return result

    def _classify(self, error: Exception) -> Failure | None:
        import openai

        if isinstance(error, openai.APITimeoutError):
            return Failure(ProviderTimeout(f"OpenAI did not answer within {self.timeout:g} seconds", retryable=True))
        if isinstance(error, openai.APIConnectionError):
            return Failure(ProviderError(f"OpenAI could not be reached: {error.message}", retryable=True), retry=True)
        if isinstance(error, openai.APIStatusError):
            failure = self._status_failure(error)
            return Failure(failure, retry=failure.retryable, asked=retry_after_seconds(error.response.headers))
        return None

    def _status_failure(self, error: Any) -> ProviderError:
        status = int(error.status_code)
        message = _provider_message(error)
        if status == 400 and error.code in {"moderation_blocked", "content_policy_violation"}:
            raise ProviderRefused(MODERATION_MESSAGE, code="moderation_blocked") from None
        if status == 401:
            return ProviderError("OpenAI did not accept the API key: check NANOBANANAS_OPENAI_API_KEY")
        if status == 403:
            return ProviderError(f"OpenAI refused access to {self.model_id}: {message}")
        if status == 404:
            return ProviderError(f"OpenAI does not offer the model {self.model_id!r} to this key: {message}")
        if status == 429:
            return ProviderError(f"OpenAI is rate limiting requests: {message}", retryable=True)
        if status in {408, 409}:
            return ProviderError(f"OpenAI could not finish the request ({status}): {message}", retryable=True)
        if status >= 500:
            failure = f"OpenAI had a server error ({status}): {message}"
            return ProviderError(failure, retryable=retryable_status(status))
        return ProviderError(f"OpenAI rejected the request: {message}")


def _provider_message(error: Any) -> str:
    body = getattr(error, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"]:
        return str(body["message"])
    return str(getattr(error, "message", "") or error)


def _give_up(failure: Failure, attempts: int, delay: float | None) -> ProviderError:
    if delay is None:
        return ProviderError(
            f"{failure.error} (OpenAI asks to wait {failure.asked or 0:.0f} seconds before trying again)",
            retryable=True,
        )
    if attempts > 1:
        return ProviderError(f"{failure.error} (after {attempts} tries)", retryable=True)
    return failure.error
