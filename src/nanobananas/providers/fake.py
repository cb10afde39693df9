"""A deterministic provider for tests: instant generation, scriptable refusals and failures.

Edits are the built-in engine's (offline and fast), so tests check real pixels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw

from nanobananas.providers.base import GeneratedImage, ProgressCallback, ProviderError, ProviderRefused, Turn
from nanobananas.providers.builtin import BuiltinProvider

__all__ = ["FakeProvider"]


class FakeProvider(BuiltinProvider):
    """Draws a colour derived from the prompt. OPTIONS: size, refuse_words, fail_words."""

    name = "fake"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        width, height = options.get("size", (64, 48))
        self.size = (int(width), int(height))
        self.refuse_words: list[str] = list(options.get("refuse_words", []))
        self.fail_words: list[str] = list(options.get("fail_words", []))

    def _check(self, text: str) -> None:
        lowered = text.lower()
        if any(word in lowered for word in self.refuse_words):
            raise ProviderRefused("the fake provider refuses this request")
        if any(word in lowered for word in self.fail_words):
            raise ProviderError("the fake provider failed", retryable=True)

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        self._check(prompt)
        progress(50, "Painting")
        width, height = size or self.size
        digest = hashlib.sha256(prompt.encode()).digest()
        image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
        ImageDraw.Draw(image).rectangle([0, 0, width // 2, height // 2], fill=(255, 255, 255))
        return GeneratedImage(image=image, provider=self.name, model="fake-1")

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
        self._check(instruction)
        return super().edit(image=image, instruction=instruction, progress=progress, plan=plan)
