"""Product photos measured: the product centred within 2%, the background the preset's colour, the shadow."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.tools import ToolError, run_tool
from nanobananas.engine.tools.product_photo import PRESETS


def _product_box(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """The box of the dark red product (red well above green and blue), in output pixels."""
    red = (pixels[..., 0].astype(np.int16) - pixels[..., 1] > 60) & (pixels[..., 0] > 100)
    ys, xs = np.nonzero(red)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("preset", ["amazon", "shopify", "white", "gradient"])
def test_the_product_is_centred_in_a_2000_px_square(product: Image.Image, preset: str) -> None:
    result = run_tool("product-photo", [product], {"preset": preset})
    [output] = result.outputs
    assert output.name == "product"
    assert output.image is not None
    assert output.image.size == (2000, 2000)
    left, top, right, bottom = _product_box(np.asarray(output.image))
    assert abs((left + right) / 2 - 1000) <= 0.02 * 2000
    assert abs((top + bottom) / 2 - 1000) <= 0.02 * 2000
    # The product (200x240 in the photo) fills the preset's share of the frame along its longer side.
    assert abs((bottom - top) - PRESETS[preset].fill * 2000) <= 0.02 * 2000


def test_amazon_background_is_pure_white(product: Image.Image) -> None:
    pixels = np.asarray(run_tool("product-photo", [product], {"preset": "amazon"}).outputs[0].image, dtype=np.int16)
    for corner in (pixels[:100, :100], pixels[:100, -100:], pixels[-100:, :100], pixels[-100:, -100:]):
        assert np.abs(corner - 255).max() <= 2


def test_gradient_runs_from_white_to_a_soft_grey(product: Image.Image) -> None:
    pixels = np.asarray(run_tool("product-photo", [product], {"preset": "gradient"}).outputs[0].image, dtype=np.int16)
    assert np.abs(pixels[2, 20] - (255, 255, 255)).max() <= 3
    assert np.abs(pixels[-3, 20] - (222, 226, 232)).max() <= 3


def test_etsy_is_4_by_3(product: Image.Image) -> None:
    image = run_tool("product-photo", [product], {"preset": "etsy"}).outputs[0].image
    assert image is not None
    assert image.size == (2000, 1500)


def test_a_soft_contact_shadow_lies_under_the_product_only_when_asked(product: Image.Image) -> None:
    shaded = np.asarray(run_tool("product-photo", [product], {"preset": "white"}).outputs[0].image, dtype=np.int16)
    plain = np.asarray(
        run_tool("product-photo", [product], {"preset": "white", "shadow": False}).outputs[0].image, dtype=np.int16
    )
    left, _, right, bottom = _product_box(shaded)
    below = slice(bottom + 4, bottom + 12), slice((left + right) // 2 - 50, (left + right) // 2 + 50)
    assert 255 - shaded[below].mean() > 8
    assert np.abs(plain[below] - 255).max() <= 2
    # The shadow is soft and local: far from the product the background is untouched.
    assert np.abs(shaded[:200] - 255).max() <= 2


def test_the_size_parameter_and_the_preview(product: Image.Image) -> None:
    big = run_tool("product-photo", [product], {"size": 1200}).outputs[0].image
    small = run_tool("product-photo", [product], {}, preview=True).outputs[0].image
    assert big is not None
    assert small is not None
    assert (big.size, small.size) == ((1200, 1200), (512, 512))


def test_a_plain_picture_has_no_product() -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("product-photo", [Image.new("RGB", (400, 300), (200, 200, 200))], {})
    assert caught.value.code == "no_subject"


def test_a_size_out_of_range_is_refused(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("product-photo", [product], {"size": 50})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "size")
