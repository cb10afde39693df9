"""Layouts: where the title, subtitle, details and decoration go for each kind and shape of design."""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image, ImageDraw

from nanobananas.engine.render.brief import Brief, MenuItem
from nanobananas.engine.render.motifs import MOTIFS, balloon, confetti, theme_motif
from nanobananas.engine.render.page import Line, Page
from nanobananas.engine.render.palettes import contrast_ratio, readable_on
from nanobananas.engine.render.shapes import RGB, blend, fill_ellipse, fill_polygon, ring
from nanobananas.engine.render.text import Box

__all__ = ["LAYOUTS", "choose_layout"]


# ---------------------------------------------------------------- shared pieces


def _detail_lines(brief: Brief, *, joined: bool = True, limit: int = 30) -> list[str]:
    """Short details share a line separated by dots; long ones get a line each."""
    details = [d for d in brief.details if d]
    if joined and len(details) > 1 and len(" · ".join(details)) <= limit:
        return ["  ·  ".join(details)]
    return details


def _on(background: RGB, *preferred: RGB) -> RGB:
    return readable_on(background, *preferred)


def _decorative(background: RGB, *preferred: RGB) -> RGB:
    """A colour for shapes: visible on `background` without needing text contrast."""
    for colour in preferred:
        if contrast_ratio(colour, background) >= 1.5:
            return colour
    return blend(background, (0, 0, 0) if sum(background) > 380 else (255, 255, 255), 0.3)


def _title_lines(page: Page, brief: Brief, colour: RGB, *, size: float, kicker_colour: RGB) -> list[Line]:
    """Kicker and title; a short title may grow past `size`, up to what the width allows."""
    fonts = page.fonts
    if len(brief.title) <= 12:
        size *= 1.4
    return [
        Line(brief.kicker.upper(), fonts.label, 0.034, kicker_colour, tracking=0.18, max_lines=2),
        Line(brief.title, fonts.display, size, colour, gap=0.35, leading=0.95, min_size=16),
    ]


def _price_badge(page: Page, brief: Brief, cx: float, cy: float, r: float, fill: RGB) -> None:
    """A round badge with the offer, at (cx, cy) or, if text is there, the first free corner; else none."""
    if not brief.price:
        return
    w, h = page.width, page.height
    inset = r * 1.2
    for x, y in ((cx, cy), (w - inset, inset), (w - inset, h - inset), (inset, h - inset), (inset, inset)):
        area = (int(x - r * 1.08), int(y - r * 1.08), int(x + r * 1.08) + 1, int(y + r * 1.08) + 1)
        inside = area[0] >= 0 and area[1] >= 0 and area[2] <= w and area[3] <= h
        if inside and not any(_overlaps(area, box) for box in page.text_boxes):
            cx, cy = x, y
            break
    else:
        return
    fill_ellipse(page.image, (cx - r, cy - r, cx + r, cy + r), fill)
    outer = r * 1.07
    ring(page.image, (cx - outer, cy - outer, cx + outer, cy + outer), fill, max(2.0, r * 0.02))
    inner = int(r * 0.62)
    page.text(
        brief.price,
        page.fonts.display,
        box=(int(cx) - inner, int(cy) - inner, int(cx) + inner, int(cy) + inner),
        size=r * 0.5 / page.unit,
        colour=_on(fill),
        valign="center",
        max_lines=3,
        min_size=12,
    )


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _frame(page: Page, inset: float, colour: RGB, width: float) -> None:
    draw = page.draw
    i = int(inset)
    draw.rectangle((i, i, page.width - 1 - i, page.height - 1 - i), outline=colour, width=max(1, int(width)))


# ---------------------------------------------------------------- portrait and square layouts


