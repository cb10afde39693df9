"""The video endpoints: POST /api/v1/videos (bad input changes nothing), previews, posters, listing, cancel,
someone else's ids are 404, the plan's limits are 4xx, and the content endpoint answers HTTP range requests."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from PIL import Image

from nanobananas.studio.models import Asset, Job, Message
from tests.conftest import csrf_headers
from tests.studio.videos_support import decode, png, stored

pytestmark = [pytest.mark.django_db, pytest.mark.database]

SMALL = {"seconds": 2, "width": 320, "height": 180, "fps": 24}


class Browser:
    """A guest in a browser: a conversation with pictures, and JSON calls with the CSRF header."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.headers = csrf_headers(self.client)
        made = self.post("/api/v1/conversations", {})
        self.conversation_id = made.json()["id"]

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, data=json.dumps(body), content_type="application/json", headers=self.headers)

    def pictures(self, *colours: tuple[int, int, int]) -> list[str]:
        files = [io.BytesIO(png(colour).data) for colour in colours]
        response = self.client.post(
            f"/api/v1/conversations/{self.conversation_id}/messages",
            data={"text": "", "files": files},
            headers=self.headers,
        )
        assert response.status_code == 202, response.content
        return [asset["id"] for asset in response.json()["message"]["assets"]]

    def video(self, asset_ids: list[str], capture: Any, **body: Any) -> Any:
        payload = {"asset_ids": asset_ids, "conversation_id": self.conversation_id, **body}
        with capture(execute=True):
            return self.post("/api/v1/videos", payload)


def _body(response: Any) -> bytes:
    if not response.streaming:
        return bytes(response.content)

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])

    return async_to_sync(collect)()


def _counts() -> tuple[int, int, int]:
    return Job.objects.count(), Message.objects.count(), Asset.objects.filter(kind="video").count()


@pytest.fixture
def browser() -> Browser:
    return Browser()


def test_a_video_is_made_listed_played_from_any_point_and_has_a_poster(
    browser: Browser, django_capture_on_commit_callbacks: Any
) -> None:
    [picture] = browser.pictures((30, 60, 200))
    response = browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_out", parameters=SMALL)
    assert response.status_code == 202, response.content
    made = response.json()
    assert made["conversation_id"] == browser.conversation_id
    assert made["job"]["events_url"] == f"/api/v1/jobs/{made['job']['id']}/events"
    job = browser.client.get(f"/api/v1/jobs/{made['job']['id']}").json()
    assert (job["status"], job["progress"], job["provider"]) == ("done", 100, "builtin")

    [listed] = browser.client.get("/api/v1/videos").json()
    assert (listed["label"], listed["content_type"], listed["width"], listed["height"]) == (
        "Video 1", "video/mp4", 320, 180
    )  # fmt: skip
    assert (listed["fps"], listed["seconds"], listed["made_with"]) == (24, 2.0, "made on this server")
    assert listed["inputs"] == [picture]
    asset = Asset.objects.get(id=listed["id"])
    data = stored(asset)
    assert browser.client.get(f"/api/v1/videos/{asset.id}").json()["content_url"] == listed["content_url"]

    whole = browser.client.get(listed["content_url"])
    assert (whole.status_code, whole["Content-Type"], whole["Accept-Ranges"]) == (200, "video/mp4", "bytes")
    assert whole["Content-Length"] == str(len(data))
    assert whole["Content-Disposition"] == 'inline; filename="nanobananas-video-1.mp4"'
    assert _body(whole) == data

    part = browser.client.get(listed["content_url"], headers={"Range": "bytes=100-1099"})
    assert (part.status_code, part["Content-Range"], part["Content-Length"]) == (206, f"bytes 100-1099/{len(data)}",
                                                                                  "1000")  # fmt: skip
    assert _body(part) == data[100:1100]
    tail = browser.client.get(listed["content_url"], headers={"Range": "bytes=-500"})
    assert (tail.status_code, _body(tail)) == (206, data[-500:])
    rest = browser.client.get(listed["content_url"], headers={"Range": f"bytes={len(data) - 10}-"})
    assert (rest["Content-Range"], _body(rest)) == (f"bytes {len(data) - 10}-{len(data) - 1}/{len(data)}", data[-10:])
    beyond = browser.client.get(listed["content_url"], headers={"Range": f"bytes={len(data)}-"})
    assert (beyond.status_code, beyond["Content-Range"]) == (416, f"bytes */{len(data)}")
    # A header a server may ignore (several ranges): the whole file.
    several = browser.client.get(listed["content_url"], headers={"Range": "bytes=0-1,5-6"})
    assert (several.status_code, _body(several)) == (200, data)

    converted = browser.client.get(f"/api/v1/assets/{asset.id}/content?format=jpeg")
    assert (converted.status_code, converted.json()["error"]["code"]) == (400, "bad_format")

    poster = browser.client.get(f"/api/v1/videos/{asset.id}/poster")
    assert (poster.status_code, poster["Content-Type"]) == (200, "image/jpeg")
    first = Image.open(io.BytesIO(poster.content))
    assert first.size == (320, 180)
    assert decode(data).first.size == first.size


