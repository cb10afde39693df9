"""The AI Tools contract: the registry, parameter validation, image counts, masks, previews and errors."""

from __future__ import annotations

import pytest
from PIL import Image

from nanobananas.engine.errors import EngineError
from nanobananas.engine.tools import TOOLS, Tool, ToolError, get_tool, run_tool
from nanobananas.engine.tools.base import PREVIEW_SIDE


def test_an_unknown_tool_is_refused_with_the_known_names() -> None:
    with pytest.raises(ToolError) as caught:
        get_tool("sharpen-everything")
    assert caught.value.code == "unknown_tool"
    assert "'sharpen-everything'" in str(caught.value)
    assert all(name in str(caught.value) for name in TOOLS)
    assert isinstance(caught.value, EngineError)


def test_the_tools_are_the_contract_s_in_the_page_s_order() -> None:
    assert list(TOOLS) == [
        "remove-background",
        "replace-background",
        "erase-object",
        "upscale",
        "enhance",
        "restore",
        "colorize",
        "id-photo",
        "product-photo",
        "social-resize",
        "watermark",
        "convert",
        "meme",
        "qr-poster",
    ]


def test_every_tool_has_card_text_and_a_strict_json_schema() -> None:
    for name, tool in TOOLS.items():
        assert isinstance(tool, Tool)
        assert tool.name == name
        assert tool.title
        assert tool.summary.endswith(".")
        schema = tool.params.model_json_schema()
        assert schema.get("additionalProperties") is False
        assert 0 <= tool.min_images <= tool.max_images <= 2


def test_only_the_eraser_needs_a_mask_and_only_colorize_a_provider() -> None:
    assert [name for name, tool in TOOLS.items() if tool.needs_mask] == ["erase-object"]
    assert [name for name, tool in TOOLS.items() if tool.generative] == ["colorize"]


def test_an_unknown_parameter_is_refused_naming_it(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [product], {"factor": 2, "sharpness": 9})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "sharpness")


def test_a_bad_value_is_refused_naming_the_field(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [product], {"factor": 3})
    assert (caught.value.code, caught.value.field) == ("bad_parameter", "factor")
    assert "factor" in str(caught.value)


def test_parameters_must_be_an_object(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [product], ["factor", 2])  # type: ignore[arg-type]  # what a bad client might send
    assert caught.value.code == "bad_parameter"


def test_too_many_or_too_few_images_are_refused(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [product, product], {})
    assert caught.value.code == "bad_input"
    assert str(caught.value) == "Upscaler takes 1 image, not 2"
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [], {})
    assert caught.value.code == "bad_input"
    with pytest.raises(ToolError) as caught:
        run_tool("watermark", [product, product, product], {"text": "x"})
    assert str(caught.value) == "Watermark takes 1 to 2 images, not 3"


def test_a_mask_given_to_a_tool_that_takes_none_is_refused(product: Image.Image) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool("upscale", [product], {}, mask=Image.new("L", product.size, 255))
    assert caught.value.code == "bad_input"


def test_params_of_another_tool_are_refused(product: Image.Image) -> None:
    watermark_params = get_tool("watermark").parse_params({"text": "x"})
    with pytest.raises(ToolError) as caught:
        get_tool("upscale").run([product], watermark_params)
    assert caught.value.code == "bad_parameter"


def test_progress_is_reported_and_ends_at_100(product: Image.Image) -> None:
    seen: list[tuple[int, str]] = []
    run_tool("upscale", [product], {}, progress=lambda percent, message: seen.append((percent, message)))
    assert seen[-1] == (100, "done")
    assert [percent for percent, _ in seen] == sorted(percent for percent, _ in seen)


def test_a_preview_of_a_slow_tool_is_rendered_from_a_small_copy() -> None:
    big = Image.new("RGB", (2000, 1000), (10, 20, 30))
    assert get_tool("upscale").slow
    result = run_tool("upscale", [big], {"factor": 2}, preview=True)
    assert result.outputs[0].image is not None
    assert result.outputs[0].image.size == (PREVIEW_SIDE * 2, PREVIEW_SIDE)
    assert big.size == (2000, 1000)
