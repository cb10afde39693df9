"""Reading Gemini's answers: an image, words or a refusal; and of an API error, its reasons and the wait it asks for."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from typing import Any, Final

from google.genai import errors as genai_errors
from google.genai import types
from PIL import Image

from nanobananas.engine.errors import ImageInputError
from nanobananas.engine.safety import decode_image
from nanobananas.providers.base import ProviderAnsweredText, ProviderError, ProviderRefused
from nanobananas.providers.http import retry_after_seconds

__all__ = [
    "asked_delay",
    "error_reasons",
    "image_signature",
    "read_image",
]

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


def read_image(
    response: types.GenerateContentResponse, *, provider: str, model: str
) -> tuple[Image.Image, str, str, str]:
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
    image_part = _image_part(parts)
    inline = image_part.inline_data if image_part is not None else None
    if inline is None or inline.data is None:
        refusal = _FINISH_REFUSALS.get(finish)
        if refusal is not None:
            category = _category(candidate.safety_ratings)
            code, message = refusal
            raise ProviderRefused(message + _category_phrase(category), code=code, category=category)
        if text:
            raise ProviderAnsweredText(text, provider=provider, model=model)
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


def _image_part(parts: Sequence[types.Part]) -> types.Part | None:
    """The answer's picture: its first image part that is not a thought."""
    return next(
        (
            part
            for part in parts
            if part.inline_data is not None
            and part.inline_data.data
            and (part.inline_data.mime_type or "").startswith("image/")
            and not part.thought
        ),
        None,
    )


def image_signature(response: types.GenerateContentResponse) -> str:
    """The thought signature Gemini 3 put on the answer's picture (base64, as the REST API writes it), or ""
    when there is none (Gemini 2.5). It has to go back with that picture on the next turn of the chat."""
    candidate = response.candidates[0] if response.candidates else None
    parts = candidate.content.parts if candidate and candidate.content and candidate.content.parts else []
    part = _image_part(parts)
    if part is None or not part.thought_signature:
        return ""
    return base64.b64encode(part.thought_signature).decode("ascii")


def asked_delay(exc: genai_errors.APIError) -> float | None:
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


def error_reasons(exc: genai_errors.APIError) -> set[str]:
    return {str(detail["reason"]) for detail in _error_details(exc) if detail.get("reason")}
