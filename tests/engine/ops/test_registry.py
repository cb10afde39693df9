"""The op registry: every op is named, versioned, typed, and runs on RGB and RGBA pictures."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from nanobananas.engine.errors import OperationError, PlanError
from nanobananas.engine.ops import OpParams, all_operations, get_operation, validate_params

from .conftest import apply

# Parameters for ops that have required ones; every other op runs with its defaults.
REQUIRED: dict[str, dict[str, Any]] = {
    "add_text": {"text": "Hello"},
    "brightness": {"amount": 0.2},
    "caption_bar": {"text": "Hello"},
    "contrast": {"amount": 0.2},
    "crop_aspect": {"ratio": "1:1"},
    "crop_box": {"left": 1, "top": 1, "width": 10, "height": 10},
    "curves": {"preset": "vintage"},
    "draw_shape": {"shape": "star"},
    "erase": {"object": "the red box"},
    "crop_object": {"object": "the red box"},
    "exposure": {"stops": 0.5},
    "gamma": {"gamma": 1.2},
    "inpaint": {"boxes": [(2, 2, 6, 6)]},
    "print_size": {"width": 1, "height": 1.5, "dpi": 40},
    "qr_code": {"data": "hello"},
    "recolor": {"object": "the red box", "color": "green"},
    "resize": {"factor": 0.5},
    "resize_preset": {"preset": "instagram_post"},
    "rotate": {"degrees": 90},
    "saturation": {"amount": 0.2},
    "tint": {"amount": 0.2},
    "warmth": {"amount": 0.2},
    "watermark": {"text": "mark"},
}
# Ops that refuse a picture without the thing they work on.
NEEDS_A_FACE = {"blur_faces"}

REQUIRED_OPS = {
    "resize", "brightness", "contrast", "sharpen", "rotate", "flip", "grayscale", "crop_aspect", "crop_box",
    "resize_preset", "upscale", "border", "polaroid", "round_corners", "exposure", "gamma", "saturation",
    "vibrance", "warmth", "tint", "sepia", "invert", "posterize", "auto_enhance", "curves", "blur", "denoise",
    "pixelate", "vignette", "grain", "pencil_sketch", "charcoal", "cartoon", "oil_painting", "watercolor",
    "halftone", "remove_background", "replace_background", "inpaint", "add_text", "watermark", "caption_bar",
    "qr_code",
}  # fmt: skip


def test_the_issue_ops_are_registered() -> None:
    assert set(all_operations()) >= REQUIRED_OPS


@pytest.mark.parametrize("name", sorted(all_operations()))
def test_every_op_is_described(name: str) -> None:
    operation = get_operation(name)
    assert operation.name == name
    assert operation.version >= 1
    assert operation.summary
    assert issubclass(operation.params_model, OpParams)


def test_unknown_op_and_unknown_params_are_plan_errors() -> None:
    with pytest.raises(PlanError, match="unknown operation 'levitate'"):
        get_operation("levitate")
    with pytest.raises(PlanError, match="amount"):
        validate_params("brightness", {"amount": "lots"})
    with pytest.raises(PlanError, match="colour: Extra inputs are not permitted"):
        validate_params("grayscale", {"colour": "red"})


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
@pytest.mark.parametrize("name", sorted(all_operations()))
def test_every_op_runs_on_a_small_picture(name: str, mode: str) -> None:
    image = Image.new(mode, (48, 36), (90, 140, 200, 255)[: len(mode)])
    image.paste((200, 40, 40, 255)[: len(mode)], (10, 10, 30, 26))
    params = REQUIRED.get(name, {})
    if name in NEEDS_A_FACE:
        with pytest.raises(OperationError):
            apply(name, image, **params)
        return
    out = apply(name, image, **params)
    assert out.mode in ("RGB", "RGBA")
    assert out.width >= 1
    assert out.height >= 1
    if mode == "RGBA":
        assert out.mode == "RGBA" or name in {"polaroid", "replace_background"}


@pytest.mark.parametrize("size", [(1, 1), (3, 400)])
@pytest.mark.parametrize("name", sorted(all_operations()))
def test_every_op_survives_degenerate_sizes(name: str, size: tuple[int, int]) -> None:
    image = Image.new("RGBA", size, (90, 140, 200, 255))
    try:
        out = apply(name, image, **REQUIRED.get(name, {}))
    except OperationError:
        return  # a clear refusal ("no face was found") is fine; a crash is not
    assert out.width >= 1
    assert out.height >= 1
