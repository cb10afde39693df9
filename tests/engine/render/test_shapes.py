"""Drawing primitives: colour mixing, gradients, glows and anti-aliased shapes."""

from __future__ import annotations

import numpy as np
from PIL import Image

from nanobananas.engine.render.shapes import blend, fill_ellipse, fill_polygon, glow, ring, vertical_gradient


def test_blend_mixes_by_fraction() -> None:
    assert blend((0, 0, 0), (200, 100, 50), 0.0) == (0, 0, 0)
    assert blend((0, 0, 0), (200, 100, 50), 0.5) == (100, 50, 25)
    assert blend((0, 0, 0), (200, 100, 50), 1.0) == (200, 100, 50)


def test_vertical_gradient_runs_through_its_stops() -> None:
    g = vertical_gradient(4, 101, [(0.0, (0, 0, 0)), (0.5, (100, 200, 0)), (1.0, (100, 0, 200))])
    assert g.shape == (101, 4, 3)
    assert g[0, 0].tolist() == [0, 0, 0]
    assert g[50, 3].tolist() == [100, 200, 0]
    assert g[100, 2].tolist() == [100, 0, 200]
    assert g[25, 0].tolist() == [50, 100, 0]


def test_glow_lightens_the_centre_and_leaves_far_pixels_alone() -> None:
    canvas = np.zeros((200, 200, 3), np.float32)
    glow(canvas, (100, 100), 50, (255, 255, 255), 1.0)
    assert canvas[100, 100, 0] > 200
    assert canvas[0, 0].tolist() == [0, 0, 0]
    assert canvas[100, 160].tolist() == [0, 0, 0]


def test_ellipse_is_filled_inside_and_soft_only_at_its_edge() -> None:
    image = Image.new("RGB", (100, 100), (0, 0, 0))
    fill_ellipse(image, (10, 10, 90, 90), (255, 0, 0))
    a = np.asarray(image)
    assert a[50, 50].tolist() == [255, 0, 0]
    assert a[2, 2].tolist() == [0, 0, 0]
    reds = a[..., 0]
    assert ((reds > 0) & (reds < 255)).sum() > 40


def test_shapes_outside_the_canvas_are_clipped_not_errors() -> None:
    image = Image.new("RGB", (50, 50), (0, 0, 0))
    fill_ellipse(image, (-100, -100, -10, -10), (255, 255, 255))
    fill_polygon(image, [(40, 40), (200, 40), (200, 200)], (255, 255, 255))
    ring(image, (-20, -20, 20, 20), (255, 255, 255), 3)
    a = np.asarray(image)
    assert a[45, 49].tolist() == [255, 255, 255]
    assert a[10, 40].tolist() == [0, 0, 0]


def test_opacity_mixes_with_what_is_below() -> None:
    image = Image.new("RGB", (40, 40), (0, 0, 0))
    fill_ellipse(image, (0, 0, 40, 40), (200, 200, 200), opacity=0.5)
    assert abs(int(np.asarray(image)[20, 20, 0]) - 100) <= 1
