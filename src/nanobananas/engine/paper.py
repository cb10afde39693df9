"""Print sizes from words: inches, cm or mm with a dpi, and paper formats (A3-A6, Letter, 4x6, 5x7, 8x10)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = ["DEFAULT_DPI", "PRINT_SIZE", "PrintSize", "find_print_size", "print_size_of"]

DEFAULT_DPI = 300
_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4}
# Portrait sizes (width < height) in their usual unit.
_PAPER: dict[str, tuple[float, float, str]] = {
    "a3": (297, 420, "mm"),
    "a4": (210, 297, "mm"),
    "a5": (148, 210, "mm"),
    "a6": (105, 148, "mm"),
    "letter": (8.5, 11, "in"),
    "4x6": (4, 6, "in"),
    "5x7": (5, 7, "in"),
    "8x10": (8, 10, "in"),
}
_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = (
    r"(?:in|inch|inches|cm|centimeters?|centimetres?|mm|millimeters?|millimetres?)"
    r"(?=\s*(?:$|[,;.]|at\b|with\b|for\b|in\b|and\b|x\b|by\b|\d|@|print|paper|photo|portrait|landscape))"
)
_DPI = r"(?:\s*(?:,\s*)?(?:at|@|with|in)?\s*(?P<dpi>\d{2,4})\s*(?:dpi|ppi|pixels?\s+per\s+inch|px\s+per\s+inch))?"
PRINT_SIZE = (
    rf"(?:\b(?P<width>{_NUMBER})\s*(?P<unit1>{_UNIT})?\s*(?:x|\u00d7|by)\s*(?P<height>{_NUMBER})\s*(?P<unit>{_UNIT})"
    r"|\b(?P<paper>a[3-6]|(?:us\s+)?letter(?=\s*(?:size|paper|format|sheet|page|print))|4x6|5x7|8x10)\b"
    r"(?:\s+(?:size|paper|format|sheet|page|print|photo|inch|inches|in)\b)?)" + _DPI
)
_PRINT_SIZE = re.compile(PRINT_SIZE)
_DPI_APART = re.compile(r"\b(\d{2,4})\s*(?:dpi|ppi)\b")
_PRINT_CUE = re.compile(r"\b(?:print|prints|printed|printing|paper|frame|inch|inches|dpi|ppi|format|size|sheet|page)\b")


@dataclass(frozen=True)
class PrintSize:
    """A physical size (portrait or as written) and the dpi to print it at; `dpi_given` is False for the default."""

    width: float
    height: float
    unit: str
    dpi: int
    dpi_given: bool
    name: str | None = None

    def pixels(self) -> tuple[int, int]:
        return self.pixels_at(self.dpi)

    def pixels_at(self, dpi: int) -> tuple[int, int]:
        per_inch = _PER_INCH[self.unit]
        return round(self.width / per_inch * dpi), round(self.height / per_inch * dpi)

    def describe(self) -> str:
        name = self.name.upper() if self.name and self.name[0] == "a" else (self.name or "").capitalize()
        size = name or f"{self.width:g}x{self.height:g} {self.unit}"
        width, height = self.pixels()
        return f"{size} at {self.dpi} dpi is {width}x{height} pixels"


def _unit(word: str) -> str:
    return "in" if word.startswith("in") else word[:2] if word[:2] in ("cm", "mm") else word[0] + "m"


def print_size_of(match: re.Match[str]) -> PrintSize:
    """The PrintSize a match of PRINT_SIZE names."""
    dpi = int(match.group("dpi")) if match.group("dpi") else None
    paper = match.group("paper")
    if paper is not None:
        key = "letter" if paper.lower().endswith("letter") else paper.lower()
        width, height, unit = _PAPER[key]
        return PrintSize(width, height, unit, dpi or DEFAULT_DPI, dpi is not None, key)
    unit = _unit(match.group("unit").lower())
    return PrintSize(
        float(match.group("width")), float(match.group("height")), unit, dpi or DEFAULT_DPI, dpi is not None
    )


def find_print_size(text: str, *, bare_photo_sizes: bool = False) -> PrintSize | None:
    """The print size in lower-case `text`, or None. "4x6" alone is a print size only with a word about
    printing ("a 4x6 print") unless `bare_photo_sizes` (a design's format)."""
    match = _PRINT_SIZE.search(text)
    if match is None:
        return None
    paper = match.group("paper")
    if paper in ("4x6", "5x7", "8x10") and not bare_photo_sizes and not _PRINT_CUE.search(text):
        return None
    size = print_size_of(match)
    if not (0 < size.width <= 2000 and 0 < size.height <= 2000):
        return None
    apart = _DPI_APART.search(text) if not size.dpi_given else None
    return replace(size, dpi=int(apart.group(1)), dpi_given=True) if apart else size
