"""A guest makes a poster in AI Image, animates it on the AI Video page (live preview, progress, render on the
video queue of the embedded worker), plays it in the page's <video> and downloads the MP4."""

from __future__ import annotations

import io
import time
from pathlib import Path

import av
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Server

MOTION = "poster"
SET_FOUR_SECONDS = """() => {
  const slider = document.getElementById('seconds');
  slider.value = '4';
  slider.dispatchEvent(new Event('input'));
  slider.dispatchEvent(new Event('change'));
}"""
PLAYER_FACTS = (
    "(() => { const v = document.getElementById('result-video'); return [v.duration, v.videoWidth, v.videoHeight]; })()"
)


def _until(p: object, expression: str, timeout: float = 30.0) -> None:
    """Wait until `expression` is true in the page (polled from here: the page's CSP forbids the eval that
    Playwright's wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while not p.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        p.wait_for_timeout(100)  # type: ignore[attr-defined]


def _poster(p: object, base: str) -> None:
    p.goto(f"{base}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a bakery grand opening")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result, .problem").first.wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    assert p.locator(".problem").count() == 0  # type: ignore[attr-defined]


def test_a_poster_becomes_a_video_that_plays_and_downloads(studio_server: Server, page: object, tmp_path: Path) -> None:
    p = page  # playwright.sync_api.Page
    _poster(p, studio_server.url)

    p.goto(f"{studio_server.url}/video/")  # type: ignore[attr-defined]
    expect(p.locator("h1")).to_have_text("AI Video")  # type: ignore[attr-defined]
    tile = p.locator("#picker .pick").first  # type: ignore[attr-defined]
    tile.wait_for(state="visible", timeout=10_000)
    tile.click()
    expect(tile).to_have_attribute("aria-pressed", "true")
    p.check(f"input[name=motion][value={MOTION}]")  # type: ignore[attr-defined]
    # The live preview: the first second, small.
    preview = p.locator("#preview")  # type: ignore[attr-defined]
    expect(preview).to_be_visible(timeout=30_000)
    _until(p, "document.getElementById('preview').readyState >= 1")
    width, seconds = p.evaluate("[preview.videoWidth, preview.duration]")  # type: ignore[attr-defined]
    assert width == 480
    assert abs(seconds - 1.0) < 0.1

    p.evaluate(SET_FOUR_SECONDS)  # type: ignore[attr-defined]
    expect(p.locator("#seconds-out")).to_have_text("4 s")  # type: ignore[attr-defined]
    p.click("#render")  # type: ignore[attr-defined]
    expect(p.locator("#progress")).to_be_visible()  # type: ignore[attr-defined]
    _until(p, "!document.getElementById('result').hidden || !document.getElementById('video-error').hidden", 120)
    assert p.locator("#video-error").is_hidden(), p.locator("#video-error").inner_text()  # type: ignore[attr-defined]

    player = p.locator("#result-video")  # type: ignore[attr-defined]
    _until(p, "document.getElementById('result-video').readyState >= 1")
    duration, video_width, video_height = p.evaluate(PLAYER_FACTS)  # type: ignore[attr-defined]
    assert abs(duration - 4.0) < 0.1
    assert (video_width, video_height) == (1280, 720)
    assert player.get_attribute("poster").endswith("/poster")
    # It plays, and seeking (HTTP range requests) lands where asked.
    p.evaluate("document.getElementById('result-video').muted = true; document.getElementById('result-video').play()")  # type: ignore[attr-defined]
    _until(p, "document.getElementById('result-video').currentTime > 0.2")
    p.evaluate("document.getElementById('result-video').currentTime = 3.0")  # type: ignore[attr-defined]
    _until(p, "document.getElementById('result-video').currentTime >= 3.0")
    meta = p.locator("#result-meta").inner_text()  # type: ignore[attr-defined]
    assert meta.startswith("Video 1 · 4.0 s · 1280\u00d7720 · 30 fps · made on this server · deleted ")
    expect(p.locator("#video-list li")).to_have_count(1)  # type: ignore[attr-defined]

    with p.expect_download() as waiting:  # type: ignore[attr-defined]
        p.click("#download")  # type: ignore[attr-defined]
    download = waiting.value
    assert download.suggested_filename == "nanobananas-video-1.mp4"
    saved = tmp_path / "video.mp4"
    download.save_as(saved)
    with av.open(io.BytesIO(saved.read_bytes())) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.width, stream.codec_context.height) == (
            "h264", 1280, 720
        )  # fmt: skip
        assert sum(1 for _ in container.decode(stream)) == 120

    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "video_page_desktop.png"), full_page=True)  # type: ignore[attr-defined]
    p.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    p.screenshot(path=str(ARTIFACTS / "video_page_phone.png"), full_page=True)  # type: ignore[attr-defined]


def test_animate_this_poster_in_the_chat_plays_the_video_in_the_conversation(
    studio_server: Server, page: object
) -> None:
    p = page  # playwright.sync_api.Page
    _poster(p, studio_server.url)
    p.fill("#prompt", "animate this poster, 3 seconds")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    player = p.locator("video.result")  # type: ignore[attr-defined]
    player.wait_for(state="visible", timeout=120_000)
    _until(p, "document.querySelector('video.result').readyState >= 1")
    duration, width = p.evaluate(
        "[document.querySelector('video.result').duration, document.querySelector('video.result').videoWidth]"
    )  # type: ignore[attr-defined]
    assert abs(duration - 3.0) < 0.1
    assert width == 1280
    caption = p.locator("figure:has(video.result) figcaption").inner_text()  # type: ignore[attr-defined]
    assert caption.startswith("Video 1 · 1280\u00d7720 · made on this server · to be deleted ")
    assert "JPEG" not in caption