def classic(page: Page, brief: Brief) -> None:
    """A framed page with a motif on top and a centred stack of type."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    accent = _decorative(p.background, p.accent, p.surface)
    _frame(page, u * 0.035, accent, u * 0.006)
    _frame(page, u * 0.05, accent, u * 0.002)
    motif = theme_motif(brief.theme, page.rng)
    MOTIFS[motif](page.image, w / 2, h * 0.14, u * 0.055, accent, p.background)
    ink = _on(p.background, p.ink)
    lines = _title_lines(page, brief, ink, size=0.17, kicker_colour=_on(p.background, p.accent, p.ink))
    lines += [
        Line("", page.fonts.body, 0.03, accent, rule=0.22, gap=1.2),
        Line(brief.subtitle, page.fonts.body, 0.06, _on(p.background, p.soft, p.ink), gap=1.0, max_lines=3),
    ]
    lines += [Line(d, page.fonts.label, 0.052, ink, gap=0.5, max_lines=2) for d in _detail_lines(brief)]
    margin = int(u * 0.11)
    page.stack(lines, (margin, int(h * 0.22), w - margin, int(h * 0.86)))
    dot = u * 0.012
    for k in (-1, 0, 1):
        x, y = w / 2 + k * dot * 4, h - u * 0.1
        fill_ellipse(page.image, (x - dot, y - dot, x + dot, y + dot), accent)
    _price_badge(page, brief, w - u * 0.17, h - u * 0.17, u * 0.11, _decorative(p.background, p.surface, p.accent))


def band(page: Page, brief: Brief) -> None:
    """A coloured band holding the title over the top half, details on the page below."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    lower_count = len(_detail_lines(brief, joined=False)) + (2 if brief.subtitle else 0)
    split = int(h * (0.55 if lower_count > 2 else 0.64))
    page.image.paste(p.surface, (0, 0, w, split))
    circle = blend(p.surface, p.background, 0.2)
    fill_ellipse(page.image, (w - u * 0.42, -u * 0.3, w + u * 0.3, u * 0.42), circle)
    ring(page.image, (w - u * 0.5, -u * 0.38, w + u * 0.38, u * 0.5), circle, u * 0.01)
    dot = _decorative(p.background, p.accent, p.surface)
    for k in range(3):
        cx = w - u * (0.12 + 0.07 * k)
        fill_ellipse(page.image, (cx - u * 0.018, split - u * 0.018, cx + u * 0.018, split + u * 0.018), dot)
    on_band = _on(p.surface, p.background, p.ink)
    margin = int(u * 0.09)
    lines = _title_lines(page, brief, on_band, size=0.16, kicker_colour=_on(p.surface, p.accent, p.background))
    page.stack(lines, (margin, int(h * 0.08), w - margin, split - int(u * 0.07)), align="left", valign="bottom")
    ink = _on(p.background, p.ink)
    lower = [Line(brief.subtitle, page.fonts.body, 0.065, _on(p.background, p.soft, p.ink), max_lines=3)]
    lower += [
        Line(d, page.fonts.label, 0.085 if lower_count <= 2 else 0.06, ink, gap=0.4, max_lines=2)
        for d in _detail_lines(brief, joined=False)
    ]
    motif_r = u * 0.085
    taken = page.stack(
        lower,
        (margin, split + int(u * 0.08), w - margin - int(motif_r * 2.6), h - margin),
        align="left",
        valign="center",
    )
    motif = theme_motif(brief.theme, page.rng)
    MOTIFS[motif](page.image, w - margin - motif_r, (taken[1] + taken[3]) / 2, motif_r, dot, p.background)
    _price_badge(page, brief, w - u * 0.2, split + u * 0.22, u * 0.12, _decorative(p.background, p.accent, p.surface))


