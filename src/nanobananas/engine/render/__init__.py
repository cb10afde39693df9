"""Designed images from a prompt: posters, flyers, cards, social posts, thumbnails, and drawn scenes."""

from __future__ import annotations

import hashlib
import random

from PIL import Image

from nanobananas.engine.planner.preferences import DesignPreferences, current_design_preferences
from nanobananas.engine.render.design import RENDERER_VERSION, Design, DesignSpec
from nanobananas.engine.render.fonts import PAIRINGS, FontPairing
from nanobananas.engine.render.layouts import LAYOUTS, choose_layout
from nanobananas.engine.render.page import Page
from nanobananas.engine.render.palettes import COLOUR_WORDS, PALETTES, Palette, choose_palette
from nanobananas.engine.render.scenes import draw_scene
from nanobananas.engine.render.understand import DEFAULT_SIZES, Brief, DesignPromptError, understand

__all__ = ["MAX_PIXELS", "RENDERER_VERSION", "Design", "DesignPromptError", "DesignSpec", "render_design"]

MAX_PIXELS = 50_000_000
"""The largest canvas a design may ask for, the same ceiling the guarded decoder applies to uploads."""


def _seed(prompt: str) -> int:
    """A stable seed from the prompt's words, so the same prompt always draws the same image."""
    normal = " ".join(prompt.lower().split())
    return int.from_bytes(hashlib.sha256(normal.encode("utf-8")).digest()[:8], "big")


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if width < 16 or height < 16:
        raise DesignPromptError(f"A design must be at least 16x16 pixels, not {width}x{height}.")
    if width * height > MAX_PIXELS:
        raise DesignPromptError(f"{width}x{height} is larger than the {MAX_PIXELS // 1_000_000} MP limit.")
    return width, height


def _pairing(brief: Brief, seed: int, learned: str | None) -> FontPairing:
    if brief.kind == "certificate" or brief.mood == "elegant" or brief.theme == "wedding":
        return PAIRINGS["elegant"]
    if learned in PAIRINGS:
        return PAIRINGS[learned]
    choices = ("lato", "roboto", "source-sans")
    return PAIRINGS[choices[(seed >> 8) % len(choices)]]


def _learned_palette(name: str | None, seed: int) -> Palette | None:
    """The palette a person keeps, rebuilt from its name: a named palette or one made of colour words."""
    if name is None:
        return None
    if name in PALETTES:
        return PALETTES[name]
    if name.startswith("colours:"):
        words = tuple(name.removeprefix("colours:").split("-"))
        if all(word in COLOUR_WORDS for word in words):
            return choose_palette(colours=words, background=None, mood=None, theme="", seed=seed)
    return None


def render_design(
    prompt: str, *, size: tuple[int, int] | None = None, preferences: DesignPreferences | None = None
) -> Design:
    """Understand `prompt` and draw it; `size` (width, height) overrides the kind's default size.

    `preferences` (by default the ones set with `design_preferences_used`) fill in what the prompt leaves
    open: the person's usual size for this kind, their palette when no colour or mood is named, and their
    fonts. Raises DesignPromptError for an empty prompt or an impossible size, and NeedsProviderError for
    a picture of a thing ("a photo of a cat") that only an image-generation provider can draw.
    """
    brief = understand(prompt)
    seed = _seed(prompt)
    learned = preferences if preferences is not None else current_design_preferences()
    learned_size = learned.size_for(brief.kind) if learned is not None else None
    width, height = _check_size(size or brief.size or learned_size or DEFAULT_SIZES[brief.kind])
    open_colours = not brief.colours and brief.background is None and brief.mood is None
    kept_palette = _learned_palette(learned.palette, seed) if learned is not None and open_colours else None
    palette: Palette = kept_palette or choose_palette(
        colours=brief.colours, background=brief.background, mood=brief.mood, theme=brief.theme, seed=seed
    )
    if brief.kind in {"scene", "wallpaper"} and brief.scene is not None and not brief.title:
        image = draw_scene(brief.scene, width, height, seed)
        spec = DesignSpec(
            kind=brief.kind,
            title="",
            subtitle="",
            details=[],
            palette=f"scene:{brief.scene.name}",
            colors={},
            size=(width, height),
            layout="scene",
            fonts=[],
            scene=brief.scene.name,
            seed=seed,
        )
        return Design(image=image, spec=spec, text_boxes=())
    layout = choose_layout(brief, width, height, seed)
    if brief.scene is not None and layout == "scene-card":
        canvas = draw_scene(brief.scene, width, height, seed)
    else:
        canvas = Image.new("RGB", (width, height), palette.background)
    fonts = _pairing(brief, seed, learned.fonts if learned is not None else None)
    page = Page(image=canvas, palette=palette, fonts=fonts, rng=random.Random(seed))
    LAYOUTS[layout](page, brief)
    details = [*([brief.price] if brief.price else []), *brief.details]
    if brief.items:
        details += [f"{item.name} {item.price}".strip() for item in brief.items]
    spec = DesignSpec(
        kind=brief.kind,
        title=brief.title,
        subtitle=brief.subtitle,
        details=details,
        palette=palette.name,
        colors=palette.colours(),
        size=(width, height),
        layout=layout,
        fonts=page.faces,
        scene=brief.scene.name if brief.scene else None,
        seed=seed,
    )
    return Design(image=page.image, spec=spec, text_boxes=tuple(page.text_boxes))
