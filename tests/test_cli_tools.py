"""`nanobananas tool`: AI tools offline on files; one output to a file, several to a folder or a ZIP; clear exits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from nanobananas.cli import main
from nanobananas.engine.tools import TOOLS


def _photo(path: Path, size: tuple[int, int] = (120, 80), colour: tuple[int, int, int] = (200, 30, 30)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def test_list_shows_every_tool_and_its_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tool", "--list"]) == 0
    out = capsys.readouterr().out
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == list(TOOLS)
    assert "--param factor=...  (default: 2)" in out


def test_one_output_is_written_to_the_file_in_its_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _photo(tmp_path / "in.png")
    target = tmp_path / "big.jpg"
    assert main(["tool", "upscale", str(source), "-o", str(target), "--param", "factor=4"]) == 0
    with Image.open(target) as written:
        assert (written.format, written.size) == ("JPEG", (480, 320))
    captured = capsys.readouterr()
    assert captured.out == f"wrote {target} ({target.stat().st_size} bytes)\n"
    assert "note: Upscaled 4x to 480x320" in captured.err


def test_a_compressed_file_is_written_as_encoded_and_under_its_target(tmp_path: Path) -> None:
    noise = Image.effect_noise((600, 400), 60).convert("RGB")
    source = tmp_path / "noise.png"
    noise.save(source)
    target = tmp_path / "small.jpg"
    assert main(["tool", "convert", str(source), "-o", str(target), "--param", "target_kb=20"]) == 0
    assert target.stat().st_size <= 20 * 1024
    with Image.open(target) as written:
        assert written.format == "JPEG"


def test_several_outputs_go_to_a_folder_or_a_zip(tmp_path: Path) -> None:
    source = _photo(tmp_path / "in.png", (400, 300))
    folder = tmp_path / "social"
    formats = "instagram-post,youtube-thumbnail"
    assert main(["tool", "social-resize", str(source), "-o", str(folder), "--param", f"formats={formats}"]) == 0
    sizes = {}
    for path in folder.iterdir():
        with Image.open(path) as picture:
            sizes[path.name] = picture.size
    assert sizes == {"instagram-post.png": (1080, 1080), "youtube-thumbnail.png": (1280, 720)}

    archive = tmp_path / "social.zip"
    assert main(["tool", "social-resize", str(source), "-o", str(archive), "--param", f"formats={formats}"]) == 0
    with zipfile.ZipFile(archive) as bundle:
        assert sorted(bundle.namelist()) == ["instagram-post.png", "youtube-thumbnail.png"]
        assert Image.open(io.BytesIO(bundle.read("youtube-thumbnail.png"))).size == (1280, 720)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["tool", "nope", "IN", "-o", "OUT.png"], 2, "there is no tool called 'nope'"),
        (["tool", "upscale", "IN", "-o", "OUT.png", "--param", "factor=3"], 2, "factor: Input should be 2 or 4"),
        (["tool", "upscale", "IN", "-o", "OUT.png", "--param", "factor"], 2, "--param must look like key=value"),
        (["tool", "upscale", "IN", "IN", "-o", "OUT.png"], 2, "Upscaler takes 1 image, not 2"),
        (["tool", "upscale", "MISSING", "-o", "OUT.png"], 2, "no such file"),
        (["tool", "upscale", "IN", "-o", "OUT.xyz"], 2, "cannot write '.xyz' files"),
        (["tool", "erase-object", "IN", "-o", "OUT.png"], 2, "needs a mask"),
        (["tool", "enhance", "IN", "-o", "OUT.png", "--preview"], 2, "has no preview"),
        (["tool", "colorize", "IN", "-o", "OUT.png"], 3, "this needs a generative image provider"),
        (["tool", "id-photo", "IN", "-o", "OUT"], 3, "no face was found"),
        (["tool", "upscale", "IN"], 2, "give a tool NAME, its INPUT files and -o OUT"),
    ],
)
def test_bad_use_exits_with_a_clear_message_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int, message: str
) -> None:
    source = _photo(tmp_path / "in.png")
    names = {"IN": str(source), "MISSING": str(tmp_path / "missing.png")}
    argv = [names.get(arg, str(tmp_path / arg) if arg.startswith("OUT") else arg) for arg in args]
    assert main(argv) == code
    assert message in capsys.readouterr().err
    assert sorted(path.name for path in tmp_path.iterdir()) == ["in.png"]


def test_several_outputs_refuse_a_file_that_is_not_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _photo(tmp_path / "in.png")
    existing = tmp_path / "out.png"
    existing.write_bytes(b"keep")
    assert main(["tool", "social-resize", str(source), "-o", str(existing)]) == 2
    assert "give a folder or a .zip name" in capsys.readouterr().err
    assert existing.read_bytes() == b"keep"
