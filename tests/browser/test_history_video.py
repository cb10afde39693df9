"""A video made through the API shows in History as a playable video: a <video> with its poster frame,
controls and only its metadata preloaded, its length in the row, and a download link to the MP4."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.conftest import Server

MAKE_VIDEO = """async (assetId) => {
  const token = document.cookie.match(/(?:^|;\\s*)csrftoken=([^;]+)/)[1];
  const response = await fetch('/api/v1/videos', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': decodeURIComponent(token) },
    body: JSON.stringify({
      asset_ids: [assetId], motion: 'zoom_in', parameters: { seconds: 2, width: 640, height: 360 },
    }),
  });
  return [response.status, await response.json()];
}"""
JOB = "(id) => fetch('/api/v1/jobs/' + id).then((r) => r.json())"
HISTORY = "(kind) => fetch('/api/v1/history?kind=' + kind).then((r) => r.json())"
PLAYER = "(() => { const v = document.querySelector('#history-list video'); return v && v.readyState >= 1; })()"
PLAYER_FACTS = """(() => {
  const v = document.querySelector('#history-list video');
  return [v.duration, v.videoWidth, v.videoHeight, v.controls, v.preload, v.poster];
})()"""


def _until(p: object, expression: str, timeout: float = 30.0) -> None:
    """Wait until `expression` is true in the page (polled from here: the page's CSP forbids the eval that
    Playwright's wait_for_function uses)."""
    deadline = time.monotonic() + timeout
    while not p.evaluate(expression):  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        p.wait_for_timeout(100)  # type: ignore[attr-defined]


def test_a_video_made_through_the_api_plays_in_history(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a harbour festival")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    pictures = p.evaluate(HISTORY, "result")  # type: ignore[attr-defined]
    assert len(pictures["items"]) == 1
    picture = pictures["items"][0]
    assert (picture["content_type"], picture["seconds"], picture["fps"], picture["poster_url"]) == (
        "image/png", 0.0, 0, None
    )  # fmt: skip

    status, queued = p.evaluate(MAKE_VIDEO, picture["asset_id"])  # type: ignore[attr-defined]
    assert status == 202, queued
    job_id = queued["job"]["id"]
    deadline = time.monotonic() + 120
    job = p.evaluate(JOB, job_id)  # type: ignore[attr-defined]
    while job["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        p.wait_for_timeout(250)  # type: ignore[attr-defined]
        job = p.evaluate(JOB, job_id)  # type: ignore[attr-defined]
    assert job["status"] == "done", job

    videos = p.evaluate(HISTORY, "video")  # type: ignore[attr-defined]
    assert len(videos["items"]) == 1
    video = videos["items"][0]
    assert (video["kind"], video["content_type"], video["seconds"], video["fps"], video["width"]) == (
        "video", "video/mp4", 2.0, 30, 640
    )  # fmt: skip
    assert video["poster_url"] == f"/api/v1/videos/{video['asset_id']}/poster"

    p.goto(f"{studio_server.url}/history/")  # type: ignore[attr-defined]
    row = p.locator(f"#history-list li[data-asset-id='{video['asset_id']}']")  # type: ignore[attr-defined]
    row.wait_for(state="visible", timeout=10_000)
    expect(p.locator("#history-list li")).to_have_count(2)  # type: ignore[attr-defined]
    assert row.locator("img").count() == 0
    expect(row.locator(".muted").first).to_have_text(" · Video 1 · 2.0 s")
    _until(p, PLAYER)
    duration, width, height, controls, preload, poster = p.evaluate(PLAYER_FACTS)  # type: ignore[attr-defined]
    assert abs(duration - 2.0) < 0.1
    assert (width, height, controls, preload) == (640, 360, True, "metadata")
    assert poster.endswith(f"/api/v1/videos/{video['asset_id']}/poster")
    # It plays.
    p.evaluate("(() => { const v = document.querySelector('#history-list video'); v.muted = true; v.play(); })()")  # type: ignore[attr-defined]
    _until(p, "document.querySelector('#history-list video').currentTime > 0.2")

    link = row.locator("a.history-download")
    expect(link).to_have_text("Download MP4")
    with p.expect_download() as waiting:  # type: ignore[attr-defined]
        link.click()
    assert waiting.value.suggested_filename == "nanobananas-video-1.mp4"
