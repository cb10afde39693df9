"""Colour palettes: named moods, per-subject defaults, palettes built from colour words, and contrast."""

from __future__ import annotations

from dataclasses import dataclass

from nanobananas.engine.render.shapes import RGB, blend

__all__ = [
    "COLOUR_WORDS",
    "MOOD_WORDS",
    "PALETTES",
    "Palette",
    "choose_palette",
    "contrast_ratio",
    "hex_colour",
    "readable_on",
]


@dataclass(frozen=True)
class Palette:
    """The colours of one design: page background, a surface for bands and panels, an accent, text ink."""

    name: str
    background: RGB
    surface: RGB
    accent: RGB
    ink: RGB
    soft: RGB
    extras: tuple[RGB, ...]

    def colours(self) -> dict[str, str]:
        """The palette as role -> '#rrggbb', for the design's description."""
        return {
            "background": hex_colour(self.background),
            "surface": hex_colour(self.surface),
            "accent": hex_colour(self.accent),
            "ink": hex_colour(self.ink),
            "soft": hex_colour(self.soft),
        }


def hex_colour(colour: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def _luminance(colour: RGB) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: RGB, *preferred: RGB, minimum: float = 4.5) -> RGB:
    """The first preferred colour readable on `background`, else near-black or white, whichever is better."""
    for colour in preferred:
        if contrast_ratio(colour, background) >= minimum:
            return colour
    dark, light = (24, 24, 28), (255, 255, 255)
    return dark if contrast_ratio(dark, background) >= contrast_ratio(light, background) else light


