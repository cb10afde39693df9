"""Exceptions raised by the engine.

    EngineError                  base of everything the engine raises on purpose
    +-- ImageInputError          the input image is unreadable, unsupported, empty or too large (CLI exit 2)
    +-- NeedsProviderError       the request needs a generative model the engine does not have (CLI exit 3)
    +-- PlanError                a plan names an unknown op or invalid parameters
    +-- OperationError           an op could not run on this image (e.g. nothing to crop)
        +-- ObjectNotFoundError  the thing a request names is not in the picture (CLI exit 3)
"""

from __future__ import annotations

__all__ = ["EngineError", "ImageInputError", "NeedsProviderError", "ObjectNotFoundError", "OperationError", "PlanError"]


class EngineError(Exception):
    """Base class: the message is written for the person who made the request."""


class ImageInputError(EngineError):
    """The input could not be accepted as an image."""


class NeedsProviderError(EngineError):
    """The request needs new content to be generated, which only a configured provider can do."""

    def __init__(self, message: str, *, capability: str = "generative-edit") -> None:
        super().__init__(message)
        self.capability = capability


class PlanError(EngineError):
    """A plan is not valid for the op registry."""


class OperationError(EngineError):
    """An op could not be carried out on the given image."""


class ObjectNotFoundError(OperationError):
    """The thing a request names ("the green ball") is not in the picture; the message says what was looked for."""
