"""The content screen: what the studio asks before it stores a turn or a result, provided by a higher app.

The studio makes and stores content; the moderation app reviews it, and knows the studio's models to do so.
So the studio must not import moderation: it asks `content_screen()` here, and the moderation app registers
its screen from `ModerationConfig.ready()` with `content_screen_register`. With no screen registered the
studio refuses to work (`ImproperlyConfigured`), so content is never stored unreviewed by mistake.

The screen's answers are duck-typed (`TurnScreening`, `ResultScreening`, `RefusalVerdict`): this module
imports no app of the product.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "ContentScreen",
    "RefusalVerdict",
    "ResultScreening",
    "TurnScreening",
    "content_screen",
    "content_screen_register",
]


class TurnScreening(Protocol):
    """The verdicts on a turn that may be stored (a blocked turn raised instead)."""

    def audit_details(self) -> dict[str, Any]: ...

    def queue(
        self,
        *,
        conversation_id: uuid.UUID,
        message_id: uuid.UUID,
        upload_ids: list[uuid.UUID],
        job_id: uuid.UUID | None,
    ) -> Any:
        """Once the turn is stored, in its transaction: flagged parts enter the review queue."""


class ResultScreening(Protocol):
    """The verdict on a result: `blocked` (with the `message` the refused job shows), or to be stored."""

    @property
    def blocked(self) -> bool: ...

    @property
    def message(self) -> str: ...

    def audit_details(self) -> dict[str, Any]: ...

    def queue(
        self, *, conversation_id: uuid.UUID, message_id: uuid.UUID, asset_id: uuid.UUID, job_id: uuid.UUID
    ) -> Any:
        """Once the result is stored, in its transaction: a flagged result enters the review queue."""


class RefusalVerdict(Protocol):
    @property
    def blocked(self) -> bool: ...

    def as_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ContentScreen:
    """The three questions the studio asks, each answered by the registered app.

    - turn(owner=, text=, images=, address_key=) -> TurnScreening: before a turn is stored; a blocked turn
      raises (a `DomainError`, shown to the person) and nothing of it may be stored.
    - result(owner=, job_id=, image=) -> ResultScreening: before a result is stored.
    - provider_refusal(owner=, job_id=, exc=) -> RefusalVerdict: a provider refused the job.
    """

    turn: Callable[..., TurnScreening]
    result: Callable[..., ResultScreening]
    provider_refusal: Callable[..., RefusalVerdict]


_SCREENS: list[ContentScreen] = []


def content_screen_register(screen: ContentScreen) -> None:
    """Set the deployment's content screen (from an `AppConfig.ready()`); registering it again is a no-op,
    registering a different one is an error: two apps would each think they screen the content."""
    if _SCREENS and _SCREENS[0] != screen:
        raise ImproperlyConfigured("a content screen is already registered; only one app may screen content")
    _SCREENS[:] = [screen]


def content_screen() -> ContentScreen:
    if not _SCREENS:
        raise ImproperlyConfigured(
            "no content screen is registered: the moderation app (nanobananas.moderation) must be installed"
        )
    return _SCREENS[0]
