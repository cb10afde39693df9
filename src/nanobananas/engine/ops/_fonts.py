"""Locate the TTF fonts shipped by the installed font packages and fit text to a width."""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

__all__ = ["FontName", "font_path", "load_font"]

FontName = Literal["roboto", "lato", "source-sans"]

_FILES: dict[FontName, tuple[str, str, str]] = {
    "roboto": ("font_roboto", "Roboto-Bold.ttf", "Roboto-Regular.ttf"),
    "lato": ("font_lato", "Lato-Bold.ttf", "Lato-Regular.ttf"),
    "source-sans": (
        "font_source_sans_pro",
        "SourceSansPro-Bold.ttf",
        "SourceSansPro-Regular.ttf",
    ),
}


@lru_cache(maxsize=16)
def font_path(name: FontName = "roboto", *, bold: bool = True) -> Path:
    """Path of the font file inside its package (found through the package's import path)."""
    package, bold_file, regular_file = _FILES[name]
    module = importlib.import_module(package)
    assert module.__file__ is not None
    return Path(module.__file__).parent / "files" / (bold_file if bold else regular_file)


@lru_cache(maxsize=64)
def load_font(name: FontName, size: int, *, bold: bool = True) -> ImageFont.FreeTypeFont:
    """The font at `size` pixels."""
    return ImageFont.truetype(str(font_path(name, bold=bold)), max(4, size))