def test_bad_video_requests_are_400_and_change_nothing(
    browser: Browser, django_capture_on_commit_callbacks: Any
) -> None:
    [picture] = browser.pictures((100, 100, 0))
    before = _counts()
    cases = [
        ({"motion": "spin", "parameters": SMALL}, "invalid_input"),
        ({"motion": "zoom_in", "parameters": {**SMALL, "seconds": 20}}, "invalid_input"),
        ({"motion": "zoom_in", "parameters": {**SMALL, "width": 321}}, "invalid_input"),
        ({"motion": "zoom_in", "parameters": {**SMALL, "colour": "red"}}, "invalid_input"),
        ({"motion": "zoom_in", "parameters": {"size": "huge"}}, "invalid_input"),
        ({"motion": "zoom_in", "parameters": {**SMALL, "format": "gif", "seconds": 8}}, "too_long"),
        ({"motion": "slideshow", "parameters": SMALL}, "bad_input"),
        ({"motion": "poster", "parameters": SMALL}, "no_design"),
        ({}, "no_motion"),
    ]
    for body, code in cases:
        response = browser.video([picture], django_capture_on_commit_callbacks, **body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["error"]["code"] == code, body
    seconds = browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_in",
                            parameters={**SMALL, "seconds": 20}).json()  # fmt: skip
    assert seconds["error"]["message"] == "parameters.seconds: Input should be less than or equal to 15"
    assert _counts() == before


def test_someone_else_s_pictures_videos_and_jobs_are_404(
    browser: Browser, django_capture_on_commit_callbacks: Any
) -> None:
    [picture] = browser.pictures((0, 100, 100))
    made = browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_in", parameters=SMALL).json()
    video_id = str(Asset.objects.get(kind="video").id)
    stranger = Browser()
    before = _counts()
    assert stranger.video([picture], django_capture_on_commit_callbacks, motion="zoom_in",
                          parameters=SMALL).status_code == 404  # fmt: skip
    assert stranger.post("/api/v1/videos/preview", {"asset_ids": [picture], "motion": "zoom_in"}).status_code == 404
    assert stranger.client.get(f"/api/v1/videos/{video_id}").status_code == 404
    assert stranger.client.get(f"/api/v1/videos/{video_id}/poster").status_code == 404
    assert stranger.client.get(f"/api/v1/assets/{video_id}/content").status_code == 404
    assert stranger.client.get("/api/v1/videos").json() == []
    assert stranger.post(f"/api/v1/jobs/{made['job']['id']}/cancel", {}).status_code == 404
    # Into someone else's conversation: 404 too.
    body = {"asset_ids": [], "conversation_id": browser.conversation_id, "prompt": "a slow zoom"}
    assert stranger.post("/api/v1/videos", body).status_code == 404
    assert _counts() == before
    # A picture is not a video here.
    assert browser.client.get(f"/api/v1/videos/{picture}").status_code == 404


