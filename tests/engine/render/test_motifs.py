"""Motifs draw within their radius, and confetti keeps clear of the text area."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.render.motifs import MOTIFS, confetti, theme_motif


@pytest.mark.parametrize("name", sorted(MOTIFS))
def test_each_motif_draws_around_its_centre(name: str) -> None:
    image = Image.new("RGB", (400, 400), (255, 255, 255))
    MOTIFS[name](image, 200, 200, 80, (200, 30, 30), (255, 255, 255))
    changed = np.argwhere(np.asarray(image).sum(-1) < 765)
    assert len(changed) > 500
    assert changed.min() >= 200 - 80 * 1.8
    assert changed.max() <= 200 + 80 * 1.8


def test_confetti_leaves_the_clear_box_untouched() -> None:
    image = Image.new("RGB", (600, 600), (255, 255, 255))
    confetti(image, random.Random(4), [(255, 0, 0), (0, 0, 255)], count=200, size=10, keep_clear=[(150, 150, 450, 450)])
    a = np.asarray(image)
    assert (a[150:450, 150:450] == 255).all()
    assert (a.sum(-1) < 765).mean() > 0.03


def test_themes_have_their_motif() -> None:
    rng = random.Random(0)
    assert theme_motif("night", rng) == "moon"
    assert theme_motif("coffee", rng) == "cup"
    assert theme_motif("", random.Random(1)) == theme_motif("", random.Random(1))