def arch(page: Page, brief: Brief) -> None:
    """A rising sun of concentric arcs over a horizon line, the type set below it."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    cx, cy, radius = w / 2, h * 0.42, u * 0.34
    white = (255, 255, 255)
    rings = [p.surface, p.accent, blend(p.accent, white, 0.4), blend(p.accent, white, 0.7)]
    for index, colour in enumerate(rings):
        r = radius * (1 - index * 0.2)
        fill_ellipse(page.image, (cx - r, cy - r, cx + r, cy + r), colour)
    page.image.paste(p.background, (0, int(cy), w, h))
    line_colour = _decorative(p.background, p.surface, p.accent)
    page.draw.rectangle((int(u * 0.08), int(cy), int(w - u * 0.08), int(cy + max(2, u * 0.006))), fill=line_colour)
    ink = _on(p.background, p.ink)
    lines = _title_lines(page, brief, ink, size=0.15, kicker_colour=_on(p.background, p.accent, p.ink))
    lines += [Line(brief.subtitle, page.fonts.body, 0.055, _on(p.background, p.soft, p.ink), gap=0.9, max_lines=3)]
    lines += [Line(d, page.fonts.label, 0.05, ink, gap=0.6, max_lines=2) for d in _detail_lines(brief)]
    margin = int(u * 0.09)
    page.stack(lines, (margin, int(cy + u * 0.07), w - margin, h - margin))
    _price_badge(page, brief, w - u * 0.16, u * 0.16, u * 0.11, _decorative(p.background, p.accent, p.surface))


def bold(page: Page, brief: Brief) -> None:
    """Loud: diagonal stripes in the corners, huge type, a round price badge."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    stripe = _decorative(p.background, p.surface, p.accent)
    for k in range(3):
        o = u * (0.06 + k * 0.085)
        t = u * 0.04
        fill_polygon(page.image, [(0, o), (o, 0), (o + t, 0), (0, o + t)], stripe)
        fill_polygon(page.image, [(w, h - o), (w - o, h), (w - o - t, h), (w, h - o - t)], stripe)
    ink = _on(p.background, p.ink, p.accent)
    title = brief.title if brief.verbatim else brief.title.upper()
    margin = int(u * 0.09)
    wide = w > h * 1.3
    badge_r = u * (0.17 if not wide else 0.22)
    grow = 1.5 if wide else 1.0
    lines = [
        Line(brief.kicker.upper(), page.fonts.label, 0.04 * grow, ink, tracking=0.2),
        Line(title, page.fonts.display, 0.2 * grow * (1.4 if len(title) <= 12 else 1.0), ink, leading=0.92),
        Line(
            brief.subtitle,
            page.fonts.label,
            (0.075 if wide else 0.06) * grow,
            _on(p.background, p.surface, p.accent, p.ink),
            gap=0.6,
            max_lines=2,
        ),
    ]
    lines += [
        Line(d, page.fonts.body, (0.06 if wide else 0.05) * grow, ink, gap=0.5, max_lines=2)
        for d in _detail_lines(brief)
    ]
    if wide:
        text_box = (margin + int(u * 0.1), margin, int(w - badge_r * 2.6), h - margin)
        page.stack(lines, text_box, align="left")
        _price_badge(page, brief, w - badge_r * 1.45, h / 2, badge_r, _decorative(p.background, p.surface, p.accent))
        if not brief.price:
            MOTIFS["sparkle"](page.image, w - badge_r * 1.45, h / 2, badge_r * 0.7, stripe, p.background)
        return
    top = int(h * 0.3) if brief.price else int(h * 0.16)
    page.stack(lines, (margin, top, w - margin, h - margin - int(u * 0.08)))
    _price_badge(
        page,
        brief,
        w - badge_r * 1.25,
        badge_r * 1.25,
        badge_r,
        _decorative(p.background, p.surface, p.accent),
    )