def test_a_preview_is_the_first_second_small_and_stores_nothing(browser: Browser) -> None:
    red, blue = browser.pictures((200, 0, 0), (0, 0, 200))
    before = _counts()
    blobs_before = Asset.objects.count()
    response = browser.post(
        "/api/v1/videos/preview",
        {"asset_ids": [red, blue], "motion": "wipe", "parameters": {"size": "1080p", "seconds": 6}},
    )
    assert (response.status_code, response["Content-Type"]) == (200, "video/mp4")
    clip = decode(response.content)
    assert (clip.codec, clip.width, clip.height, clip.frames) == ("h264", 480, 270, 30)
    assert (_counts(), Asset.objects.count()) == (before, blobs_before)
    wrong = browser.post("/api/v1/videos/preview", {"asset_ids": [red], "motion": "wipe"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "bad_input")


def test_cancel_stops_a_waiting_job_and_a_finished_one_is_a_conflict(
    browser: Browser, django_capture_on_commit_callbacks: Any
) -> None:
    [picture] = browser.pictures((10, 200, 10))
    # Not run: its commit callbacks (the enqueue) are dropped, so it waits in line.
    waiting = browser.post(
        "/api/v1/videos",
        {"asset_ids": [picture], "conversation_id": browser.conversation_id, "motion": "pan", "parameters": SMALL},
    ).json()
    cancelled = browser.post(f"/api/v1/jobs/{waiting['job']['id']}/cancel", {})
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["error_code"]) == ("failed", "cancelled")
    again = browser.post(f"/api/v1/jobs/{waiting['job']['id']}/cancel", {})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "not_cancellable")


def test_the_plan_s_limits_are_4xx_with_a_reason(browser: Browser, django_capture_on_commit_callbacks: Any) -> None:
    [picture] = browser.pictures((150, 150, 150))
    full_hd = browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_in",
                            parameters={"size": "1080p", "seconds": 2})  # fmt: skip
    assert (full_hd.status_code, full_hd.json()["error"]["code"]) == (403, "needs_paid_plan")
    assert browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_in",
                         parameters={**SMALL, "seconds": 5}).status_code == 202  # fmt: skip
    before = _counts()
    over = browser.video([picture], django_capture_on_commit_callbacks, motion="zoom_in",
                         parameters={**SMALL, "seconds": 2})  # fmt: skip
    assert (over.status_code, over.json()["error"]["code"]) == (429, "quota_exceeded")
    assert over.json()["error"]["message"].startswith("A 2 second video is more than the 1 seconds of video left")
    assert "Retry-After" in over
    assert _counts() == before


def test_text_to_video_without_a_generative_provider_says_so(browser: Browser) -> None:
    before = _counts()
    response = browser.post(
        "/api/v1/videos", {"prompt": "a red fox running through snow", "generative": True, "parameters": {}}
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "needs_provider")
    assert response.json()["error"]["message"].startswith("Making a video from words alone needs a generative video")
    assert _counts() == before


def test_the_video_page_loads_its_script_sets_the_csrf_cookie_and_offers_1080p_to_paid_plans_only() -> None:
    client = Client()
    response = client.get("/video/")
    assert response.status_code == 200
    assert "csrftoken" in response.cookies
    html = response.content.decode()
    # The shared job-following and file-picking module first, then the page's own script (both deferred: in order).
    assert '<script src="/static/web/jobs.js" defer></script><script src="/static/web/video.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/web/video.css">' in html
    assert "Coming soon" not in html
    assert "The Guest plan makes 2 videos and 6 seconds of video a day, up to 720p." in html
    assert '<option value="1080p" disabled>1080p (1920\u00d71080), paid plans</option>' in html
