"""Human names for models, for "made with …" under each image and for `nanobananas providers`."""

from __future__ import annotations

import re

__all__ = ["made_with", "model_label"]

_KNOWN = {
    "gemini-2.5-flash-image": "Gemini 2.5 Flash Image",
    "gemini-2.5-flash-image-preview": "Gemini 2.5 Flash Image",
    "gpt-image-1": "OpenAI GPT Image 1",
    "gpt-image-1-mini": "OpenAI GPT Image 1 Mini",
    "dall-e-3": "OpenAI DALL·E 3",
    "dall-e-2": "OpenAI DALL·E 2",
}
_LOCAL_PROVIDERS = {"", "builtin", "fake"}
_UPPER = {"gpt": "GPT", "ai": "AI", "llm": "LLM"}


def model_label(model: str) -> str:
    """ "gemini-2.5-flash-image" -> "Gemini 2.5 Flash Image"; unknown ids are title-cased word by word."""
    if model in _KNOWN:
        return _KNOWN[model]
    words = [word for word in re.split(r"[-_/\s]+", model) if word]
    label = " ".join(_UPPER.get(word.lower(), word if word[:1].isdigit() else word.capitalize()) for word in words)
    if model.startswith(("gpt-", "dall-e")) and not label.startswith("OpenAI"):
        label = f"OpenAI {label}"
    return label or "an AI model"


def made_with(provider: str, model: str) -> str:
    """The line shown under an image: where it was made."""
    if provider in _LOCAL_PROVIDERS:
        return "made on this server"
    return f"made with {model_label(model)}"
