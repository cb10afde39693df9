"""The provider interface: a small class with capability flags and one method per capability."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from PIL import Image

__all__ = [
    "ClarificationNeeded",
    "GeneratedImage",
    "ImageProvider",
    "ProgressCallback",
    "ProviderError",
    "ProviderRefused",
]

ProgressCallback = Callable[[int, str], None]
"""Called with (percent 0-100, stage in plain words) while a provider works."""


class ProviderError(Exception):
    """The provider failed. `retryable` separates a busy service from a request that can never work."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderRefused(Exception):
    """The provider will not or cannot do this request; the message says why, for the user."""


class ClarificationNeeded(Exception):
    """The request was not understood; ask the user `question` and offer `suggestions`."""

    def __init__(self, question: str, suggestions: list[str]) -> None:
        super().__init__(question)
        self.question = question
        self.suggestions = suggestions


@dataclass
class GeneratedImage:
    image: Image.Image
    provider: str
    model: str
    details: dict[str, Any] = field(default_factory=dict)


class ImageProvider:
    """Base class. Subclasses set their capability flags and implement what they claim."""

    name: ClassVar[str] = "base"
    can_generate: ClassVar[bool] = False
    can_edit: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.options = options

    def generate(
        self, *, prompt: str, progress: ProgressCallback, size: tuple[int, int] | None = None
    ) -> GeneratedImage:
        """Make an image for `prompt`; `size` (width, height), when given, is the size to return."""
        raise ProviderRefused(f"the {self.name} provider cannot make images from a prompt")

    def edit(
        self,
        *,
        image: Image.Image,
        instruction: str,
        progress: ProgressCallback,
        plan: dict[str, Any] | None = None,
    ) -> GeneratedImage:
        """Change `image` as `instruction` says; `plan`, when given, is a stored plan to run again."""
        raise ProviderRefused(f"the {self.name} provider cannot edit images")
