"""Typefaces shipped in PyPI font packages, found through their import paths, and their pairings."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

__all__ = ["FACES", "PAIRINGS", "FontPairing", "Typeface", "font_path", "load_font"]


@dataclass(frozen=True)
class Typeface:
    """One font file inside an installed font package."""

    name: str
    package: str
    filename: str


FACES: dict[str, Typeface] = {
    face.name: face
    for face in (
        Typeface("Roboto Black", "font_roboto", "Roboto-Black.ttf"),
        Typeface("Roboto Bold", "font_roboto", "Roboto-Bold.ttf"),
        Typeface("Roboto Medium", "font_roboto", "Roboto-Medium.ttf"),
        Typeface("Roboto Regular", "font_roboto", "Roboto-Regular.ttf"),
        Typeface("Roboto Light", "font_roboto", "Roboto-Light.ttf"),
        Typeface("Lato Black", "font_lato", "Lato-Black.ttf"),
        Typeface("Lato Bold", "font_lato", "Lato-Bold.ttf"),
        Typeface("Lato Regular", "font_lato", "Lato-Regular.ttf"),
        Typeface("Lato Light", "font_lato", "Lato-Light.ttf"),
        Typeface("Lato Italic", "font_lato", "Lato-Italic.ttf"),
        Typeface("Lato Bold Italic", "font_lato", "Lato-BoldItalic.ttf"),
        Typeface("Source Sans Pro Black", "font_source_sans_pro", "SourceSansPro-Black.ttf"),
        Typeface("Source Sans Pro Bold", "font_source_sans_pro", "SourceSansPro-Bold.ttf"),
        Typeface("Source Sans Pro Semibold", "font_source_sans_pro", "SourceSansPro-Semibold.ttf"),
        Typeface("Source Sans Pro Regular", "font_source_sans_pro", "SourceSansPro-Regular.ttf"),
        Typeface("Source Sans Pro Light", "font_source_sans_pro", "SourceSansPro-Light.ttf"),
    )
}


@dataclass(frozen=True)
class FontPairing:
    """The faces one design uses: a display face for titles, a body face, and a face for small labels."""

    name: str
    display: str
    body: str
    label: str
    accent: str


PAIRINGS: dict[str, FontPairing] = {
    pairing.name: pairing
    for pairing in (
        FontPairing("lato", "Lato Black", "Lato Regular", "Lato Bold", "Lato Bold Italic"),
        FontPairing("roboto", "Roboto Black", "Roboto Light", "Roboto Medium", "Roboto Bold"),
        FontPairing(
            "source-sans",
            "Source Sans Pro Black",
            "Source Sans Pro Regular",
            "Source Sans Pro Semibold",
            "Source Sans Pro Bold",
        ),
        FontPairing("elegant", "Lato Light", "Lato Regular", "Lato Bold", "Lato Italic"),
    )
}


def font_path(face: str) -> Path:
    """Return the file of `face`, located through its package so no install path is assumed."""
    typeface = FACES[face]
    return Path(str(importlib.resources.files(typeface.package) / "files" / typeface.filename))


@lru_cache(maxsize=256)
def load_font(face: str, size: int) -> ImageFont.FreeTypeFont:
    """Load `face` at `size` pixels; cached because layouts measure the same sizes repeatedly."""
    return ImageFont.truetype(str(font_path(face)), max(1, size))