def party(page: Page, brief: Brief) -> None:
    """Balloons and confetti around a clear centre: birthdays and parties."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    colours = [c for c in p.extras if contrast_ratio(c, p.background) >= 1.3] or [p.accent]
    clear = (int(w * 0.1), int(h * 0.27), int(w * 0.9), int(h * 0.86))
    r = u * 0.075
    spots = [(w * 0.12, h * 0.1), (w * 0.22, h * 0.16), (w * 0.88, h * 0.1), (w * 0.78, h * 0.16)]
    confetti(
        page.image,
        page.rng,
        colours,
        count=int(70 * w * h / 1.0e6) + 20,
        size=u * 0.016,
        keep_clear=[
            clear,
            *[(int(x - r * 1.5), int(y - r * 1.5), int(x + r * 1.5), int(y + r * 4)) for x, y in spots],
        ],
    )
    string = _decorative(p.background, p.soft, p.ink)
    for index, (x, y) in enumerate(spots):
        balloon(page.image, x, y, r * (1.0 if index % 2 == 0 else 0.85), colours[index % len(colours)], string)
    if brief.age:
        ar = u * 0.09
        badge = _decorative(p.background, p.surface, p.accent)
        fill_ellipse(page.image, (w / 2 - ar, h * 0.15 - ar, w / 2 + ar, h * 0.15 + ar), badge)
        inner = int(ar * 0.7)
        page.text(
            brief.age,
            page.fonts.display,
            box=(int(w / 2) - inner, int(h * 0.15) - inner, int(w / 2) + inner, int(h * 0.15) + inner),
            size=ar * 1.1 / u,
            colour=_on(badge, p.background),
            valign="center",
            max_lines=1,
        )
    title_colour = _on(p.background, p.surface, p.ink)
    lines = _title_lines(page, brief, title_colour, size=0.17, kicker_colour=_on(p.background, p.accent, p.ink))
    lines += [Line(brief.subtitle, page.fonts.label, 0.07, _on(p.background, p.ink), gap=0.7, max_lines=3)]
    lines += [
        Line(d, page.fonts.body, 0.045, _on(p.background, p.soft, p.ink), gap=0.6, max_lines=2)
        for d in _detail_lines(brief)
    ]
    page.stack(lines, (clear[0] + int(u * 0.04), clear[1], clear[2] - int(u * 0.04), clear[3]))


# ---------------------------------------------------------------- landscape layouts


def split(page: Page, brief: Brief) -> None:
    """Type on the left, a coloured panel with the theme's motif on the right."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    edge = int(w * 0.64)
    page.image.paste(p.surface, (edge, 0, w, h))
    pcx, pcy = (edge + w) / 2, h / 2
    pr = min(w - edge, h) * 0.36
    dark = sum(p.surface) < 380
    tint = blend(p.surface, (255, 255, 255) if dark else (0, 0, 0), 0.14 if dark else 0.08)
    big = pr * 1.25
    fill_ellipse(page.image, (pcx - big, pcy - big, pcx + big, pcy + big), tint)
    outer = pr * 1.42
    ring(page.image, (pcx - outer, pcy - outer, pcx + outer, pcy + outer), tint, max(2.0, u * 0.006))
    motif_colour = _decorative(tint, p.accent, p.background, p.ink)
    MOTIFS[theme_motif(brief.theme, page.rng)](page.image, pcx, pcy, pr * 0.85, motif_colour, tint)
    page.draw.rectangle((edge - int(u * 0.02), 0, edge, h), fill=_decorative(p.background, p.accent))
    ink = _on(p.background, p.ink)
    margin = int(u * 0.1)
    lines = _title_lines(page, brief, ink, size=0.2, kicker_colour=_on(p.background, p.accent, p.ink))
    lines += [
        Line("", page.fonts.body, 0.04, _decorative(p.background, p.accent), rule=0.2, gap=1.0),
        Line(brief.subtitle, page.fonts.body, 0.075, _on(p.background, p.soft, p.ink), gap=0.8, max_lines=2),
    ]
    lines += [Line(d, page.fonts.label, 0.06, ink, gap=0.5, max_lines=1) for d in _detail_lines(brief, limit=34)]
    page.stack(lines, (margin, margin, edge - margin, h - margin), align="left")
    _price_badge(page, brief, pcx, pcy + pr * 1.1, pr * 0.55, _decorative(p.surface, p.accent, p.background))


# ---------------------------------------------------------------- kinds with their own layout


