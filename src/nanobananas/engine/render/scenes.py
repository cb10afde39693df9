"""Landscapes drawn with numpy: sea, beach, mountains, forest, city, field, desert, sky, at any hour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from nanobananas.engine.render.brief import Scene
from nanobananas.engine.render.shapes import RGB, blend, glow, vertical_gradient

__all__ = ["LANDSCAPES", "SKIES", "Sky", "draw_scene"]


@dataclass(frozen=True)
class Sky:
    """The light of one time of day: sky gradient, the sun or moon, and how land and water are tinted."""

    stops: tuple[tuple[float, RGB], ...]
    sun: RGB | None
    sun_height: float
    haze: RGB
    land_near: RGB
    water_top: RGB
    water_bottom: RGB
    stars: bool


SKIES: dict[str, Sky] = {
    "day": Sky(
        ((0.0, (64, 126, 206)), (0.7, (150, 196, 236)), (1.0, (200, 226, 244))),
        (255, 250, 230),
        0.22,
        (190, 214, 232),
        (44, 86, 58),
        (58, 140, 190),
        (18, 70, 120),
        False,
    ),
    "dawn": Sky(
        ((0.0, (78, 84, 150)), (0.45, (204, 146, 172)), (0.8, (250, 190, 160)), (1.0, (255, 214, 170))),
        (255, 236, 196),
        0.9,
        (236, 180, 176),
        (52, 40, 70),
        (206, 160, 170),
        (70, 60, 110),
        False,
    ),
    "sunset": Sky(
        ((0.0, (206, 88, 84)), (0.3, (236, 116, 66)), (0.72, (248, 150, 62)), (1.0, (255, 188, 96))),
        (255, 228, 160),
        0.93,
        (246, 150, 92),
        (70, 30, 44),
        (236, 128, 72),
        (96, 42, 62),
        False,
    ),
    "night": Sky(
        ((0.0, (6, 10, 30)), (0.6, (16, 26, 64)), (1.0, (38, 54, 104))),
        (238, 240, 226),
        0.2,
        (40, 54, 100),
        (8, 12, 24),
        (24, 36, 80),
        (6, 10, 26),
        True,
    ),
}

LANDSCAPES = ("sea", "beach", "mountains", "forest", "city", "field", "desert", "sky")


def draw_scene(scene: Scene, width: int, height: int, seed: int) -> Image.Image:
    """Draw `scene` at `width` x `height`; the same seed always gives the same picture."""
    rng = np.random.default_rng(seed)
    sky = SKIES.get(scene.time, SKIES["day"])
    horizon = {"sea": 0.6, "beach": 0.55, "sky": 0.8, "city": 0.72, "field": 0.55, "desert": 0.62}.get(
        scene.landscape, 0.7
    )
    h_px = int(height * horizon)
    canvas = np.zeros((height, width, 3), dtype=np.float32)
    canvas[:h_px] = vertical_gradient(width, h_px, sky.stops)
    canvas[h_px:] = np.array(sky.haze, dtype=np.float32)
    if sky.stars:
        _stars(canvas[:h_px], rng, density=0.0016 if scene.landscape == "sky" else 0.0007)
        if scene.landscape == "sky":
            _milky_way(canvas[:h_px], rng)
    body_x = width * float(rng.uniform(0.55, 0.7))
    if scene.landscape in {"mountains", "forest", "sky"} and scene.time != "night":
        body_y = h_px - height * 0.3
    elif sky.sun_height > 0.8:
        body_y = h_px - height * 0.04
    else:
        body_y = h_px * sky.sun_height + height * 0.05
    radius = min(width, height) * (0.075 if scene.time in {"sunset", "dawn"} else 0.055)
    if sky.sun is not None:
        _sun_or_moon(canvas, sky, scene.time, body_x, body_y, radius)
    if scene.time == "day":
        _clouds(canvas, rng, h_px)
    draw = {
        "sea": _sea,
        "beach": _beach,
        "mountains": _mountains,
        "forest": _forest,
        "city": _city,
        "field": _field,
        "desert": _desert,
        "sky": _hills,
    }.get(scene.landscape, _mountains)
    draw(canvas, rng, sky, scene.time, h_px, body_x, radius)
    return Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")


# ---------------------------------------------------------------- sky


def _stars(region: np.ndarray, rng: np.random.Generator, density: float) -> None:
    height, width = region.shape[:2]
    count = int(width * height * density)
    ys, xs = rng.integers(0, height, count), rng.integers(0, width, count)
    brightness = rng.power(3.0, count).astype(np.float32) * 0.85 + 0.15
    brightness *= np.clip(1.1 - ys / max(height, 1) * 0.6, 0.3, 1.0)
    layer = np.zeros((height, width), dtype=np.float32)
    np.maximum.at(layer, (ys, xs), brightness * 255)
    halo = np.asarray(Image.fromarray(layer.astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(1.6)), np.float32)
    light = np.clip(layer + halo * 2.2, 0, 255)[..., None] / 255.0
    region += (np.array([250, 248, 236], np.float32) - region) * light
    bright = np.argsort(brightness)[-max(3, count // 250) :]
    image = Image.fromarray(np.clip(region, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for i in bright:
        x, y, r = int(xs[i]), int(ys[i]), max(3, int(min(width, height) * 0.008 * brightness[i]))
        draw.line((x - r, y, x + r, y), fill=(232, 236, 255))
        draw.line((x, y - r, x, y + r), fill=(232, 236, 255))
    region[...] = np.asarray(image, np.float32)


def _milky_way(region: np.ndarray, rng: np.random.Generator) -> None:
    height, width = region.shape[:2]
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    slope = float(rng.uniform(-0.5, -0.25))
    centre = height * float(rng.uniform(0.35, 0.55)) + slope * (xx - width / 2)
    band = np.exp(-(((yy - centre) / (height * 0.16)) ** 2))
    small = rng.random((max(2, height // 16), max(2, width // 16))).astype(np.float32)
    texture = (
        np.asarray(
            Image.fromarray((small * 255).astype(np.uint8), "L").resize((width, height), Image.Resampling.BICUBIC),
            np.float32,
        )
        / 255
    )
    light = (band * (0.35 + 0.65 * texture) * 0.28)[..., None]
    region += (np.array([150, 140, 200], np.float32) - region) * light


def _sun_or_moon(canvas: np.ndarray, sky: Sky, time: str, x: float, y: float, r: float) -> None:
    assert sky.sun is not None
    if time == "night":
        glow(canvas, (x, y), r * 4, (120, 140, 200), 0.35)
    else:
        glow(canvas, (x, y), r * 7, blend(sky.sun, sky.stops[-1][1], 0.3), 0.55)
    height, width = canvas.shape[:2]
    y0, y1 = max(0, int(y - r - 2)), min(height, int(y + r + 3))
    x0, x1 = max(0, int(x - r - 2)), min(width, int(x + r + 3))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    cover = np.clip(r - np.sqrt((xx - x) ** 2 + (yy - y) ** 2) + 0.5, 0, 1)[..., None]
    if time == "night":
        shadow = np.clip(r * 0.95 - np.sqrt((xx - x - r * 0.45) ** 2 + (yy - y + r * 0.2) ** 2) + 0.5, 0, 1)[..., None]
        cover = cover * (1 - shadow)
    canvas[y0:y1, x0:x1] += (np.array(sky.sun, np.float32) - canvas[y0:y1, x0:x1]) * cover


def _clouds(canvas: np.ndarray, rng: np.random.Generator, horizon: int) -> None:
    _height, width = canvas.shape[:2]
    scale = 4
    layer = Image.new("L", (max(1, width // scale), max(1, horizon // scale)), 0)
    draw = ImageDraw.Draw(layer)
    for _ in range(int(rng.integers(3, 6))):
        cx = float(rng.uniform(0, layer.width))
        cy = float(rng.uniform(layer.height * 0.12, layer.height * 0.6))
        size = layer.width * float(rng.uniform(0.04, 0.08))
        for _ in range(7):
            dx, dy = float(rng.normal(0, size * 1.1)), float(rng.normal(0, size * 0.25))
            s = size * float(rng.uniform(0.6, 1.1))
            draw.ellipse((cx + dx - s * 1.4, cy + dy - s * 0.7, cx + dx + s * 1.4, cy + dy + s * 0.7), fill=235)
    layer = layer.filter(ImageFilter.GaussianBlur(3)).resize((width, horizon), Image.Resampling.BILINEAR)
    alpha = np.asarray(layer, np.float32)[..., None] / 255.0
    canvas[:horizon] += (np.array([252, 252, 255], np.float32) - canvas[:horizon]) * alpha * 0.9


# ---------------------------------------------------------------- land and water


def _ridge(rng: np.random.Generator, width: int, base: float, amplitude: float, roughness: float = 0.55) -> np.ndarray:
    """A mountain-like profile by midpoint displacement: y of the ridge for every x."""
    points = np.array([rng.uniform(-1, 1), rng.uniform(-1, 1)], dtype=np.float64)
    spread = 1.0
    while len(points) < 257:
        mids = (points[:-1] + points[1:]) / 2 + rng.uniform(-spread, spread, len(points) - 1)
        merged = np.empty(len(points) * 2 - 1)
        merged[0::2], merged[1::2] = points, mids
        points, spread = merged, spread * roughness
    points = (points - points.min()) / max(float(np.ptp(points)), 1e-6)
    profile = np.interp(np.linspace(0, len(points) - 1, width), np.arange(len(points)), points)
    ridge: np.ndarray = (base - profile * amplitude).astype(np.float32)
    return ridge


def _fill_below(canvas: np.ndarray, ridge: np.ndarray, top: RGB, bottom: RGB | None = None) -> None:
    height, _width = canvas.shape[:2]
    y0 = max(0, int(ridge.min()) - 1)
    yy = np.arange(y0, height, dtype=np.float32)[:, None]
    cover = np.clip(yy - ridge[None, :] + 0.5, 0, 1)[..., None]
    colour = np.array(top, np.float32)
    if bottom is not None:
        t = np.clip((yy - y0) / max(height - y0, 1), 0, 1)[..., None]
        colour = colour + (np.array(bottom, np.float32) - colour) * t
    canvas[y0:] += (colour - canvas[y0:]) * cover


def _water(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, top: int, bottom: int, x: float, r: float) -> None:
    width = canvas.shape[1]
    if bottom <= top:
        return
    canvas[top:bottom] = vertical_gradient(width, bottom - top, ((0.0, sky.water_top), (1.0, sky.water_bottom)))
    depth = np.linspace(0, 1, bottom - top, dtype=np.float32)[:, None]
    xx = np.arange(width, dtype=np.float32)[None, :]
    waves = np.sin(xx / (6 + depth * 40) + rng.uniform(0, 6.28, (bottom - top, 1)).astype(np.float32))
    rows = rng.uniform(0.4, 1.0, (bottom - top, 1)).astype(np.float32)
    canvas[top:bottom] *= (1 - 0.05 * (waves > 0.6) * rows)[..., None]
    if sky.sun is not None:
        half = r * (0.7 + depth * 2.6) * rows
        wobble = np.sin(xx / 9 + depth * 80) * r * 0.15
        streak = np.clip(1 - np.abs(xx - x + wobble) / half, 0, 1) ** 0.6
        streak *= (np.sin(depth * 420 + rows * 20) > -0.2) * (1 - depth * 0.55)
        strength = 0.5 if sky.stars else 0.85
        canvas[top:bottom] += (np.array(sky.sun, np.float32) - canvas[top:bottom]) * streak[..., None] * strength


def _sea(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float) -> None:
    _water(canvas, rng, sky, horizon, canvas.shape[0], x, r)


def _beach(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float) -> None:
    height, width = canvas.shape[:2]
    shore = _ridge(rng, width, height * 0.74, height * 0.05, 0.45)
    _water(canvas, rng, sky, horizon, height, x, r)
    if time == "day":
        canvas[horizon:] += (np.array([40, 200, 200], np.float32) - canvas[horizon:]) * 0.35
    sand_top = (238, 214, 170) if time == "day" else blend((238, 214, 170), sky.haze, 0.45)
    sand_bottom = blend(sand_top, (150, 110, 80), 0.35)
    foam = shore - height * 0.012
    _fill_below(canvas, foam, blend((255, 255, 255), sky.haze, 0.2 if time == "day" else 0.55))
    _fill_below(canvas, shore, sand_top, sand_bottom)
    _palm(canvas, rng, sky, int(width * 0.12), int(height * 0.95), height)


def _palm(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, x: int, y: int, height: int) -> None:
    """A palm tree silhouette: a curved tapering trunk and leaf-shaped fronds."""
    layer = Image.new("L", (canvas.shape[1], canvas.shape[0]), 0)
    draw = ImageDraw.Draw(layer)
    trunk_h = height * 0.6
    top = (x + trunk_h * 0.2, y - trunk_h)
    left, right = [], []
    for t in np.linspace(0, 1, 21):
        px = x + (top[0] - x) * t**1.8
        py = y + (top[1] - y) * t
        half = height * (0.02 - 0.009 * t)
        left.append((px - half, py))
        right.append((px + half, py))
    draw.polygon(left + right[::-1], fill=255)
    for angle in np.linspace(-2.9, -0.25, 7) + rng.uniform(-0.12, 0.12, 7):
        length = height * float(rng.uniform(0.2, 0.27))
        ts = np.linspace(0, 1, 18)
        xs = top[0] + np.cos(angle) * length * ts
        ys = top[1] + np.sin(angle) * length * ts + length * 0.4 * ts * ts
        dx, dy = np.gradient(xs), np.gradient(ys)
        norm = np.hypot(dx, dy) + 1e-6
        half = length * 0.09 * np.sin(np.pi * ts)
        upper = list(zip(xs - dy / norm * half, ys + dx / norm * half, strict=True))
        lower = list(zip(xs + dy / norm * half, ys - dx / norm * half, strict=True))
        draw.polygon(upper + lower[::-1], fill=255)
    nut = height * 0.014
    for dx_ in (-1.2, 0.0, 1.1):
        cx, cy = top[0] + dx_ * nut, top[1] + nut * 1.3
        draw.ellipse((cx - nut, cy - nut, cx + nut, cy + nut), fill=255)
    alpha = np.asarray(layer.filter(ImageFilter.GaussianBlur(0.8)), np.float32)[..., None] / 255.0
    canvas += (np.array(blend(sky.land_near, (0, 0, 0), 0.4), np.float32) - canvas) * alpha


def _mountains(
    canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float
) -> None:
    height, width = canvas.shape[:2]
    layers = 4
    for i in range(layers):
        t = i / (layers - 1)
        base = horizon + height * (0.02 + 0.1 * t)
        ridge = _ridge(rng, width, base, height * (0.42 - 0.22 * t), 0.52 + 0.05 * t)
        colour = blend(sky.haze, sky.land_near, 0.3 + 0.7 * t)
        _fill_below(canvas, ridge, colour, blend(colour, sky.land_near, 0.5))
        if i == 0 and time == "day":
            _snow(canvas, ridge)


def _snow(canvas: np.ndarray, ridge: np.ndarray) -> None:
    peak = float(ridge.min())
    height = canvas.shape[0]
    line = peak + (float(np.median(ridge)) - peak) * 0.45
    yy = np.arange(height, dtype=np.float32)[:, None]
    cover = (np.clip(yy - ridge[None, :] + 0.5, 0, 1) * np.clip(line - yy, 0, 1))[..., None]
    canvas += (np.array([246, 248, 252], np.float32) - canvas) * cover * 0.9


def _trees(canvas: np.ndarray, rng: np.random.Generator, base: np.ndarray, tree_h: float, colour: RGB) -> None:
    height, width = canvas.shape[:2]
    layer = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(layer)
    x = -tree_h * 0.3
    while x < width + tree_h * 0.3:
        h = tree_h * float(rng.uniform(0.65, 1.15))
        w = h * 0.36
        ground = float(base[int(np.clip(x, 0, width - 1))])
        for tier in range(4):
            top = ground - h + h * 0.21 * tier
            half = w * (0.45 + 0.55 * (tier + 1) / 4)
            draw.polygon([(x, top), (x - half, top + h * 0.4), (x + half, top + h * 0.4)], fill=255)
        draw.rectangle((x - w * 0.06, ground - h * 0.1, x + w * 0.06, ground + 2), fill=255)
        x += w * float(rng.uniform(0.55, 0.9))
    ImageDraw.Draw(layer).rectangle((0, int(base.max()), width, height), fill=255)
    yy = np.arange(height)[:, None]
    mask = np.asarray(layer, np.float32)
    mask = np.maximum(mask, (yy >= base[None, :]) * 255.0)
    alpha = np.asarray(Image.fromarray(mask.astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(0.7)), np.float32)
    canvas += (np.array(colour, np.float32) - canvas) * (alpha[..., None] / 255.0)


def _forest(
    canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float
) -> None:
    height, width = canvas.shape[:2]
    far = _ridge(rng, width, horizon - height * 0.02, height * 0.12)
    _fill_below(canvas, far, blend(sky.haze, sky.land_near, 0.25))
    green = sky.land_near if time != "day" else (30, 78, 52)
    for i in range(3):
        t = i / 2
        base = _ridge(rng, width, horizon + height * (0.06 + 0.12 * t), height * 0.03, 0.4)
        colour = blend(blend(sky.haze, green, 0.5), blend(green, (0, 0, 0), 0.3), t)
        _trees(canvas, rng, base, height * (0.16 + 0.14 * t), colour)


def _hills(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float) -> None:
    height, width = canvas.shape[:2]
    far = _ridge(rng, width, horizon + height * 0.02, height * 0.1, 0.45)
    _fill_below(canvas, far, blend(sky.haze, sky.land_near, 0.6))
    near = _ridge(rng, width, horizon + height * 0.1, height * 0.07, 0.4)
    _trees(canvas, rng, near, height * 0.09, sky.land_near)


def _city(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float) -> None:
    height, width = canvas.shape[:2]
    night = time == "night"
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    lit = (255, 214, 120)
    for layer in range(2):
        colour = blend(sky.haze, sky.land_near, 0.45 if layer == 0 else 0.95)
        xcur = -float(rng.uniform(0, width * 0.05))
        while xcur < width:
            w = width * float(rng.uniform(0.04, 0.09))
            tall = height * float(rng.uniform(0.12, 0.42) if layer == 0 else rng.uniform(0.08, 0.34))
            top = horizon - tall
            draw.rectangle((xcur, top, xcur + w, horizon + 2), fill=colour)
            if rng.random() < 0.25:
                draw.rectangle((xcur + w * 0.45, top - tall * 0.12, xcur + w * 0.55, top), fill=colour)
            if layer == 1:
                cell = max(6.0, width * 0.008)
                for wy in np.arange(top + cell, horizon - cell, cell * 1.9):
                    for wx in np.arange(xcur + cell * 0.8, xcur + w - cell * 1.2, cell * 1.7):
                        if night and rng.random() < 0.38:
                            draw.rectangle((wx, wy, wx + cell * 0.8, wy + cell), fill=lit)
                        elif not night and rng.random() < 0.6:
                            draw.rectangle(
                                (wx, wy, wx + cell * 0.8, wy + cell),
                                fill=blend(colour, (200, 220, 240), 0.35),
                            )
            xcur += w * float(rng.uniform(0.9, 1.15))
    canvas[...] = np.asarray(image, np.float32)
    reflection = canvas[max(0, 2 * horizon - height) : horizon][::-1]
    water = blend(sky.water_bottom, (0, 0, 0), 0.2)
    rows = height - horizon
    canvas[horizon : horizon + len(reflection)] = reflection[:rows] * 0.55 + np.array(water, np.float32) * 0.45
    ripple = np.sin(np.arange(rows, dtype=np.float32) * 1.7)[:, None, None]
    canvas[horizon:] *= 1 - 0.08 * (ripple > 0.7)


def _field(canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float) -> None:
    height, width = canvas.shape[:2]
    far = _ridge(rng, width, horizon + height * 0.02, height * 0.08, 0.4)
    _fill_below(canvas, far, blend(sky.haze, (90, 150, 90), 0.55))
    near = _ridge(rng, width, horizon + height * 0.08, height * 0.04, 0.35)
    grass_top = (96, 160, 70) if time == "day" else blend((96, 160, 70), sky.land_near, 0.55)
    _fill_below(canvas, near, grass_top, blend(grass_top, (20, 60, 20), 0.6))
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    petals = [(230, 60, 70), (250, 210, 60), (250, 250, 245), (190, 110, 220), (250, 140, 180)]
    if time != "day":
        petals = [blend(p, sky.haze, 0.35) for p in petals]
    top = int(near.min())
    count = int(width * (height - top) / 260)
    ys = top + (height - top) * np.sqrt(rng.random(count))
    order = np.argsort(ys)
    xs = rng.uniform(0, width, count)
    kinds = rng.integers(0, len(petals), count)
    for i in order:
        fx, fy = float(xs[i]), float(ys[i])
        if fy < float(near[int(min(width - 1, fx))]) + 2:
            continue
        depth = (fy - top) / max(height - top, 1)
        s = 1.5 + depth * min(width, height) * 0.016
        draw.line((fx, fy, fx, fy + s * 2), fill=(50, 110, 40), width=max(1, int(s * 0.3)))
        draw.ellipse((fx - s, fy - s * 0.8, fx + s, fy + s * 0.8), fill=petals[int(kinds[i])])
        if s > 4:
            c = s * 0.35
            draw.ellipse((fx - c, fy - c, fx + c, fy + c), fill=(250, 200, 60) if kinds[i] != 1 else (150, 90, 30))
    canvas[...] = np.asarray(image, np.float32)


def _desert(
    canvas: np.ndarray, rng: np.random.Generator, sky: Sky, time: str, horizon: int, x: float, r: float
) -> None:
    height, width = canvas.shape[:2]
    xx = np.arange(width, dtype=np.float32)
    sand = (226, 180, 120) if time == "day" else blend((226, 180, 120), sky.haze, 0.5)
    for i in range(3):
        t = i / 2
        phase, freq = float(rng.uniform(0, 6.28)), float(rng.uniform(1.2, 2.5)) / width * 6.28
        dune = horizon + height * 0.1 * t - np.sin(xx * freq + phase) * height * (0.05 + 0.03 * t)
        colour = blend(blend(sand, sky.haze, 0.35), blend(sand, (120, 70, 40), 0.35), t)
        _fill_below(canvas, dune.astype(np.float32), colour, blend(colour, (0, 0, 0), 0.15))
