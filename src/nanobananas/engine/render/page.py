"""The canvas a layout draws on: palette, fonts, a seeded random source, and text placed by fitting."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from nanobananas.engine.render.fonts import FontPairing
from nanobananas.engine.render.palettes import Palette
from nanobananas.engine.render.shapes import RGB
from nanobananas.engine.render.text import Box, FittedText, draw_fitted, fit_text

__all__ = ["Line", "Page"]


@dataclass(frozen=True)
class Line:
    """One text item of a stack; `size` is its largest type size as a fraction of the page's short side.

    An empty `text` with `rule` set draws a short horizontal rule instead of text.
    """

    text: str
    face: str
    size: float
    colour: RGB
    gap: float = 0.4
    min_size: int = 14
    max_lines: int = 0
    tracking: float = 0.0
    leading: float = 1.0
    rule: float = 0.0


@dataclass
class Page:
    """A design being drawn, with the inked box of every text item recorded."""

    image: Image.Image
    palette: Palette
    fonts: FontPairing
    rng: random.Random
    text_boxes: list[Box] = field(default_factory=list)
    faces: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def bounds(self) -> Box:
        return (0, 0, self.image.width, self.image.height)

    @property
    def unit(self) -> int:
        """The short side: type and margins scale with it."""
        return min(self.image.width, self.image.height)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)

    def _record(self, fitted: FittedText, inked: Box | None) -> None:
        if inked is not None:
            self.text_boxes.append(inked)
        if fitted.face not in self.faces:
            self.faces.append(fitted.face)

    def text(
        self,
        text: str,
        face: str,
        *,
        box: Box,
        size: float,
        colour: RGB,
        align: str = "center",
        valign: str = "top",
        min_size: int = 14,
        max_lines: int = 0,
        tracking: float = 0.0,
    ) -> Box | None:
        """Fit `text` into `box` (largest size up to `size` x unit) and draw it; return the inked box."""
        left, top, right, bottom = box
        if not text.strip() or right <= left or bottom <= top:
            return None
        fitted = fit_text(
            text,
            face,
            max_width=right - left,
            max_height=bottom - top,
            max_size=max(1, int(size * self.unit)),
            min_size=min_size,
            max_lines=max_lines,
            tracking_em=tracking,
        )
        if fitted.height > bottom - top:
            return None
        y = top
        if valign == "center":
            y = top + (bottom - top - fitted.height) // 2
        elif valign == "bottom":
            y = bottom - fitted.height
        inked = draw_fitted(
            self.draw, fitted, x=left, y=y, width=right - left, align=align, fill=colour, bounds=self.bounds
        )
        self._record(fitted, inked)
        return inked

    def stack(self, lines: Sequence[Line], box: Box, *, align: str = "center", valign: str = "center") -> Box:
        """Draw `lines` top to bottom inside `box`, shrinking them together until they all fit.

        Returns the space the stack took (left, top, right, bottom).
        """
        left, top, right, bottom = box
        width, height = right - left, bottom - top
        lines = [line for line in lines if line.text.strip() or line.rule]
        fitted, total, scale = self._shrink(lines, width, height)
        y = top
        if valign == "center":
            y = top + max(0, (height - total) // 2)
        elif valign == "bottom":
            y = top + max(0, height - total)
        start = y
        for index, (line, fit) in enumerate(zip(lines, fitted, strict=True)):
            if index:
                y += self._gap(lines[index - 1], line, scale)
            if fit is None:
                thickness = max(2, int(self.unit * 0.004))
                rule_width = int(line.rule * width)
                x0 = left + (width - rule_width) // 2 if align == "center" else left
                if align == "right":
                    x0 = right - rule_width
                if y + thickness <= bottom:
                    self.draw.rectangle((x0, y, x0 + rule_width, y + thickness - 1), fill=line.colour)
                y += thickness
                continue
            if y + fit.height > bottom:
                fit = self._refit(line, width, bottom - y)
                if fit is None:
                    break
            inked = draw_fitted(
                self.draw, fit, x=left, y=y, width=width, align=align, fill=line.colour, bounds=self.bounds
            )
            self._record(fit, inked)
            y += fit.height
        return (left, start, right, y)

    def _gap(self, previous: Line, line: Line, scale: float) -> int:
        """Space above `line`: its gap in units of the larger of its own size and half the line before."""
        return int(line.gap * max(line.size, previous.size * 0.5) * self.unit * scale)

    def measure(self, lines: Sequence[Line], width: int, height: int) -> int:
        """The height `stack` would take for `lines` in a box of this size."""
        lines = [line for line in lines if line.text.strip() or line.rule]
        return min(height, self._shrink(lines, width, height)[1])

    def _shrink(self, lines: Sequence[Line], width: int, height: int) -> tuple[list[FittedText | None], int, float]:
        scale = 1.0
        fitted: list[FittedText | None] = []
        total = 0
        for _ in range(24):
            fitted, total = self._fit_all(lines, width, height, scale)
            if total <= height:
                break
            scale *= 0.9
        return fitted, total, scale

    def _fit_all(
        self, lines: Sequence[Line], width: int, height: int, scale: float
    ) -> tuple[list[FittedText | None], int]:
        fitted: list[FittedText | None] = []
        total = 0
        for index, line in enumerate(lines):
            if index:
                total += self._gap(lines[index - 1], line, scale)
            if line.rule:
                fitted.append(None)
                total += max(2, int(self.unit * 0.004))
                continue
            fit = fit_text(
                line.text,
                line.face,
                max_width=width,
                max_height=height,
                max_size=max(line.min_size, int(line.size * self.unit * scale)),
                min_size=line.min_size,
                max_lines=line.max_lines,
                tracking_em=line.tracking,
                leading=line.leading,
            )
            fitted.append(fit)
            total += fit.height
        return fitted, total

    def _refit(self, line: Line, width: int, room: int) -> FittedText | None:
        if room <= 0:
            return None
        fit = fit_text(
            line.text,
            line.face,
            max_width=width,
            max_height=room,
            max_size=line.min_size,
            min_size=line.min_size,
            max_lines=line.max_lines,
            tracking_em=line.tracking,
            leading=line.leading,
        )
        return fit if fit.height <= room else None