PALETTES: dict[str, Palette] = {
    p.name: p
    for p in (
        Palette(
            "bakery",
            (250, 240, 222),
            (112, 68, 42),
            (198, 108, 58),
            (66, 40, 24),
            (150, 112, 84),
            ((232, 196, 140), (198, 108, 58), (140, 90, 60)),
        ),
        Palette(
            "coffee",
            (243, 233, 220),
            (60, 40, 30),
            (176, 122, 72),
            (46, 30, 22),
            (130, 100, 80),
            ((210, 170, 120), (176, 122, 72), (96, 64, 44)),
        ),
        Palette(
            "warm",
            (255, 236, 214),
            (214, 92, 52),
            (242, 166, 60),
            (80, 36, 24),
            (168, 104, 78),
            ((242, 166, 60), (214, 92, 52), (250, 208, 120)),
        ),
        Palette(
            "pastel",
            (253, 242, 245),
            (190, 226, 214),
            (236, 146, 170),
            (82, 70, 112),
            (150, 140, 180),
            ((190, 226, 214), (236, 146, 170), (200, 190, 240), (252, 222, 160)),
        ),
        Palette(
            "bold",
            (255, 214, 10),
            (226, 30, 60),
            (20, 20, 24),
            (20, 20, 24),
            (90, 60, 20),
            ((226, 30, 60), (20, 20, 24), (255, 255, 255)),
        ),
        Palette(
            "night",
            (16, 22, 50),
            (38, 52, 104),
            (255, 196, 84),
            (244, 244, 252),
            (160, 170, 214),
            ((255, 196, 84), (120, 140, 230), (240, 120, 160)),
        ),
        Palette(
            "elegant",
            (250, 247, 240),
            (26, 34, 58),
            (184, 146, 72),
            (26, 34, 58),
            (120, 116, 110),
            ((184, 146, 72), (26, 34, 58)),
        ),
        Palette(
            "fresh",
            (240, 248, 236),
            (104, 170, 104),
            (240, 140, 60),
            (30, 62, 40),
            (96, 130, 100),
            ((104, 170, 104), (240, 140, 60), (250, 210, 90)),
        ),
        Palette(
            "calm",
            (237, 242, 235),
            (132, 164, 138),
            (206, 142, 112),
            (38, 58, 48),
            (100, 124, 108),
            ((132, 164, 138), (206, 142, 112), (220, 200, 170)),
        ),
        Palette(
            "ocean",
            (232, 244, 250),
            (22, 92, 140),
            (0, 172, 190),
            (12, 40, 70),
            (80, 120, 150),
            ((0, 172, 190), (22, 92, 140), (250, 200, 110)),
        ),
        Palette(
            "festive",
            (255, 248, 236),
            (255, 94, 126),
            (50, 150, 230),
            (52, 40, 84),
            (130, 110, 150),
            ((255, 94, 126), (50, 150, 230), (255, 200, 40), (80, 200, 150), (170, 110, 230)),
        ),
        Palette(
            "sale",
            (222, 28, 56),
            (255, 220, 0),
            (255, 255, 255),
            (255, 255, 255),
            (255, 200, 200),
            ((255, 220, 0), (255, 255, 255), (150, 10, 30)),
        ),
        Palette(
            "minimal",
            (250, 250, 248),
            (28, 28, 32),
            (0, 120, 110),
            (28, 28, 32),
            (110, 110, 116),
            ((0, 120, 110), (28, 28, 32)),
        ),
        Palette(
            "tech",
            (14, 18, 30),
            (30, 40, 66),
            (0, 220, 200),
            (240, 244, 250),
            (140, 150, 180),
            ((0, 220, 200), (130, 90, 255), (255, 80, 140)),
        ),
        Palette(
            "wedding",
            (252, 246, 242),
            (228, 196, 190),
            (176, 138, 86),
            (72, 52, 56),
            (150, 124, 124),
            ((228, 196, 190), (176, 138, 86), (240, 226, 214)),
        ),
        Palette(
            "summer",
            (255, 244, 214),
            (0, 160, 180),
            (255, 110, 64),
            (20, 60, 80),
            (90, 130, 140),
            ((0, 160, 180), (255, 110, 64), (255, 200, 40)),
        ),
        Palette(
            "autumn",
            (250, 238, 222),
            (150, 60, 30),
            (214, 130, 40),
            (70, 34, 20),
            (150, 100, 70),
            ((150, 60, 30), (214, 130, 40), (110, 120, 50)),
        ),
        Palette(
            "holiday",
            (248, 244, 236),
            (170, 28, 40),
            (20, 100, 60),
            (60, 20, 24),
            (130, 100, 90),
            ((170, 28, 40), (20, 100, 60), (214, 170, 70)),
        ),
        Palette(
            "halloween",
            (24, 18, 28),
            (90, 40, 110),
            (250, 128, 20),
            (250, 240, 230),
            (180, 160, 180),
            ((250, 128, 20), (90, 40, 110), (120, 200, 60)),
        ),
        Palette(
            "retro",
            (246, 234, 206),
            (0, 120, 120),
            (232, 110, 50),
            (40, 40, 50),
            (120, 110, 100),
            ((0, 120, 120), (232, 110, 50), (240, 180, 40)),
        ),
        Palette(
            "playful",
            (255, 250, 232),
            (70, 130, 240),
            (255, 90, 90),
            (40, 40, 70),
            (120, 120, 150),
            ((70, 130, 240), (255, 90, 90), (255, 200, 40), (80, 200, 120)),
        ),
        Palette(
            "neon",
            (18, 10, 40),
            (60, 20, 110),
            (255, 60, 170),
            (250, 248, 255),
            (170, 150, 220),
            ((255, 60, 170), (40, 220, 255), (250, 230, 60)),
        ),
    )
}

COLOUR_WORDS: dict[str, RGB] = {
    "red": (214, 40, 48),
    "crimson": (180, 20, 50),
    "maroon": (120, 24, 40),
    "burgundy": (120, 24, 48),
    "pink": (240, 120, 160),
    "rose": (230, 110, 140),
    "blush": (244, 200, 200),
    "coral": (250, 120, 100),
    "orange": (245, 130, 40),
    "peach": (255, 200, 160),
    "yellow": (252, 210, 40),
    "gold": (205, 160, 60),
    "golden": (205, 160, 60),
    "mustard": (220, 170, 40),
    "cream": (250, 240, 220),
    "beige": (232, 218, 196),
    "brown": (120, 76, 44),
    "tan": (200, 160, 120),
    "green": (40, 150, 80),
    "olive": (120, 130, 50),
    "mint": (170, 226, 200),
    "sage": (150, 176, 150),
    "lime": (160, 210, 50),
    "teal": (0, 128, 128),
    "turquoise": (40, 190, 190),
    "cyan": (0, 190, 220),
    "aqua": (60, 200, 210),
    "blue": (40, 90, 200),
    "navy": (20, 34, 80),
    "indigo": (60, 50, 140),
    "purple": (120, 60, 170),
    "violet": (140, 80, 200),
    "lavender": (200, 180, 236),
    "lilac": (200, 170, 220),
    "magenta": (210, 40, 150),
    "black": (22, 22, 26),
    "white": (255, 255, 255),
    "grey": (128, 128, 132),
    "gray": (128, 128, 132),
    "silver": (192, 196, 204),
    "charcoal": (50, 52, 58),
}

