"""A deterministic provider for tests: instant (or slow on request) generation, scriptable refusals and failures.

Edits are the built-in engine's (offline and fast), so tests check real pixels.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from typing import Any

from PIL import Image, ImageDraw, ImageOps

from nanobananas.providers.base import (
    GeneratedImage,
    ImageProvider,
    ProgressCallback,
    ProviderAnsweredText,
    ProviderError,
    ProviderRefused,
    Turn,
)
from nanobananas.providers.builtin import BuiltinProvider

__all__ = ["FakeCloudProvider", "FakeProvider"]


class FakeProvider(BuiltinProvider):
    """Draws a colour derived from the prompt. OPTIONS: size, refuse_words, fail_words, and sleep_seconds
    (every generate and edit call first waits this long, like a slow remote model)."""

    name = "fake"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        width, height = options.get("size", (64, 48))
        self.size = (int(width), int(height))
        self.refuse_words: list[str] = list(options.get("refuse_words", []))
        self.fail_words: list[str] = list(options.get("fail_words", []))
        self.sleep_seconds = float(options.get("sleep_seconds", 0))

    def _check(self, text: str) -> None:
        if self.sleep_seconds:
            time.sleep(self.sleep_seconds)
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


class FakeCloudProvider(ImageProvider):
    """Stands in for a third-party generative service in studio tests, offline and instant.

    It records every call with exactly what it was given (`calls`), so tests can check what would
    have left the server. OPTIONS: model, refuse_words (-> ProviderRefused with `refuse_code`),
    text_words (-> a text-only answer), fail_words (-> a retryable ProviderError).
    """

    name = "fakecloud"
    label = "Fake Cloud Image"
    third_party = True
    can_generate = True
    can_edit = True
    can_edit_many = True
    can_chat = True

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.calls: list[dict[str, Any]] = []

    @property
    def model(self) -> str:
        return str(self.options.get("model", "fake-cloud-1"))

    def check(self) -> str:
        if self.options.get("check_error"):
            raise ProviderError(str(self.options["check_error"]))
        return f"ok: {self.model}"

    def _check(self, text: str) -> None:
        lowered = text.lower()
        if any(word in lowered for word in self.options.get("refuse_words", [])):
            raise ProviderRefused(
                "The image service declined this request.",
                code=str(self.options.get("refuse_code", "image_safety")),
                category=str(self.options.get("refuse_category", "")),
            )
        if any(word in lowered for word in self.options.get("text_words", [])):
            raise ProviderAnsweredText(
                "I can describe it, but I did not make a picture.", provider=self.name, model=self.model
            )
        if any(word in lowered for word in self.options.get("fail_words", [])):
            raise ProviderError("the image service is busy", retryable=True)

    def _sent(self, prompt: str, inputs: int, history: int = 0) -> dict[str, Any]:
        return {
            "prompt_sha256": hashlib.sha256(prompt.encode()).hexdigest(),
            "input_images": inputs,
            "history_turns": history,
            "model": self.model,
        }

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        self.calls.append({"kind": "generate", "prompt": prompt, "size": size, "aspect_ratio": aspect_ratio})
        self._check(prompt)
        width, height = size or (96, 64)
        digest = hashlib.sha256(prompt.encode()).digest()
        image = Image.new("RGB", (width, height), (digest[0], digest[1], digest[2]))
        return GeneratedImage(
            image=image, provider=self.name, model=self.model, details={"sent": self._sent(prompt, 0)}
        )

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
        self.calls.append(
            {
                "kind": "edit",
                "instruction": instruction,
                "image": image.copy(),
                "images": [extra.copy() for extra in images],
                "mask": mask is not None,
                "history": [(turn.role, turn.text, len(turn.images)) for turn in history],
            }
        )
        self._check(instruction)
        # A visible, checkable change: the colours inverted.
        edited = ImageOps.invert(image.convert("RGB"))
        return GeneratedImage(
            image=edited,
            provider=self.name,
            model=self.model,
            details={"sent": self._sent(instruction, 1 + len(images), len(history))},
        )
