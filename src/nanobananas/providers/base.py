"""The provider interface: a small class with capability flags and one method per capability.

Built-in, fake and cloud providers (Gemini, OpenAI) all implement it, so the studio and the CLI never
know which one they talk to. Outcomes other than an image are exceptions with a distinct meaning:

- `ProviderRefused`: the provider will not do it (safety block, policy); `category` and `code` say why.
- `ProviderAnsweredText`: the model answered in words and made no image; the words go to the user.
- `ProviderError`: the provider failed (`retryable` when a later try may work); `ProviderTimeout` is one.
- `ClarificationNeeded`: the request was not understood; ask the user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from PIL import Image

__all__ = [
    "ClarificationNeeded",
    "GeneratedImage",
    "GeneratedVideo",
    "ImageProvider",
    "ProgressCallback",
    "ProviderAnsweredText",
    "ProviderError",
    "ProviderRefused",
    "ProviderTimeout",
    "Turn",
    "turn_signatures",
]

ProgressCallback = Callable[[int, str], None]
"""Called with (percent 0-100, stage in plain words) while a provider works."""


class ProviderError(Exception):
    """The provider failed. `retryable` separates a busy service from a request that can never work."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class ProviderTimeout(ProviderError):
    """The provider did not answer in time. Not retried by the providers: the image may still be in the
    making (and billed) at the provider, so the person decides whether to try again."""


class ProviderRefused(Exception):
    """The provider will not or cannot do this request; the message says why, for the user.

    `code` is machine-readable ("refused", "blocked_prompt", "image_safety", "prohibited_content",
    "no_image", "moderation_blocked", "third_party_disabled"); `category` is the content category when the
    provider named one (e.g. "sexual", "violence"), for the review pipeline.
    """

    def __init__(self, message: str, *, code: str = "refused", category: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.category = category


class ProviderAnsweredText(Exception):
    """The model answered with text and no image: a distinct outcome, shown to the user as the reply."""

    def __init__(self, text: str, *, provider: str, model: str) -> None:
        super().__init__(text)
        self.text = text
        self.provider = provider
        self.model = model


class ClarificationNeeded(Exception):
    """The request was not understood; ask the user `question` and offer `suggestions`."""

    def __init__(self, question: str, suggestions: list[str]) -> None:
        super().__init__(question)
        self.question = question
        self.suggestions = suggestions


@dataclass(frozen=True)
class Turn:
    """One earlier turn of a conversation, sent as context for multi-turn editing (oldest first)."""

    role: Literal["user", "model"]
    text: str = ""
    images: tuple[Image.Image, ...] = ()
    # What the provider asked to get back with this turn's pictures (Gemini 3's thought signatures, one per
    # picture, base64; "" for none), as the provider's own steps recorded them when it made the turn.
    signatures: tuple[str, ...] = ()


def turn_signatures(steps: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The signatures a provider recorded in a result's steps (`thought_signatures`), to hand back with it."""
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("thought_signatures"), list):
            return tuple(str(signature) for signature in step["thought_signatures"])
    return ()


@dataclass
class GeneratedImage:
    """A result image and who made it. For cloud providers `details["sent"]` records what was sent
    (the prompt's SHA-256, the number of input images, options), never the user's identity."""

    image: Image.Image
    provider: str
    model: str
    details: dict[str, Any] = field(default_factory=dict)
    content_type: str = "image/png"
    """The MIME type the provider returned (the studio stores pixels re-encoded; this is provenance)."""


@dataclass
class GeneratedVideo:
    """An encoded video as the provider returned it."""

    data: bytes
    content_type: str
    provider: str
    model: str
    details: dict[str, Any] = field(default_factory=dict)


class ImageProvider:
    """Base class. Subclasses set their capability flags and implement what they claim.

    `label` is what the user reads under a result ("made with Gemini 2.5 Flash Image"); `third_party`
    is True when images and prompts leave this server (then a user's "never send my content to
    third-party AI services" setting forbids using it).
    """

    name: ClassVar[str] = "base"
    label: ClassVar[str] = "this server"
    third_party: ClassVar[bool] = False
    can_generate: ClassVar[bool] = False
    can_edit: ClassVar[bool] = False
    can_edit_many: ClassVar[bool] = False
    """Accepts several input images in one edit (`images=`)."""
    can_chat: ClassVar[bool] = False
    """Uses the earlier turns of a conversation (`history=`); others are not sent them."""
    can_video: ClassVar[bool] = False

    def __init__(self, **options: Any) -> None:
        self.options = options

    @property
    def model(self) -> str:
        """The model this provider uses by default (shown by `nanobananas providers`)."""
        return str(self.options.get("model", ""))

    def generate(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        size: tuple[int, int] | None = None,
        aspect_ratio: str | None = None,
    ) -> GeneratedImage:
        """Make an image for `prompt`; `size` (width, height), when given, is the size to return;
        `aspect_ratio` ("16:9") is a hint for providers that choose the size themselves."""
        raise ProviderRefused(f"the {self.name} provider cannot make images from a prompt")

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
        """Change `image` as `instruction` says.

        `plan`, when given, is a stored plan to run again (built-in engine); `images` are further input
        images (a product and a scene); `mask` marks with alpha 0 the area that may change (the OpenAI
        convention); `history` is the conversation so far, for providers that edit in a chat.
        """
        raise ProviderRefused(f"the {self.name} provider cannot edit images")

    def generate_video(
        self,
        *,
        prompt: str,
        progress: ProgressCallback,
        image: Image.Image | None = None,
        aspect_ratio: str | None = None,
        duration_seconds: int | None = None,
    ) -> GeneratedVideo:
        """Make a short video from `prompt` (and a first frame `image`); long-running, polled."""
        raise ProviderRefused(f"the {self.name} provider cannot make videos")

    def check(self) -> str:
        """A cheap call proving the provider answers (lists models, no generation); a short status line.

        Raises ProviderError when it does not answer or the key is refused."""
        return "ok (runs on this server)"

    def describe(self) -> dict[str, Any]:
        """What `nanobananas providers` shows: never the key."""
        return {
            "name": self.name,
            "label": self.label,
            "model": self.model,
            "third_party": self.third_party,
            "capabilities": [
                capability
                for capability, flag in (
                    ("generate", self.can_generate),
                    ("edit", self.can_edit),
                    ("edit-many", self.can_edit_many),
                    ("chat", self.can_chat),
                    ("video", self.can_video),
                )
                if flag
            ],
        }
