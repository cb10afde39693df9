"""A person's learned design defaults (sizes per kind, palette, fonts) and how they are learned from kept designs.

The defaults fill in only what a design request leaves open: "make a poster" takes the person's usual
poster size and palette, while a size, a colour or a mood in the words always wins. Learning is plain
counting over the descriptions (`DesignSpec` dumps) of designs the person kept, newest first; the caller
decides which results count as kept.

The providers' `generate` interface is shared with cloud providers that choose their own look, so the
defaults reach the built-in renderer through `design_preferences_used`, set around the one call that
plans a design, instead of through every provider's signature; `render_design` reads them with
`current_design_preferences` when it is not given any.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MIN_SHARE",
    "MIN_TIMES",
    "DesignPreferences",
    "current_design_preferences",
    "design_preferences_used",
    "learn_design_preferences",
]

# A choice becomes a habit once it was kept at least this many times and in at least this share of the
# designs it competes with (a one-off square poster is not a preference).
MIN_TIMES = 2
MIN_SHARE = 0.5


@dataclass(frozen=True)
class DesignPreferences:
    """Learned defaults: size per design kind ("poster" -> (1080, 1080)), a palette name as the renderer
    names it ("ocean", "colours:navy-gold"), a font pairing name ("roboto"), and the provider most kept."""

    sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    palette: str | None = None
    fonts: str | None = None
    provider: str | None = None

    @property
    def empty(self) -> bool:
        return not self.sizes and self.palette is None and self.fonts is None and self.provider is None

    def size_for(self, kind: str) -> tuple[int, int] | None:
        return self.sizes.get(kind)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sizes": {kind: [width, height] for kind, (width, height) in sorted(self.sizes.items())},
            "palette": self.palette,
            "fonts": self.fonts,
            "provider": self.provider,
        }

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> DesignPreferences:
        sizes = value.get("sizes") or {}
        return cls(
            sizes={str(kind): (int(size[0]), int(size[1])) for kind, size in sizes.items()},
            palette=value.get("palette") or None,
            fonts=value.get("fonts") or None,
            provider=value.get("provider") or None,
        )


def _habit(values: list[Any]) -> Any:
    """The most common value when it is kept often enough to be a habit, else None."""
    if not values:
        return None
    value, times = Counter(values).most_common(1)[0]
    return value if times >= MIN_TIMES and times >= MIN_SHARE * len(values) else None


def _pairing_of(faces: Iterable[str]) -> str | None:
    """The font pairing whose faces include every face a design used."""
    from nanobananas.engine.render.fonts import PAIRINGS

    used = set(faces)
    if not used:
        return None
    for pairing in PAIRINGS.values():
        if used <= {pairing.display, pairing.body, pairing.label, pairing.accent}:
            return pairing.name
    return None


def learn_design_preferences(kept: Iterable[tuple[str, Mapping[str, Any] | None]]) -> DesignPreferences:
    """Learn from kept results, each (provider, design description or None for a result that is no design)."""
    sizes: dict[str, list[tuple[int, int]]] = {}
    palettes: list[str] = []
    pairings: list[str] = []
    providers: list[str] = []
    for provider, spec in kept:
        if provider:
            providers.append(provider)
        if not spec or not isinstance(spec.get("kind"), str):
            continue
        kind = spec["kind"]
        size = spec.get("size")
        if isinstance(size, list | tuple) and len(size) == 2:
            sizes.setdefault(kind, []).append((int(size[0]), int(size[1])))
        palette = spec.get("palette")
        if isinstance(palette, str) and palette and not palette.startswith("scene:"):
            palettes.append(palette)
        pairing = _pairing_of(spec.get("fonts") or [])
        if pairing is not None:
            pairings.append(pairing)
    learned_sizes = {kind: size for kind, values in sizes.items() if (size := _habit(values)) is not None}
    return DesignPreferences(
        sizes=learned_sizes, palette=_habit(palettes), fonts=_habit(pairings), provider=_habit(providers)
    )


_CURRENT: ContextVar[DesignPreferences | None] = ContextVar("design_preferences", default=None)


@contextmanager
def design_preferences_used(preferences: DesignPreferences | None) -> Iterator[None]:
    """Plan the designs made inside this block with `preferences` (None: the defaults as for anyone)."""
    token = _CURRENT.set(preferences)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_design_preferences() -> DesignPreferences | None:
    return _CURRENT.get()
