"""The edit and create commands: files written, exit codes, messages, and nothing written on refusal."""

from __future__ import annotations

import colorsys
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nanobananas.engine.commands import create_command, edit_command


@pytest.fixture
def picture(tmp_path: Path) -> Path:
    path = tmp_path / "in.png"
    image = Image.new("RGB", (120, 80), (40, 90, 200))
    image.paste((220, 40, 40), (20, 20, 60, 60))
    image.save(path)
    return path


def test_edit_writes_the_result(picture: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture), instruction="rotate 90 degrees clockwise", output=str(out), show_plan=False
    )
    assert code == 0
    result = Image.open(out)
    assert result.size == (80, 120)
    assert result.getpixel((80 - 1 - 20, 20)) == (220, 40, 40)


def test_grayscale_jpeg_follows_the_extension(picture: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jpg"
    assert edit_command(input_path=str(picture), instruction="make it b&w", output=str(out), show_plan=False) == 0
    with Image.open(out) as result:
        assert result.format == "JPEG"
        pixels = np.asarray(result.convert("RGB")).astype(int)
    assert np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max() <= 3


def test_size_target_from_the_instruction(tmp_path: Path) -> None:
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (400, 400, 3), dtype=np.uint8))
    source = tmp_path / "noisy.png"
    noisy.save(source)
    out = tmp_path / "small.jpg"
    code = edit_command(
        input_path=str(source),
        instruction="make it a small jpeg under 30 KB",
        output=str(out),
        show_plan=False,
    )
    assert code == 0
    assert out.stat().st_size <= 30_000


def test_plan_flag_prints_the_plan_json(picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.png"
    assert edit_command(input_path=str(picture), instruction="crop to a square", output=str(out), show_plan=True) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["steps"] == [{"op": "crop_aspect", "params": {"ratio": "1:1"}}]
    assert printed["planner"] == "builtin"


def test_generative_request_exits_3_and_writes_nothing(
    picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture),
        instruction="replace the red ball with a cat",
        output=str(out),
        show_plan=True,
    )
    captured = capsys.readouterr()
    assert code == 3
    assert not out.exists()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert "NANOBANANAS_IMAGE_PROVIDER" in lines[0]
    assert "replacing objects" in lines[0]
    assert list(tmp_path.iterdir()) == [picture]


def test_unclear_request_exits_4_with_suggestions(
    picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    code = edit_command(input_path=str(picture), instruction="flurbify the zorp", output=str(out), show_plan=False)
    err = capsys.readouterr().err
    assert code == 4
    assert not out.exists()
    assert "flurbify" in err
    assert "try: " in err


@pytest.mark.parametrize(
    ("input_name", "output_name", "message"),
    [
        ("missing.png", "out.png", "no such file"),
        ("in.png", "out.xyz", "cannot write '.xyz'"),
        ("in.png", "no-folder/out.png", "does not exist"),
        ("text.png", "out.png", ""),
    ],
)
def test_bad_input_exits_2_with_one_line(
    picture: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    input_name: str,
    output_name: str,
    message: str,
) -> None:
    (tmp_path / "text.png").write_text("this is not a picture")
    code = edit_command(
        input_path=str(tmp_path / input_name), instruction="make it brighter", output=str(tmp_path / output_name),
        show_plan=False,
    )  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert message in err
    assert not (tmp_path / output_name).exists()


def test_create_writes_a_design(tmp_path: Path) -> None:
    out = tmp_path / "poster.png"
    assert create_command(prompt="a poster for a bakery grand opening on June 5", output=str(out), size="600x800") == 0
    with Image.open(out) as design:
        assert design.size == (600, 800)


@pytest.mark.parametrize("size", ["big", "100", "0x10", "10x"])
def test_create_rejects_a_bad_size(tmp_path: Path, size: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.png"
    assert create_command(prompt="a sunset", output=str(out), size=size) == 2
    assert "size" in capsys.readouterr().err
    assert not out.exists()


def test_create_rejects_an_unknown_extension(tmp_path: Path) -> None:
    assert create_command(prompt="a sunset", output=str(tmp_path / "x.doc"), size=None) == 2


def test_transparent_result_into_jpeg_is_noted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "product.png"
    image = Image.new("RGB", (200, 200), (236, 236, 236))
    image.paste((150, 20, 30), (50, 50, 150, 150))
    image.save(source)
    out = tmp_path / "cut.jpg"
    code = edit_command(input_path=str(source), instruction="remove the background", output=str(out), show_plan=False)
    assert code == 0
    assert "transparency" in capsys.readouterr().err
    with Image.open(out) as result:
        assert result.getpixel((2, 2)) == (255, 255, 255)


def test_extension_wins_over_a_format_in_the_words(
    picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    assert edit_command(input_path=str(picture), instruction="convert to jpeg", output=str(out), show_plan=False) == 0
    assert "writing PNG" in capsys.readouterr().err
    with Image.open(out) as result:
        assert result.format == "PNG"


def test_create_of_something_only_a_generative_model_can_draw_exits_3_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nanobananas.engine.commands import create_command

    out = tmp_path / "cat.png"
    assert create_command(prompt="a realistic photo of a cat", output=str(out), size=None) == 3
    err = capsys.readouterr().err
    assert "NANOBANANAS_IMAGE_PROVIDER" in err
    assert not out.exists()


def test_big_pictures_take_the_libvips_path_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def pillow_pipeline_not_expected(*args: object, **kwargs: object) -> None:
        raise AssertionError("an 8 MP rotate + grey should not reach the Pillow pipeline")

    monkeypatch.setattr("nanobananas.engine.commands.run_plan", pillow_pipeline_not_expected)
    width, height = 4000, 2100  # 8.4 MP, above the fast-path threshold
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None] * np.ones((height, 1, 3), np.float32)
    ramp[..., 1] = 90
    ramp[:100, :100] = (250, 10, 10)
    source = tmp_path / "big.jpg"
    Image.fromarray(ramp.astype(np.uint8)).save(source, quality=95)
    out = tmp_path / "big-out.jpg"
    code = edit_command(
        input_path=str(source), instruction="rotate 90 degrees clockwise and make it black and white",
        output=str(out), show_plan=False,
    )  # fmt: skip
    assert code == 0
    with Image.open(out) as result:
        assert result.size == (height, width)
        pixels = np.asarray(result.convert("RGB")).astype(int)
    with Image.open(source) as original:
        expected = np.asarray(original.transpose(Image.Transpose.ROTATE_270).convert("L")).astype(int)
    assert np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max() <= 4
    assert np.abs(pixels[..., 0] - expected).mean() < 3


def _inverting(calls: list[str]) -> object:
    def edit(image: Image.Image, instruction: str) -> Image.Image:
        calls.append(instruction)
        from PIL import ImageOps

        return ImageOps.invert(image.convert("RGB"))

    return edit


def test_with_a_generative_function_what_the_engine_cannot_do_is_done_there(picture: Path, tmp_path: Path) -> None:
    calls: list[str] = []
    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture),
        instruction="replace the red square with a cat",
        output=str(out),
        show_plan=False,
        generative=_inverting(calls),  # type: ignore[arg-type]
    )
    assert (code, calls) == (0, ["replace the red square with a cat"])
    with Image.open(out) as result:
        assert result.getpixel((0, 0)) == (255 - 40, 255 - 90, 255 - 200)