def business_card(page: Page, brief: Brief) -> None:
    """Name, role and contacts on the left, a monogram on the right, an accent bar at the edge."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    page.draw.rectangle((0, 0, int(w * 0.025), h), fill=_decorative(p.background, p.accent))
    words = [w for w in brief.title.split() if not w.endswith(".") and w[:1].isalnum()]
    initials = ("".join(w[0] for w in words[:1] + words[1:][-1:]) or "\u2022").upper()
    cx, cy, r = w * 0.8, h * 0.5, min(h * 0.26, w * 0.16)
    fill_ellipse(page.image, (cx - r, cy - r, cx + r, cy + r), _decorative(p.background, p.surface))
    ring(
        page.image,
        (cx - r * 1.12, cy - r * 1.12, cx + r * 1.12, cy + r * 1.12),
        _decorative(p.background, p.accent),
        max(2.0, u * 0.006),
    )
    inner = int(r * 0.72)
    page.text(
        initials,
        page.fonts.display,
        box=(int(cx) - inner, int(cy) - inner, int(cx) + inner, int(cy) + inner),
        size=r * 0.9 / u,
        colour=_on(p.surface, p.background),
        valign="center",
        max_lines=1,
    )
    ink = _on(p.background, p.ink)
    lines = [
        Line(brief.title, page.fonts.display, 0.13, ink, leading=0.95, max_lines=2),
        Line(
            brief.subtitle.upper(),
            page.fonts.label,
            0.045,
            _on(p.background, p.accent, p.ink),
            gap=0.5,
            tracking=0.14,
            max_lines=2,
        ),
        Line("", page.fonts.body, 0.03, _decorative(p.background, p.accent), rule=0.25, gap=1.6),
    ]
    lines += [
        Line(d, page.fonts.body, 0.05, _on(p.background, p.soft, p.ink), gap=0.6, max_lines=1)
        for d in _detail_lines(brief, joined=False)
    ]
    margin = int(u * 0.12)
    page.stack(lines, (int(w * 0.025) + margin, margin, int(cx - r * 1.3), h - margin), align="left")


def menu(page: Page, brief: Brief) -> None:
    """A menu: heading, then items with dotted leaders to their prices."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    accent = _decorative(p.background, p.accent, p.surface)
    _frame(page, u * 0.04, accent, u * 0.004)
    ink = _on(p.background, p.ink)
    margin = int(u * 0.12)
    heading = _title_lines(page, brief, ink, size=0.13, kicker_colour=_on(p.background, p.accent, p.ink))
    heading += [Line(brief.subtitle, page.fonts.body, 0.045, _on(p.background, p.soft, p.ink), gap=0.6, max_lines=2)]
    taken = page.stack(heading, (margin, int(h * 0.07), w - margin, int(h * 0.3)), valign="bottom")
    MOTIFS[theme_motif(brief.theme, page.rng)](page.image, w / 2, taken[3] + u * 0.07, u * 0.035, accent, p.background)
    footer = "  ·  ".join(brief.details)
    bottom = h - margin - (int(u * 0.06) if footer else 0)
    top = int(taken[3] + u * 0.14)
    items = brief.items[:16]
    columns = 2 if w > h * 1.2 and len(items) > 4 else 1
    per_column = -(-len(items) // columns)
    gutter = int(u * 0.1)
    column_width = (w - 2 * margin - gutter * (columns - 1)) // columns
    for index in range(columns):
        left = margin + index * (column_width + gutter)
        _menu_column(
            page, items[index * per_column : (index + 1) * per_column], (left, top, left + column_width, bottom)
        )
    if footer:
        page.text(
            footer,
            page.fonts.label,
            box=(margin, bottom, w - margin, h - int(u * 0.07)),
            size=0.035,
            colour=_on(p.background, p.soft, p.ink),
            valign="center",
            max_lines=1,
        )


def _menu_column(page: Page, items: tuple[MenuItem, ...], box: Box) -> None:
    """Menu items down a column: name on the left, price on the right, a dotted leader between."""
    if not items:
        return
    p, u = page.palette, page.unit
    ink = _on(p.background, p.ink)
    left, top, right, bottom = box
    row = min((bottom - top) / len(items), u * 0.09)
    size = row * 0.5
    y = top + (bottom - top - row * len(items)) / 2
    for item in items:
        y0, y1 = int(y), int(y + row)
        price_box = page.text(
            item.price,
            page.fonts.label,
            box=(left + (right - left) * 2 // 3, y0, right, y1),
            size=size / u,
            colour=ink,
            align="right",
            valign="center",
            max_lines=1,
            min_size=10,
        )
        name_right = (price_box[0] if price_box else right) - int(u * 0.02)
        name_box = page.text(
            item.name,
            page.fonts.body,
            box=(left, y0, name_right, y1),
            size=size / u,
            colour=ink,
            align="left",
            valign="center",
            max_lines=1,
            min_size=10,
        )
        if name_box and price_box:
            dot_y = name_box[3] - max(2, int(size * 0.08))
            x = name_box[2] + size * 0.4
            while x < price_box[0] - size * 0.4:
                page.draw.ellipse((x - 1.5, dot_y - 1.5, x + 1.5, dot_y + 1.5), fill=_decorative(p.background, p.soft))
                x += size * 0.35
        y += row


def certificate(page: Page, brief: Brief) -> None:
    """A formal certificate: double border, heading, the name on a line, a seal, signature lines."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    page.image.paste(p.background, (0, 0, w, h))
    frame_colour = _decorative(p.background, p.surface)
    gold = _decorative(p.background, p.accent)
    _frame(page, u * 0.03, frame_colour, u * 0.025)
    _frame(page, u * 0.07, gold, u * 0.004)
    for cx, cy in (
        (u * 0.07, u * 0.07),
        (w - u * 0.07, u * 0.07),
        (u * 0.07, h - u * 0.07),
        (w - u * 0.07, h - u * 0.07),
    ):
        d = u * 0.03
        fill_polygon(page.image, [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)], gold)
    ink = _on(p.background, p.ink)
    title, _, rest = brief.title.partition(" of ")
    heading = [
        Line(title.upper(), page.fonts.display, 0.11, ink, tracking=0.12, max_lines=2),
        Line(
            f"of {rest}".upper() if rest else "",
            page.fonts.label,
            0.045,
            _on(p.background, p.accent, p.ink),
            tracking=0.3,
            gap=0.6,
        ),
        Line(brief.kicker, page.fonts.body, 0.035, _on(p.background, p.soft, p.ink), gap=2.2),
    ]
    margin = int(u * 0.16)
    page.stack(heading, (margin, int(h * 0.13), w - margin, int(h * 0.48)), valign="bottom")
    name_box = page.text(
        brief.subtitle,
        page.fonts.accent,
        box=(margin, int(h * 0.5), w - margin, int(h * 0.66)),
        size=0.1,
        colour=_on(p.background, p.surface, p.ink),
        valign="center",
        max_lines=2,
    )
    line_y = (name_box[3] if name_box else int(h * 0.64)) + int(u * 0.025)
    page.draw.rectangle((int(w * 0.28), line_y, int(w * 0.72), line_y + max(2, int(u * 0.003))), fill=gold)
    details = [
        Line(d, page.fonts.body, 0.032, _on(p.background, p.soft, p.ink), gap=0.5, max_lines=2) for d in brief.details
    ]
    page.stack(details, (margin, line_y + int(u * 0.03), w - margin, int(h * 0.76)), valign="top")
    seal_r = u * 0.085
    sx, sy = w / 2, h * 0.84
    for k in range(24):
        a = k * math.pi / 12
        fill_ellipse(
            page.image,
            (
                sx + math.cos(a) * seal_r - seal_r * 0.22,
                sy + math.sin(a) * seal_r - seal_r * 0.22,
                sx + math.cos(a) * seal_r + seal_r * 0.22,
                sy + math.sin(a) * seal_r + seal_r * 0.22,
            ),
            gold,
        )
    fill_ellipse(page.image, (sx - seal_r, sy - seal_r, sx + seal_r, sy + seal_r), gold)
    ring(
        page.image,
        (sx - seal_r * 0.78, sy - seal_r * 0.78, sx + seal_r * 0.78, sy + seal_r * 0.78),
        blend(gold, (255, 255, 255), 0.45),
        max(2.0, u * 0.004),
    )
    MOTIFS["star"](page.image, sx, sy, seal_r * 0.5, blend(gold, (255, 255, 255), 0.45), gold)
    for x0, label in ((w * 0.16, "Date"), (w * 0.6, "Signature")):
        y = h * 0.86
        page.draw.rectangle((int(x0), int(y), int(x0 + w * 0.24), int(y + max(2, u * 0.002))), fill=ink)
        page.text(
            label.upper(),
            page.fonts.label,
            box=(int(x0), int(y + u * 0.015), int(x0 + w * 0.24), int(y + u * 0.06)),
            size=0.025,
            colour=_on(p.background, p.soft, p.ink),
            tracking=0.2,
            max_lines=1,
        )


def scene_card(page: Page, brief: Brief) -> None:
    """Type on a translucent card laid over a drawn scene, which `render_design` has painted first."""
    p, u, w, h = page.palette, page.unit, page.width, page.height
    wide = w > h * 1.2
    margin = int(u * 0.07)
    pad = int(u * 0.05)
    ink = _on(p.background, p.ink)
    lines = _title_lines(page, brief, ink, size=0.14, kicker_colour=_on(p.background, p.accent, p.ink))
    lines += [
        Line("", page.fonts.body, 0.03, _decorative(p.background, p.accent), rule=0.2, gap=1.0),
        Line(brief.subtitle, page.fonts.body, 0.05, _on(p.background, p.soft, p.ink), gap=0.8, max_lines=2),
    ]
    lines += [Line(d, page.fonts.label, 0.042, ink, gap=0.5, max_lines=2) for d in _detail_lines(brief)]
    most = (margin, margin, int(w * 0.55), h - margin) if wide else (margin, margin, w - margin, int(h * 0.5))
    needed = page.measure(lines, most[2] - most[0] - 2 * pad, most[3] - most[1] - 2 * pad) + 2 * pad
    top = (h - needed) // 2 if wide else most[1]
    box = (most[0], top, most[2], top + needed)
    overlay = Image.new("L", page.image.size, 0)
    ImageDraw.Draw(overlay).rounded_rectangle(box, radius=int(u * 0.03), fill=int(255 * 0.96))
    page.image.paste(p.background, (0, 0, w, h), overlay)
    page.stack(lines, (box[0] + pad, box[1] + pad, box[2] - pad, box[3] - pad), align="left" if wide else "center")
    _price_badge(page, brief, w - u * 0.17, h - u * 0.17, u * 0.12, _decorative(p.background, p.accent))


LAYOUTS: dict[str, Callable[[Page, Brief], None]] = {
    "classic": classic,
    "band": band,
    "arch": arch,
    "bold": bold,
    "party": party,
    "split": split,
    "business-card": business_card,
    "menu": menu,
    "certificate": certificate,
    "scene-card": scene_card,
}


def choose_layout(brief: Brief, width: int, height: int, seed: int) -> str:
    """The layout: fixed for kinds that have their own, else a seeded pick among those that suit."""
    if brief.kind in {"business-card", "menu", "certificate"}:
        return brief.kind
    if brief.scene is not None:
        return "scene-card"
    wide = width > height * 1.3
    sale = brief.theme == "sale" or bool(brief.price)
    if brief.kind == "birthday-card" or brief.theme in {"birthday", "kids"}:
        options = ["party"]
    elif wide:
        options = ["bold"] if sale else ["split", "bold"]
    elif sale:
        options = ["bold"]
    elif brief.kind in {"invitation", "card"} or brief.theme in {"wedding", "certificate"}:
        options = ["classic", "arch"]
    elif brief.subtitle or brief.details:
        options = ["classic", "band", "arch"]
    else:
        options = ["classic", "arch"]
    return options[seed % len(options)]
