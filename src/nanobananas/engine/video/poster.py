"""Animated poster: a poster made here is laid out again from its stored plan, and its text enters line by line.

The layout is drawn once without its text (the background: panels, motifs, rules) while every piece of text
the layout inks is recorded (font file, size, place, colour). Each frame then draws the text again at the
video's scale with real glyphs, so it stays crisp; nothing is a scaled bitmap of letters. The rebuilt poster
is compared with the stored picture first, and a plan that does not rebuild that picture is refused.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from nanobananas.engine.ops._pixels import U8Array
from nanobananas.engine.video.spec import VideoError, VideoSpec

__all__ = ["MATCH_TOLERANCE", "AnimatedPoster", "TextPiece", "rebuild_poster"]

MATCH_TOLERANCE = 1.0
"""Mean difference (0-255 levels) above which a rebuilt poster is not the stored picture."""
ENTRANCE_SECONDS = 0.7
RISE = 0.06
"""How far below its place a line starts, as a share of the poster's height."""


@dataclass(frozen=True)
class TextPiece:
    """One `draw.text` call of the layout: where, what, in which font file and size, in which colour."""

    x: float
    y: float
    text: str
    font_path: str
    font_size: int
    fill: tuple[int, ...]


@dataclass
class _Recorder:
    """Stands in for ImageDraw on a page: text is recorded (one group per call site), the rest is drawn."""

    real: ImageDraw.ImageDraw
    group: list[TextPiece] = field(default_factory=list)

    def text(self, xy: tuple[float, float], text: str, *, font: ImageFont.FreeTypeFont, fill: Any, **_: Any) -> None:
        colour = tuple(fill) if isinstance(fill, tuple | list) else (fill, fill, fill)
        self.group.append(TextPiece(float(xy[0]), float(xy[1]), text, str(font.path), int(font.size), colour))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@dataclass
class Rebuilt:
    """A poster laid out again: its background without text, and its text in the order the layout inked it."""

    background: Image.Image
    groups: list[list[TextPiece]]

    def with_text(self) -> Image.Image:
        image = self.background.copy()
        draw = ImageDraw.Draw(image)
        for group in self.groups:
            for piece in group:
                font = _font(piece.font_path, piece.font_size)
                draw.text((piece.x, piece.y), piece.text, font=font, fill=piece.fill[:3])
        return image


@lru_cache(maxsize=128)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(1, size))


def _hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _layout(design: dict[str, Any], brief: Any, palette: Any, pairing: Any) -> Rebuilt:
    from nanobananas.engine.render.layouts import LAYOUTS
    from nanobananas.engine.render.page import Page
    from nanobananas.engine.render.scenes import draw_scene

    width, height = (int(v) for v in design["size"])
    seed = int(design["seed"])
    layout = str(design["layout"])
    if brief.scene is not None and layout == "scene-card":
        canvas = draw_scene(brief.scene, width, height, seed)
    else:
        canvas = Image.new("RGB", (width, height), palette.background)
    groups: list[list[TextPiece]] = []

    class RecordingPage(Page):
        @property
        def draw(self) -> ImageDraw.ImageDraw:
            recorder = _Recorder(ImageDraw.Draw(self.image))
            groups.append(recorder.group)
            return recorder  # type: ignore[return-value]  # duck-typed: draw_fitted only calls text and textbbox

    page = RecordingPage(image=canvas, palette=palette, fonts=pairing, rng=random.Random(seed))
    LAYOUTS[layout](page, brief)
    return Rebuilt(background=page.image, groups=[group for group in groups if group])


_KICKERS = {
    "invitation": ("You're invited",),
    "certificate": ("This certificate is proudly presented to",),
    "menu": ("Menu",),
}
MAX_CANDIDATES = 24
_MENU_ITEM = re.compile(r"(?P<name>.*[^\d\s.,$€£]\S*)\s+(?P<price>\d+(?:[.,]\d{1,2})?)")
"""A menu item as the plan lists it: "Carrot Cake Slice 4.50" (the price is the last word, a bare number)."""
_TURNING = re.compile(r"\bturning (\d{1,3})\b", re.IGNORECASE)