def test_with_a_generative_function_the_engine_still_does_what_it_can(picture: Path, tmp_path: Path) -> None:
    calls: list[str] = []
    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture),
        instruction="rotate 90 degrees clockwise",
        output=str(out),
        show_plan=False,
        generative=_inverting(calls),  # type: ignore[arg-type]
    )
    assert (code, calls) == (0, [])
    with Image.open(out) as result:
        assert result.size == (80, 120)


@pytest.mark.parametrize(
    ("exit_code", "message"), [(5, "the provider refused (image_safety): no"), (6, "the provider failed: busy")]
)
def test_a_generative_failure_exits_with_its_code_and_writes_nothing(
    picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], exit_code: int, message: str
) -> None:
    from nanobananas.engine.commands import GenerativeFailure

    def failing(image: Image.Image, instruction: str) -> Image.Image:
        raise GenerativeFailure(message, exit_code=exit_code)

    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture),
        instruction="replace the sky with stars",
        output=str(out),
        show_plan=False,
        generative=failing,
    )
    assert code == exit_code
    assert not out.exists()
    assert capsys.readouterr().err.strip() == f"error: {message}"


def test_create_with_a_generative_function_uses_it_at_the_requested_size(tmp_path: Path) -> None:
    asked: list[tuple[str, tuple[int, int] | None]] = []

    def generate(prompt: str, size: tuple[int, int] | None) -> Image.Image:
        asked.append((prompt, size))
        return Image.new("RGB", size or (10, 10), (1, 2, 3))

    out = tmp_path / "fox.png"
    code = create_command(prompt="a photo of a fox", output=str(out), size="300x200", generative=generate)
    assert (code, asked) == (0, [("a photo of a fox", (300, 200))])
    with Image.open(out) as result:
        assert result.size == (300, 200)


def test_an_area_edit_of_a_big_photo_does_not_take_the_whole_picture_fast_path(tmp_path: Path) -> None:
    source = tmp_path / "big.png"
    Image.new("RGB", (3000, 2700), (100, 150, 200)).save(source)
    out = tmp_path / "out.png"
    code = edit_command(input_path=str(source), instruction="darken the top half", output=str(out), show_plan=False)
    assert code == 0
    with Image.open(out) as result:
        assert result.getpixel((1500, 2600)) == (100, 150, 200)
        assert result.getpixel((1500, 100)) == (80, 120, 160)


def test_a_thing_that_is_not_there_exits_3_with_what_was_looked_for(
    picture: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.png"
    code = edit_command(input_path=str(picture), instruction="remove the green ball", output=str(out), show_plan=False)
    assert code == 3
    assert capsys.readouterr().err == "error: I could not find a green ball: I looked for a round green area\n"
    assert not out.exists()


def test_a_found_thing_is_recoloured_and_the_rest_kept(picture: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.png"
    code = edit_command(
        input_path=str(picture), instruction="make the red square yellow", output=str(out), show_plan=False
    )
    assert code == 0
    with Image.open(out) as result:
        hue, saturation, _ = colorsys.rgb_to_hsv(*(channel / 255 for channel in result.getpixel((40, 40))))
        assert 45 <= hue * 360 < 70
        assert saturation > 0.6
        assert result.getpixel((100, 70)) == (40, 90, 200)
