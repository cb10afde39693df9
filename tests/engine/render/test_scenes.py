"""Drawn scenes: recognisable colours and composition, the same picture for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from nanobananas.engine.render.brief import Scene
from nanobananas.engine.render.scenes import LANDSCAPES, SKIES, draw_scene


def _luma(a: np.ndarray) -> np.ndarray:
    return 0.299 * a[..., 0] + 0.587 * a[..., 1] + 0.114 * a[..., 2]


def _share_near(a: np.ndarray, colour: tuple[int, int, int]) -> float:
    """The instruction evaluation's dominant-colour measure: pixels within an L1 distance of 90."""
    return float((np.abs(a - np.array(colour, float)).sum(-1) < 90).mean())


def test_sunset_over_the_sea_is_dominated_by_sunset_orange() -> None:
    a = np.asarray(draw_scene(Scene("sea", "sunset"), 1600, 900, seed=1)).astype(float)
    assert _share_near(a, (240, 120, 50)) > 0.3


def test_sunset_has_a_sun_disc_near_the_horizon_and_a_reflection_below() -> None:
    a = np.asarray(draw_scene(Scene("sea", "sunset"), 1600, 900, seed=1)).astype(float)
    horizon = int(900 * 0.6)
    bright = _luma(a) > 225
    sun_rows = np.nonzero(bright[:horizon].any(axis=1))[0]
    assert sun_rows.size > 0
    assert horizon - 150 < sun_rows.min() < horizon
    sun_columns = np.nonzero(bright[horizon - 30 : horizon].any(axis=0))[0]
    below = a[horizon + 20 : horizon + 200]
    column = int(sun_columns.mean())
    assert _luma(below[:, column - 20 : column + 20]).mean() > _luma(below[:, :100]).mean() + 20
    assert a[:horizon].mean(axis=(0, 1))[0] > a[horizon:].mean(axis=(0, 1))[0]


def test_night_sky_is_dark_blue_with_many_stars() -> None:
    a = np.asarray(draw_scene(Scene("sky", "night"), 1200, 800, seed=3)).astype(float)
    luma = _luma(a)
    assert luma.mean() < 60
    assert a[..., 2].mean() > a[..., 0].mean()
    assert int((luma[: 800 // 2] > 180).sum()) > 300


def test_mountains_at_dawn_have_a_warm_horizon_and_dark_ridges() -> None:
    a = np.asarray(draw_scene(Scene("mountains", "dawn"), 1200, 800, seed=5)).astype(float)
    top, bottom = a[:80].mean(axis=(0, 1)), a[-80:].mean(axis=(0, 1))
    assert top[2] > top[0]
    assert _luma(a[-80:]).mean() < _luma(a[:80]).mean()
    assert bottom[0] >= bottom[1]


def test_city_at_night_has_lit_windows() -> None:
    a = np.asarray(draw_scene(Scene("city", "night"), 1200, 800, seed=2)).astype(float)
    lit = (a[..., 0] > 230) & (a[..., 1] > 190) & (a[..., 2] < 150)
    assert lit.mean() > 0.005


def test_field_of_flowers_is_green_with_bright_petals() -> None:
    a = np.asarray(draw_scene(Scene("field", "day"), 1200, 800, seed=2)).astype(float)
    ground = a[500:]
    assert (ground[..., 1] > ground[..., 0]).mean() > 0.3
    assert ((ground[..., 0] > 200) & (ground[..., 1] < 100)).mean() > 0.01


@pytest.mark.parametrize("time", sorted(SKIES))
@pytest.mark.parametrize("landscape", LANDSCAPES)
def test_every_landscape_draws_at_every_time_of_day(landscape: str, time: str) -> None:
    image = draw_scene(Scene(landscape, time), 320, 200, seed=9)
    assert image.size == (320, 200)
    assert image.mode == "RGB"
    assert _luma(np.asarray(image).astype(float)).std() > 12


def test_the_same_seed_draws_the_same_scene_and_another_seed_differs() -> None:
    first = np.asarray(draw_scene(Scene("forest", "day"), 400, 300, seed=11))
    again = np.asarray(draw_scene(Scene("forest", "day"), 400, 300, seed=11))
    other = np.asarray(draw_scene(Scene("forest", "day"), 400, 300, seed=12))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