def _briefs(design: dict[str, Any]) -> list[Any]:
    """The briefs that may have drawn this design: from its prompt when the plan has it, else from its fields.

    A stored plan keeps the words but not the theme (which picks the motif), the kicker or which detail was a
    price, so the likely ones are tried in order: themes whose palette the plan names first, one per motif.
    Two things the plan keeps only inside its words are read back out of them: a menu's items, which the plan
    lists after the other details as "name price" (the menu layout sets them as a price list, not as detail
    lines), and a party's age, which the layout draws in a badge and the subtitle says as "turning 7".
    """
    from nanobananas.engine.render.brief import MenuItem
    from nanobananas.engine.render.motifs import _THEME_MOTIFS
    from nanobananas.engine.render.palettes import _THEME_PALETTES
    from nanobananas.engine.render.understand import Brief, understand

    prompt = design.get("prompt")
    if isinstance(prompt, str) and prompt.strip():
        return [understand(prompt)]
    details = tuple(str(d) for d in design.get("details", []))
    kind = str(design.get("kind", "poster"))
    subtitle = str(design.get("subtitle", ""))
    age = match.group(1) if (match := _TURNING.search(subtitle)) is not None else ""
    base = Brief(kind=kind, title=str(design.get("title", "")), subtitle=subtitle, details=details, age=age)
    splits = [base]
    if kind == "menu":
        # Where the items begin is not kept: a detail may read like an item ("Pepperoni 11"), so every start
        # within the run of item-like details at the end is tried, the longest run first.
        listed = 0
        while listed < len(details) and _MENU_ITEM.fullmatch(details[len(details) - 1 - listed]):
            listed += 1
        splits = [
            replace(
                base,
                details=details[: len(details) - count],
                items=tuple(_menu_item(MenuItem, detail) for detail in details[len(details) - count :]),
            )
            for count in range(listed, 0, -1)
        ] + splits
    palette = str(design.get("palette", ""))
    themes = sorted(_THEME_MOTIFS, key=lambda theme: _THEME_PALETTES.get(theme) != palette)
    motifs_seen: set[str] = set()
    ordered = [""]
    for theme in themes:
        if _THEME_MOTIFS[theme] not in motifs_seen:
            motifs_seen.add(_THEME_MOTIFS[theme])
            ordered.append(theme)
    if _THEME_PALETTES.get(ordered[1] if len(ordered) > 1 else "") == palette:
        ordered[0], ordered[1] = ordered[1], ordered[0]
    shapes = list(splits)
    shapes += [replace(split, kicker=kicker) for split in splits for kicker in _KICKERS.get(kind, ())]
    if details:
        shapes += [replace(shape, price=details[0], details=details[1:]) for shape in list(shapes)]
    return [replace(shape, theme=theme) for theme in ordered for shape in shapes][:MAX_CANDIDATES]


def _menu_item(make: Any, detail: str) -> Any:
    found = _MENU_ITEM.fullmatch(detail)
    assert found is not None
    return make(name=found.group("name"), price=found.group("price"))


def _palette(design: dict[str, Any]) -> Any:
    from nanobananas.engine.render.palettes import Palette

    colours = {role: _hex(value) for role, value in dict(design["colors"]).items()}
    return Palette(
        str(design.get("palette", "")),
        colours["background"],
        colours["surface"],
        colours["accent"],
        colours["ink"],
        colours["soft"],
        (colours["accent"], colours["surface"]),
    )


def _brief_palette(brief: Any, design: dict[str, Any], stored: Any) -> Any:
    """The renderer's own palette for this brief when it is the stored one (it has the extra colours the plan
    does not keep, such as balloons and confetti), else the palette rebuilt from the plan's colours."""
    from nanobananas.engine.render.palettes import choose_palette

    chosen = choose_palette(
        colours=brief.colours, background=brief.background, mood=brief.mood, theme=brief.theme, seed=int(design["seed"])
    )
    return chosen if chosen.colours() == stored.colours() else stored


def _pairing(design: dict[str, Any]) -> Any:
    from nanobananas.engine.render.fonts import PAIRINGS

    used = set(design.get("fonts", []))

    def overlap(pairing: Any) -> int:
        return len(used & {pairing.display, pairing.body, pairing.label, *vars(pairing).values()})

    return max(PAIRINGS.values(), key=overlap)


