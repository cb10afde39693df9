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


def test_color_splash_keeps_red_and_greys_the_rest(photo: Image.Image) -> None:
    out = np.asarray(apply("color_splash", photo, keep="red")).astype(int)
    disc = out[60, 80]  # inside the red disc
    sky = out[10, 300]
    box = out[150, 220]  # the yellow box
    assert disc[0] - disc[2] > 100
    assert abs(sky[0] - sky[2]) <= 1
    assert abs(box[0] - box[2]) <= 1


def test_tilt_shift_keeps_the_middle_sharp(photo: Image.Image) -> None:
    out = np.asarray(apply("tilt_shift", photo, focus=0.5, band=0.2)).astype(int)
    before = np.asarray(photo).astype(int)
    assert np.array_equal(out[110:130], before[110:130])
    assert np.abs(np.diff(out[:20], axis=1)).mean() < np.abs(np.diff(before[:20], axis=1)).mean() * 0.7


def test_drop_shadow_grows_the_canvas_and_darkens_below_right(photo: Image.Image) -> None:
    out = apply("drop_shadow", photo, offset=8, blur=4, background="white")
    margin = 8 + 8
    assert out.size == (320 + 2 * margin, 240 + 2 * margin)
    assert out.getpixel((0, 0)) == (255, 255, 255)
    assert out.getpixel((margin + 320 + 4, margin + 120))[0] < 230  # shadow to the right
    assert np.array_equal(np.asarray(out)[margin : margin + 240, margin : margin + 320], np.asarray(photo))


def test_drop_shadow_without_background_is_transparent(photo: Image.Image) -> None:
    out = apply("drop_shadow", photo)
    assert out.mode == "RGBA"
    assert out.getpixel((0, 0))[3] == 0