MOOD_WORDS: dict[str, str] = {
    "warm": "warm",
    "cozy": "warm",
    "cosy": "warm",
    "sunny": "summer",
    "pastel": "pastel",
    "soft": "pastel",
    "cute": "pastel",
    "bold": "bold",
    "loud": "bold",
    "striking": "bold",
    "night": "night",
    "dark": "night",
    "midnight": "night",
    "elegant": "elegant",
    "luxury": "elegant",
    "luxurious": "elegant",
    "classy": "elegant",
    "formal": "elegant",
    "sophisticated": "elegant",
    "minimal": "minimal",
    "minimalist": "minimal",
    "clean": "minimal",
    "simple": "minimal",
    "modern": "minimal",
    "fresh": "fresh",
    "spring": "fresh",
    "natural": "fresh",
    "calm": "calm",
    "peaceful": "calm",
    "zen": "calm",
    "cool": "ocean",
    "ocean": "ocean",
    "vintage": "retro",
    "retro": "retro",
    "playful": "playful",
    "fun": "playful",
    "colorful": "playful",
    "colourful": "playful",
    "vibrant": "neon",
    "neon": "neon",
    "festive": "festive",
    "autumn": "autumn",
    "fall": "autumn",
    "rustic": "autumn",
    "futuristic": "tech",
}

_THEME_PALETTES: dict[str, str] = {
    "bakery": "bakery",
    "coffee": "coffee",
    "sale": "sale",
    "birthday": "festive",
    "party": "festive",
    "wellness": "calm",
    "wedding": "wedding",
    "certificate": "elegant",
    "business": "minimal",
    "night": "night",
    "tech": "tech",
    "summer": "summer",
    "halloween": "halloween",
    "holiday": "holiday",
    "garden": "fresh",
    "music": "neon",
    "kids": "playful",
    "food": "warm",
    "autumn": "autumn",
    "education": "ocean",
    "sport": "bold",
    "outdoors": "fresh",
    "dusk": "warm",
    "dawn": "pastel",
    "daylight": "ocean",
}

_FALLBACKS = ("warm", "ocean", "retro", "fresh", "elegant", "playful", "night")


def _luma(colour: RGB) -> float:
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


def _from_colours(words: tuple[str, ...], background_word: str | None) -> Palette:
    colours = [COLOUR_WORDS[w] for w in words]
    if background_word is not None:
        background = COLOUR_WORDS[background_word]
        others = [c for w, c in zip(words, colours, strict=True) if w != background_word]
    else:
        background, others = colours[0], colours[1:]
    dark = _luma(background) < 140
    accent = (
        others[0]
        if others
        else (blend(background, (255, 255, 255), 0.75) if dark else blend(background, (0, 0, 0), 0.55))
    )
    if contrast_ratio(accent, background) < 1.6:
        accent = blend(accent, (255, 255, 255) if dark else (0, 0, 0), 0.5)
    surface = others[1] if len(others) > 1 else blend(background, (0, 0, 0), 0.35 if dark else 0.2)
    ink = readable_on(background, accent, (255, 255, 255) if dark else (28, 28, 32), minimum=4.5)
    soft = blend(ink, background, 0.3)
    name = "colours:" + "-".join(dict.fromkeys(([background_word] if background_word else []) + list(words)))
    return Palette(name, background, surface, accent, ink, soft, tuple(dict.fromkeys([accent, surface, *others])))


def choose_palette(
    *, colours: tuple[str, ...], background: str | None, mood: str | None, theme: str, seed: int
) -> Palette:
    """Colour words win, then a mood word, then the subject's theme, then a seeded versatile palette."""
    if colours or background:
        return _from_colours(colours or ((background,) if background else ()), background)
    if mood is not None:
        return PALETTES[MOOD_WORDS[mood]]
    if theme in _THEME_PALETTES:
        return PALETTES[_THEME_PALETTES[theme]]
    return PALETTES[_FALLBACKS[seed % len(_FALLBACKS)]]