def _difference(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        b = b.resize(a.size, Image.Resampling.BILINEAR)
    return float(np.abs(np.asarray(a.convert("RGB"), np.int16) - np.asarray(b.convert("RGB"), np.int16)).mean())


def rebuild_poster(design: dict[str, Any], picture: Image.Image) -> Rebuilt:
    """Lay the poster out again from its plan and check that it is `picture`; VideoError("no_design") if not."""
    required = ("size", "seed", "layout", "colors", "title")
    if not isinstance(design, dict) or any(key not in design for key in required):
        raise VideoError(
            "An animated poster needs a poster designed here (its layout plan); this picture has none. "
            "Try a slow zoom instead.",
            code="no_design",
        )
    from nanobananas.engine.render.layouts import LAYOUTS

    if design["layout"] not in LAYOUTS:
        raise VideoError(
            f"The '{design['layout']}' design has no text layout to animate; try a slow zoom instead.", code="no_design"
        )
    try:
        stored, pairing = _palette(design), _pairing(design)
        best: tuple[float, Rebuilt] | None = None
        for brief in _briefs(design):
            rebuilt = _layout(design, brief, _brief_palette(brief, design, stored), pairing)
            score = _difference(rebuilt.with_text(), picture)
            if best is None or score < best[0]:
                best = (score, rebuilt)
            if score <= MATCH_TOLERANCE / 2:
                break
    except (KeyError, TypeError, ValueError) as exc:
        raise VideoError(f"This poster's plan cannot be read ({exc}).", code="no_design") from exc
    if best is None or best[0] > MATCH_TOLERANCE:
        raise VideoError(
            "This poster's layout could not be rebuilt from its plan (the picture was changed after it was made); "
            "try a slow zoom instead.",
            code="no_design",
        )
    return _on_picture(best[1], picture)


def _on_picture(rebuilt: Rebuilt, picture: Image.Image) -> Rebuilt:
    """The stored picture itself as the background, with the rebuilt (text-free) background only under the text.

    A rebuild from the plan's fields can differ from the poster in small decorations (a motif chosen by the
    theme the plan does not keep); this way the last frame is the poster everywhere but under the letters.
    """
    import cv2

    inked = np.asarray(rebuilt.with_text(), dtype=np.int16)
    plain = np.asarray(rebuilt.background, dtype=np.int16)
    text = (np.abs(inked - plain).sum(axis=2) > 0).astype(np.uint8) * 255
    grow = max(3, min(picture.size) // 200) | 1
    under = Image.fromarray(np.asarray(cv2.dilate(text, np.ones((grow, grow), np.uint8)), dtype=np.uint8))
    return Rebuilt(Image.composite(rebuilt.background, picture.convert("RGB"), under), rebuilt.groups)


def _ease_out(p: float) -> float:
    p = min(1.0, max(0.0, p))
    return 1 - (1 - p) ** 3


class AnimatedPoster:
    """The poster's background settles in, then each text line rises into place and fades in, in layout order."""

    def __init__(
        self, image: Image.Image, spec: VideoSpec, size: tuple[int, int], design: dict[str, Any] | None
    ) -> None:
        if design is None:
            raise VideoError(
                "An animated poster needs a poster designed here (its layout plan); this picture has none. "
                "Try a slow zoom instead.",
                code="no_design",
            )
        rebuilt = rebuild_poster(design, image)
        self.size = size
        width, height = size
        pw, ph = rebuilt.background.size
        self.scale = min(width / pw, height / ph)
        shown = (max(1, round(pw * self.scale)), max(1, round(ph * self.scale)))
        self.offset = ((width - shown[0]) / 2, (height - shown[1]) / 2)
        backdrop = _cover(rebuilt.background, size).filter(ImageFilter.GaussianBlur(max(4, min(size) // 30)))
        backdrop = Image.blend(backdrop, Image.new("RGB", size, (0, 0, 0)), 0.25)
        backdrop.paste(
            rebuilt.background.resize(shown, Image.Resampling.LANCZOS), (round(self.offset[0]), round(self.offset[1]))
        )
        self.base = backdrop
        self.groups = rebuilt.groups
        self.rise = RISE * shown[1]
        count = max(1, len(self.groups))
        self.entrance = min(ENTRANCE_SECONDS, 0.3 * spec.seconds)
        first = 0.15 * spec.seconds
        last_start = 0.65 * spec.seconds - self.entrance
        self.starts = [first + (last_start - first) * index / max(1, count - 1) for index in range(count)]
        self.settled = (self.starts[-1] if self.starts else 0.0) + self.entrance
        self._final: U8Array | None = None

    def frame(self, seconds: float) -> U8Array:
        if seconds >= self.settled and self._final is not None:
            return self._final
        frame = self.base.copy()
        draw = ImageDraw.Draw(frame, "RGBA")
        k = self.scale
        ox, oy = self.offset
        for start, group in zip(self.starts, self.groups, strict=True):
            p = (seconds - start) / self.entrance
            if p <= 0:
                continue
            lift = (1 - _ease_out(p)) * self.rise
            alpha = round(255 * min(1.0, p))
            for piece in group:
                font = _font(piece.font_path, round(piece.font_size * k))
                draw.text(
                    (ox + piece.x * k, oy + piece.y * k + lift), piece.text, font=font, fill=(*piece.fill[:3], alpha)
                )
        pixels = np.ascontiguousarray(np.asarray(frame))
        if seconds >= self.settled:
            self._final = pixels
        return pixels


def _cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    scale = max(size[0] / image.width, size[1] / image.height)
    resized = image.resize((max(size[0], round(image.width * scale)), max(size[1], round(image.height * scale))))
    left = (resized.width - size[0]) // 2
    top = (resized.height - size[1]) // 2
    return resized.crop((left, top, left + size[0], top + size[1]))
