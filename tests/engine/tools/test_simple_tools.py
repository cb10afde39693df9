"""Upscale, watermark and convert: measured sizes, pixels and bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.tools import ToolError, run_tool
from nanobananas.engine.tools.upscale import MAX_RESULT_PIXELS


@pytest.mark.parametrize("factor", [2, 4])
def test_upscale_gives_exactly_factor_times_the_pixels_and_says_how(photo: Image.Image, factor: int) -> None:
    result = run_tool("upscale", [photo], {"factor": factor})
    [output] = result.outputs
    assert output.image is not None
    assert output.image.size == (photo.width * factor, photo.height * factor)
    assert (output.name, output.data, result.operation) == ("upscaled", None, f"upscaled {factor}x")
    assert "Lanczos" in result.notes[0]
    assert "no super-resolution model" in result.notes[0]
    # The colours stay where they were: the middle of the red disc is still red.
    assert np.asarray(output.image)[120 * factor, 160 * factor, 0] > 180


def test_upscale_refuses_a_result_over_the_limit() -> None:
    side = int((MAX_RESULT_PIXELS / 16) ** 0.5) + 8
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [Image.new("RGB", (side, side))], {"factor": 4})
    assert caught.value.code == "too_large"
    assert "try 2x or a smaller picture" in str(caught.value)


def test_a_text_watermark_changes_only_its_corner(photo: Image.Image) -> None:
    result = run_tool("watermark", [photo], {"text": "© Anna 2026", "position": "bottom-right", "opacity": 0.5})
    marked = np.asarray(result.outputs[0].image, dtype=np.int16)
    changed = np.abs(marked - np.asarray(photo, dtype=np.int16)).sum(axis=2) > 0
    ys, xs = np.nonzero(changed)
    assert changed.sum() > 100
    assert xs.min() > photo.width / 2
    assert ys.min() > photo.height * 0.8
    assert result.notes == ["Marked with the text '© Anna 2026' at the bottom right at 50% opacity."]


def test_a_tiled_watermark_covers_the_whole_picture(photo: Image.Image) -> None:
    result = run_tool("watermark", [photo], {"text": "SAMPLE", "position": "tiled"})
    difference = np.abs(np.asarray(result.outputs[0].image, dtype=np.int16) - np.asarray(photo, dtype=np.int16))
    changed = np.asarray(difference.sum(axis=2) > 0)
    half_h, half_w = photo.height // 2, photo.width // 2
    # Every quarter of the picture carries part of the mark.
    quarters = [
        changed[:half_h, :half_w],
        changed[:half_h, half_w:],
        changed[half_h:, :half_w],
        changed[half_h:, half_w:],
    ]
    assert [bool(quarter.mean() > 0.01) for quarter in quarters] == [True, True, True, True]


def test_a_logo_watermark_is_blended_at_the_opacity(photo: Image.Image) -> None:
    logo = Image.new("RGBA", (100, 50), (0, 0, 255, 255))
    result = run_tool("watermark", [photo, logo], {"position": "top-left", "opacity": 0.5})
    marked = result.outputs[0].image
    assert marked is not None
    assert marked.mode == "RGB"
    # The logo is 18% of the shorter side wide (86 px), 3% in from the corner; its middle is half blue.
    r, _, b = np.asarray(marked, dtype=np.float32)[14 + 21, 14 + 43]
    r0, _, b0 = np.asarray(photo, dtype=np.float32)[14 + 21, 14 + 43]
    assert abs(b - (b0 + 255) / 2) <= 2
    assert abs(r - r0 / 2) <= 2
    assert marked.getpixel((600, 400)) == photo.getpixel((600, 400))


def test_a_watermark_needs_text_or_a_logo(photo: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("watermark", [photo], {"text": "   "})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "text")


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("jpeg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")]
)
def test_convert_writes_the_format(photo: Image.Image, fmt: str, content_type: str) -> None:
    result = run_tool("convert", [photo], {"format": fmt})
    [output] = result.outputs
    assert output.data is not None
    assert output.content_type == content_type
    decoded = Image.open(io.BytesIO(output.data))
    assert decoded.format == fmt.upper()
    assert decoded.size == photo.size


@pytest.mark.parametrize(("fmt", "target_kb"), [("jpeg", 20), ("webp", 8), ("jpeg", 3)])
def test_the_compressor_output_is_under_its_target(photo: Image.Image, fmt: str, target_kb: int) -> None:
    plain = run_tool("convert", [photo], {"format": fmt}).outputs[0].data
    assert plain is not None
    assert len(plain) > target_kb * 1024
    result = run_tool("convert", [photo], {"format": fmt, "target_kb": target_kb})
    data = result.outputs[0].data
    assert data is not None
    assert len(data) <= target_kb * 1024
    assert f"under the {target_kb} KB target" in " ".join(result.notes)
    assert result.operation == f"compressed to {target_kb} KB {fmt.upper()}"


def test_a_target_png_cannot_meet_at_full_size_is_met_with_fewer_pixels(photo: Image.Image) -> None:
    result = run_tool("convert", [photo], {"format": "png", "target_kb": 4})
    [output] = result.outputs
    assert output.data is not None
    assert len(output.data) <= 4 * 1024
    assert output.image is not None
    assert output.image.width < photo.width
    assert f"Scaled down from 640x480 to {output.image.width}x{output.image.height} to fit." in result.notes
