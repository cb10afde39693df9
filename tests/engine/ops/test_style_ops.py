"""Style ops: pencil sketch, charcoal, cartoon, oil painting, watercolour, halftone."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from .conftest import apply


def _is_gray(image: Image.Image) -> bool:
    p = np.asarray(image.convert("RGB")).astype(np.int32)
    return bool((p[..., 0] == p[..., 1]).all() and (p[..., 1] == p[..., 2]).all())


@pytest.mark.parametrize("name", ["pencil_sketch", "charcoal"])
def test_drawings_are_gray_and_mostly_paper(photo: Image.Image, name: str) -> None:
    out = apply(name, photo)
    assert out.size == photo.size
    assert _is_gray(out)
    if name == "pencil_sketch":
        assert np.asarray(out.convert("L")).mean() > 200  # white paper with pencil lines


def test_pencil_sketch_draws_the_edges(photo: Image.Image) -> None:
    gray = np.asarray(apply("pencil_sketch", photo).convert("L"))
    # The disc's outline (x=48 at y=60) is darker than the flat sky inside the disc.
    assert gray[60, 46:51].min() < gray[60, 80] - 20


@pytest.mark.parametrize("name", ["cartoon", "oil_painting", "watercolor"])
def test_paint_styles_change_colour_images(photo: Image.Image, name: str) -> None:
    out = apply(name, photo)
    assert out.size == photo.size
    assert out.mode == "RGB"
    assert np.abs(np.asarray(out).astype(int) - np.asarray(photo).astype(int)).mean() > 2
    assert not _is_gray(out)


def test_cartoon_flattens_colours(photo: Image.Image) -> None:
    out = np.asarray(apply("cartoon", photo))
    assert len(np.unique(out.reshape(-1, 3), axis=0)) <= 8**3 + 1


def test_halftone_is_black_dots_on_white(photo: Image.Image) -> None:
    out = np.asarray(apply("halftone", photo, cell=8))
    colours = np.unique(out.reshape(-1, 3), axis=0)
    assert colours.tolist()[0] == [0, 0, 0]
    assert colours.tolist()[-1] == [255, 255, 255]
    assert _is_gray(Image.fromarray(out))


def test_glow_brightens_without_changing_the_size(photo: Image.Image) -> None:
    out = apply("glow", photo, amount=0.6)
    assert out.size == photo.size
    assert np.asarray(out).mean() > np.asarray(photo).mean() + 5


def test_emboss_is_a_gray_relief(photo: Image.Image) -> None:
    out = apply("emboss", photo)
    assert _is_gray(out)
    gray = np.asarray(out.convert("L")).astype(int)
    assert abs(int(np.median(gray)) - 128) <= 4  # flat areas sit at middle grey
