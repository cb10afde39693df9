"""Text that fits: wrapping, shrinking to a box, and drawing with the inked area recorded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw

from nanobananas.engine.render.fonts import load_font

__all__ = ["Box", "FittedText", "draw_fitted", "fit_text", "wrap_words"]

Box = tuple[int, int, int, int]
"""left, top, right, bottom in pixels (right and bottom exclusive)."""

ELLIPSIS = "…"


@dataclass(frozen=True)
class FittedText:
    """Lines of one text item at the size that fits its box."""

    lines: tuple[str, ...]
    face: str
    size: int
    tracking: int
    line_height: int
    ink_top: int
    ink_bottom: int
    width: int

    @property
    def height(self) -> int:
        """From the highest ink of the first line to the lowest ink of the last."""
        return self.line_height * (len(self.lines) - 1) + self.ink_bottom - self.ink_top if self.lines else 0


@lru_cache(maxsize=65536)
def _text_width(face: str, size: int, text: str) -> float:
    return load_font(face, size).getlength(text)


def _line_width(line: str, face: str, size: int, tracking: int) -> int:
    """Width of a line from cached word widths: fitting measures the same words at many sizes."""
    if tracking:
        return round(sum(_text_width(face, size, ch) for ch in line) + tracking * max(0, len(line) - 1))
    words = line.split(" ")
    return round(sum(_text_width(face, size, w) for w in words) + _text_width(face, size, " ") * (len(words) - 1))


def _split_long_word(word: str, face: str, size: int, tracking: int, max_width: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and _line_width(current + ch, face, size, tracking) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap_words(text: str, face: str, size: int, max_width: int, tracking: int = 0) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _line_width(candidate, face, size, tracking) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if _line_width(word, face, size, tracking) <= max_width:
            current = word
        else:
            *full, current = _split_long_word(word, face, size, tracking, max_width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def _balance(lines: list[str], face: str, size: int, max_width: int, tracking: int) -> list[str]:
    """Re-wrap to the narrowest width that keeps the line count, so titles avoid a lonely last word."""
    if len(lines) < 2:
        return lines
    target = len(lines)
    widest_word = max(_line_width(w, face, size, tracking) for line in lines for w in line.split())
    low, high = max(max_width // 2, widest_word), max_width
    best = lines
    while low <= high:
        mid = (low + high) // 2
        trial = wrap_words(" ".join(lines), face, size, mid, tracking)
        if len(trial) <= target:
            best, high = trial, mid - 1
        else:
            low = mid + 1
    return best


def _layout(
    text: str, face: str, size: int, max_width: int, tracking: int, leading: float, *, balance: bool = False
) -> FittedText:
    lines = wrap_words(text, face, size, max_width, tracking)
    if balance:
        lines = _balance(lines, face, size, max_width, tracking)
    font = load_font(face, size)
    ascent, descent = font.getmetrics()
    line_height = max(1, round((ascent + descent) * leading))
    width = max((_line_width(line, face, size, tracking) for line in lines), default=0)
    ink_top, ink_bottom = _ink_span(lines, face, size)
    return FittedText(tuple(lines), face, size, tracking, line_height, ink_top, ink_bottom, width)


@lru_cache(maxsize=65536)
def _glyph_span(face: str, size: int, ch: str) -> tuple[int, int]:
    box = load_font(face, size).getbbox(ch)
    return int(box[1]), round(box[3])


def _ink_span(lines: list[str], face: str, size: int) -> tuple[int, int]:
    """How far below a line's top the first line's ink starts and the last line's ink ends.

    Glyphs share a baseline, so the span of a line is the span of its glyphs, each measured once.
    """
    first = [_glyph_span(face, size, ch) for ch in (lines[0] if lines else "") if not ch.isspace()]
    last = [_glyph_span(face, size, ch) for ch in (lines[-1] if lines else "") if not ch.isspace()]
    if not first or not last:
        return 0, 0
    return min(top for top, _ in first), max(bottom for _, bottom in last)


def _truncate(fitted: FittedText, max_lines: int, max_width: int) -> FittedText:
    kept = list(fitted.lines[:max_lines])
    last = kept[-1] if kept else ""
    while last and _line_width(last + ELLIPSIS, fitted.face, fitted.size, fitted.tracking) > max_width:
        last = last[:-1].rstrip()
    kept[-1:] = [last + ELLIPSIS] if kept else []
    width = max((_line_width(line, fitted.face, fitted.size, fitted.tracking) for line in kept), default=0)
    ink_top, ink_bottom = _ink_span(kept, fitted.face, fitted.size)
    return FittedText(
        tuple(kept), fitted.face, fitted.size, fitted.tracking, fitted.line_height, ink_top, ink_bottom, width
    )


def fit_text(
    text: str,
    face: str,
    *,
    max_width: int,
    max_height: int,
    max_size: int,
    min_size: int = 12,
    max_lines: int = 0,
    tracking_em: float = 0.0,
    leading: float = 1.0,
) -> FittedText:
    """Find the largest size at which `text` wraps inside the box; below `min_size` it ends in an ellipsis.

    `max_lines` of 0 means as many lines as the height allows.
    """
    max_width, max_height = max(1, max_width), max(1, max_height)
    min_size = max(1, min(min_size, max_size))

    def attempt(size: int) -> FittedText:
        return _layout(text, face, size, max_width, round(size * tracking_em), leading)

    words = text.split()

    def fits(fitted: FittedText) -> bool:
        widest_word = max((_line_width(w, face, fitted.size, fitted.tracking) for w in words), default=0)
        return (
            widest_word <= max_width
            and fitted.width <= max_width
            and fitted.height <= max_height
            and (max_lines == 0 or len(fitted.lines) <= max_lines)
        )

    low, high = min_size, max(min_size, max_size)
    best: FittedText | None = None
    while low <= high:
        mid = (low + high) // 2
        fitted = attempt(mid)
        if fits(fitted):
            best, low = fitted, mid + 1
        else:
            high = mid - 1
    if best is not None:
        return _layout(text, face, best.size, max_width, best.tracking, leading, balance=True)
    smallest = attempt(min_size)
    room = max(1, (max_height - smallest.ink_bottom + smallest.ink_top) // max(1, smallest.line_height) + 1)
    if max_lines:
        room = min(room, max_lines)
    if len(smallest.lines) > room:
        return _truncate(smallest, room, max_width)
    return smallest


def draw_fitted(
    draw: ImageDraw.ImageDraw,
    fitted: FittedText,
    *,
    x: int,
    y: int,
    width: int,
    align: str = "center",
    fill: tuple[int, int, int],
    bounds: Box,
) -> Box | None:
    """Draw the lines so their ink starts at `y`, aligned inside `[x, x + width)`; return the inked box.

    Nothing is drawn, and None returned, when any ink would fall outside `bounds` (usually the canvas).
    """
    font = load_font(fitted.face, fitted.size)
    y -= fitted.ink_top
    pieces: list[tuple[float, int, str]] = []
    for index, line in enumerate(fitted.lines):
        line_width = _line_width(line, fitted.face, fitted.size, fitted.tracking)
        if align == "left":
            left = x
        elif align == "right":
            left = x + width - line_width
        else:
            left = x + (width - line_width) // 2
        top = y + index * fitted.line_height
        if fitted.tracking:
            cursor = float(left)
            for ch in line:
                pieces.append((cursor, top, ch))
                cursor += font.getlength(ch) + fitted.tracking
        else:
            pieces.append((left, top, line))
    inked = [_as_box(draw.textbbox((px, py), text, font=font)) for px, py, text in pieces]
    inked = [box for box in inked if box[2] > box[0] and box[3] > box[1]]
    if not inked:
        return None
    union = (
        min(b[0] for b in inked),
        min(b[1] for b in inked),
        max(b[2] for b in inked),
        max(b[3] for b in inked),
    )
    if union[0] < bounds[0] or union[1] < bounds[1] or union[2] > bounds[2] or union[3] > bounds[3]:
        return None
    for px, py, text in pieces:
        draw.text((px, py), text, font=font, fill=fill)
    return union


def _as_box(box: tuple[float, float, float, float]) -> Box:
    return (int(box[0]), int(box[1]), round(box[2]), round(box[3]))
