"""What a design prompt was read into: the Brief (kind, words, colours, scene) and its parts; no reading here."""

from __future__ import annotations

from dataclasses import dataclass

from nanobananas.engine.errors import EngineError

__all__ = [
    "DEFAULT_SIZES",
    "Brief",
    "DesignPromptError",
    "MenuItem",
    "Scene",
]


class DesignPromptError(EngineError):
    """The prompt gives nothing to design from (empty, or no words at all)."""


DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "poster": (1414, 2000),
    "flyer": (1240, 1754),
    "invitation": (1500, 2100),
    "birthday-card": (1500, 2100),
    "card": (1500, 2100),
    "banner": (1920, 640),
    "sale-banner": (1920, 640),
    "instagram-post": (1080, 1080),
    "instagram-story": (1080, 1920),
    "youtube-thumbnail": (1280, 720),
    "facebook-cover": (1640, 624),
    "business-card": (1050, 600),
    "menu": (1240, 1754),
    "certificate": (2000, 1414),
    "wallpaper": (1920, 1080),
    "scene": (1600, 900),
}


@dataclass(frozen=True)
class Scene:
    """A landscape drawn procedurally, at a time of day."""

    landscape: str
    time: str

    @property
    def name(self) -> str:
        return f"{self.landscape}-{self.time}"


@dataclass(frozen=True)
class MenuItem:
    name: str
    price: str


@dataclass(frozen=True)
class Brief:
    """Everything read from one prompt, before any drawing."""

    kind: str
    title: str
    subtitle: str = ""
    kicker: str = ""
    details: tuple[str, ...] = ()
    price: str = ""
    name: str = ""
    age: str = ""
    theme: str = ""
    colours: tuple[str, ...] = ()
    background: str | None = None
    mood: str | None = None
    scene: Scene | None = None
    items: tuple[MenuItem, ...] = ()
    size: tuple[int, int] | None = None
    verbatim: bool = False
