"""The AI Tools page in a real browser: three tools end to end, with the downloaded files checked."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tests.browser.conftest import ARTIFACTS, Server


def _subject_on_backdrop(path: Path) -> Path:
    """A dark-red disc (the subject) on a plain light backdrop with a soft vertical gradient."""
    width, height = 480, 360
    rows = np.linspace(225, 205, height, dtype=np.float32)[:, None, None]
    backdrop = np.broadcast_to(rows, (height, width, 3)).astype(np.uint8).copy()
    image = Image.fromarray(backdrop, "RGB")
    ImageDraw.Draw(image).ellipse([160, 100, 320, 260], fill=(150, 20, 30))
    image.save(path)
    return path


def _square_on_grey(path: Path) -> Path:
    image = Image.new("RGB", (300, 200), (120, 120, 120))
    ImageDraw.Draw(image).rectangle([130, 80, 170, 120], fill=(230, 30, 30))
    image.save(path)
    return path


def _choose(page: object, tool: str, picture: Path) -> None:
    p = page  # playwright.sync_api.Page
    p.click(f".tools-card[data-tool='{tool}']")  # type: ignore[attr-defined]
    p.wait_for_selector("#tool-panel:not([hidden])")  # type: ignore[attr-defined]
    p.set_input_files("#tool-files", str(picture))  # type: ignore[attr-defined]


def _run_and_wait(page: object) -> None:
    p = page
    p.click("#run")  # type: ignore[attr-defined]
    p.wait_for_selector("#results:not([hidden]) .tools-output img", timeout=60_000)  # type: ignore[attr-defined]
    assert p.locator("#tool-error").is_hidden()  # type: ignore[attr-defined]


def _download(page: object, selector: str) -> bytes:
    p = page
    with p.expect_download() as info:  # type: ignore[attr-defined]
        p.click(selector)  # type: ignore[attr-defined]
    return Path(info.value.path()).read_bytes()


def test_three_tools_end_to_end_from_the_tools_page(studio_server: Server, page: object, tmp_path: Path) -> None:
    p = page
    base = studio_server.url
    p.goto(f"{base}/tools/")  # type: ignore[attr-defined]
    assert p.locator(".tools-card").count() >= 14  # type: ignore[attr-defined]
    assert "Coming soon" not in p.content()  # type: ignore[attr-defined]

    # 1. Background remover: a transparent PNG the size of the photo, the subject kept, the backdrop gone.
    _choose(p, "remove-background", _subject_on_backdrop(tmp_path / "subject.png"))
    assert p.locator("#preview").is_visible()  # type: ignore[attr-defined]
    _run_and_wait(p)
    assert "kept until" in p.locator(".tools-output .expiry").first.inner_text()  # type: ignore[attr-defined]
    cutout = Image.open(io.BytesIO(_download(p, ".download-output")))
    assert (cutout.format, cutout.mode, cutout.size) == ("PNG", "RGBA", (480, 360))
    alpha = np.asarray(cutout.getchannel("A"))
    assert alpha[180, 240] == 255, "the subject's centre is not opaque"
    assert alpha[10, 10] == 0, "the backdrop's corner is not transparent"
    assert alpha[350, 470] == 0, "the backdrop's corner is not transparent"
    rows, cols = np.mgrid[0:360, 0:480]
    disc = (rows - 180) ** 2 + (cols - 240) ** 2 <= 80**2
    kept = alpha > 128
    assert (kept & disc).sum() / (kept | disc).sum() >= 0.95, "the cut-out is not the disc"
    p.screenshot(path=str(ARTIFACTS / "tools-page-desktop.png"), full_page=True)  # type: ignore[attr-defined]

    # 2. Social resizer: every format at once, downloaded as one ZIP, each at its exact size.
    _choose(p, "social-resize", tmp_path / "subject.png")
    _run_and_wait(p)
    assert p.locator(".tools-output").count() == 11  # type: ignore[attr-defined]
    with zipfile.ZipFile(io.BytesIO(_download(p, "#download-zip"))) as bundle:
        names = sorted(name for name in bundle.namelist() if name.endswith(".png"))
        sizes = {name: Image.open(io.BytesIO(bundle.read(name))).size for name in names}
    assert len(names) == 11
    assert sizes["instagram-post.png"] == (1080, 1080)
    assert sizes["instagram-story.png"] == (1080, 1920)
    assert sizes["youtube-thumbnail.png"] == (1280, 720)

    # 3. Object eraser: paint over the red square with the brush; it is filled in from the grey around it.
    _choose(p, "erase-object", _square_on_grey(tmp_path / "square.png"))
    canvas = p.locator("#mask-canvas")  # type: ignore[attr-defined]
    canvas.wait_for()
    # The picture is drawn once the browser has decoded it: the canvas then takes its size.
    p.wait_for_function("document.getElementById('mask-canvas').height === 200")  # type: ignore[attr-defined]
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    scale = box["width"] / 300
    p.fill("#brush-size", "30")  # type: ignore[attr-defined]
    p.mouse.move(box["x"] + 125 * scale, box["y"] + 85 * scale)  # type: ignore[attr-defined]
    p.mouse.down()  # type: ignore[attr-defined]
    for x, y in [(175, 85), (175, 100), (125, 100), (125, 115), (175, 115)]:
        p.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=6)  # type: ignore[attr-defined]
    p.mouse.up()  # type: ignore[attr-defined]
    _run_and_wait(p)
    erased = Image.open(io.BytesIO(_download(p, ".download-output"))).convert("RGB")
    assert erased.size == (300, 200)
    pixels = np.asarray(erased).astype(int)
    square = pixels[85:116, 135:166]
    assert np.abs(square - 120).max() < 30, "the red square was not filled in from the grey around it"
    assert np.abs(pixels[10:60, 10:100] - 120).max() <= 2, "the grey away from the mask changed"


def test_the_tools_page_on_a_phone(studio_server: Server, browser: object) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    p = context.new_page()
    try:
        p.goto(f"{studio_server.url}/tools/#id-photo")
        p.wait_for_selector("#tool-panel:not([hidden])")
        assert p.locator(".tools-card[aria-pressed='true']").inner_text().startswith("ID / passport photo")
        assert p.locator("#param-country").input_value() == "us"
        overflow = p.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
        # Keyboard: the file picker is reachable with Tab from the tool's card.
        p.focus(".tools-card[data-tool='id-photo']")
        for _ in range(20):
            p.keyboard.press("Tab")
            if p.evaluate("document.activeElement.id") == "tool-files":
                break
        assert p.evaluate("document.activeElement.id") == "tool-files"
        ARTIFACTS.mkdir(exist_ok=True)
        p.screenshot(path=str(ARTIFACTS / "tools-page-phone.png"), full_page=True)
    finally:
        context.close()
