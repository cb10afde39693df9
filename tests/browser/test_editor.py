"""AI Image as an editor: the large view, the version strip, branching, compare, the mask brush, suggestions,
stage text, downloads, uploads and the keyboard, as a person uses them in Chromium."""

from __future__ import annotations

import io
import json
import urllib.request
from typing import Any

import numpy
from PIL import Image, ImageChops
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, Server

# Records every stage text the large view shows while a job runs, even if the job is quick.
WATCH_STAGES = """
window.__stages = [];
new MutationObserver(() => {
  const stage = document.getElementById("viewer-stage");
  const busy = document.getElementById("viewer-busy");
  if (stage && busy && !busy.hidden && !window.__stages.includes(stage.textContent)) {
    window.__stages.push(stage.textContent);
  }
}).observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""


def _get(server: Server, page: Any, path: str) -> bytes:
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    request = urllib.request.Request(f"{server.url}{path}", headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=20) as response:
        return bytes(response.read())


def _detail(server: Server, page: Any) -> dict[str, Any]:
    conversation_id = page.evaluate("window.location.hash.slice(1)")
    return dict(json.loads(_get(server, page, f"/api/v1/conversations/{conversation_id}")))


def _send(page: Any, text: str, versions: int) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")
    expect(page.locator(".version")).to_have_count(versions, timeout=60_000)
    expect(page.locator(".turn.pending")).to_have_count(0, timeout=60_000)
    expect(page.locator(".problem")).to_have_count(0)


def _picture(server: Server, page: Any, asset: dict[str, Any]) -> Image.Image:
    return Image.open(io.BytesIO(_get(server, page, asset["content_url"]))).convert("RGB")


def test_a_poster_edited_three_times_shows_its_versions_and_branches_from_version_1(
    studio_server: Server, page: Any
) -> None:
    p = page
    p.add_init_script(WATCH_STAGES)
    p.goto(f"{studio_server.url}/image/")
    # An empty chat offers nothing that cannot work.
    for hidden in ("#download-all", "#delete-chat", "#toolbar", "#versions", "#suggestions"):
        expect(p.locator(hidden)).to_be_hidden()
    expect(p.locator("#viewer-empty")).to_be_visible()

    _send(p, "a poster for a bakery grand opening", 1)
    expect(p.locator("#current-image")).to_be_visible()
    expect(p.locator("#details")).to_contain_text("Version 1 · ")
    expect(p.locator("#details")).to_contain_text("made on this server")
    expect(p.locator("#details")).to_contain_text("deleted in 23 h 5")
    assert p.evaluate("window.__stages.length") >= 1
    assert [s for s in p.evaluate("window.__stages") if s and s != "Working…"], p.evaluate("window.__stages")

    # Two to four suggestions that fit a new design; a click sends one.
    chips = p.locator("#suggestions .chip")
    assert 2 <= chips.count() <= 4
    chosen = chips.first.inner_text()
    chips.first.click()
    expect(p.locator(".version")).to_have_count(2, timeout=60_000)
    expect(p.locator(".turn.user .bubble > p").last).to_have_text(chosen)
    expect(p.locator(".turn.pending")).to_have_count(0, timeout=60_000)
    _send(p, "make it warmer", 3)
    _send(p, "increase the contrast", 4)
    expect(p.locator(".version[aria-current='true']")).to_have_text("V4")

    # Arrow keys move along the strip; the large view follows.
    p.locator(".version[aria-current='true']").focus()
    p.keyboard.press("Home")
    expect(p.locator(".version[aria-current='true']")).to_have_text("V1")
    expect(p.locator(".version").first).to_be_focused()
    p.keyboard.press("ArrowRight")
    expect(p.locator(".version[aria-current='true']")).to_have_text("V2")
    p.keyboard.press("ArrowLeft")
    detail = _detail(studio_server, p)
    first = detail["versions"][0]
    expect(p.locator(".version[aria-current='true']")).to_have_text("V1")
    expect(p.locator("#current-image")).to_have_attribute("src", first["content_url"])

    # Continue from version 1: the next edit is a branch whose parent is version 1.
    p.click("#continue-from")
    expect(p.locator("#branching")).to_have_text("Your next message changes version 1. Edit the latest instead")
    _send(p, "make it black and white", 5)
    expect(p.locator("#branching")).to_be_hidden()
    latest = _detail(studio_server, p)["versions"][-1]
    assert (latest["number"], latest["parent_id"]) == (5, first["id"])
    expect(p.locator(".version[aria-current='true']")).to_have_text("V5")


def test_compare_two_versions_with_the_slider(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    _send(p, "a poster for a flower market", 1)
    expect(p.locator("#compare")).to_be_disabled()  # nothing to compare with yet
    _send(p, "make it black and white", 2)
    p.click("#compare")
    expect(p.locator("#compare")).to_have_attribute("aria-pressed", "true")
    expect(p.locator("#before-image")).to_be_visible()
    expect(p.locator("#compare-with")).to_have_value("1")
    expect(p.locator("#before-tag")).to_have_text("Version 1")
    expect(p.locator("#after-tag")).to_have_text("Version 2")
    p.locator("#compare-split").fill("30")
    assert p.locator("#before-image").evaluate("(node) => getComputedStyle(node).clipPath") == "inset(0px 70% 0px 0px)"
    # What shows left of the line is version 1, right of it version 2: version 1 has colour, version 2 has none.
    box = p.locator("#current-image").bounding_box()
    shot = Image.open(io.BytesIO(p.screenshot(clip=box))).convert("RGB")
    pixels = numpy.asarray(shot, dtype=numpy.int16)
    colourfulness = numpy.abs(pixels[..., 0] - pixels[..., 1]) + numpy.abs(pixels[..., 1] - pixels[..., 2])
    middle = shot.width * 30 // 100
    assert colourfulness[:, : middle - 8].max() > 30  # version 1, in colour, left of the line
    assert colourfulness[:, middle + 8 :].max() <= 6  # version 2, black and white, right of it
    p.keyboard.press("Escape")
    expect(p.locator("#before-image")).to_be_hidden()


def test_paint_a_mask_erase_part_of_it_and_only_the_painted_area_changes(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    _send(p, "a poster for a summer fair", 1)
    canvas = p.locator("#mask-canvas")
    p.click("#brush")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    y = box["y"] + box["height"] * 0.5
    # One stroke across the middle, then the eraser takes back its right half.
    p.mouse.move(box["x"] + box["width"] * 0.1, y)
    p.mouse.down()
    p.mouse.move(box["x"] + box["width"] * 0.9, y, steps=12)
    p.mouse.up()
    expect(p.locator("#mask-note")).to_be_visible()
    p.click("#eraser")
    p.mouse.move(box["x"] + box["width"] * 0.55, y)
    p.mouse.down()
    p.mouse.move(box["x"] + box["width"] * 0.95, y, steps=12)
    p.mouse.up()
    _send(p, "make it black and white", 2)
    # The painted area shows on the message as its shape in the picture's outline, not as an uploaded photo.
    turn = p.locator(".turn.user").last
    expect(turn.locator(".painted-area figcaption")).to_have_text("Painted area")
    expect(turn.locator("img")).to_have_count(0)
    frame = turn.locator(".painted-frame")
    expect(frame).to_have_attribute("aria-label", "The area you painted")
    colour = p.evaluate("getComputedStyle(document.querySelector('.painted-shape')).backgroundColor")
    accent = tuple(int(part) for part in colour[colour.index("(") + 1 : -1].split(","))
    for _ in range(50):  # until the mask image behind the shape has loaded (a busy machine may take a while)
        shown = Image.open(io.BytesIO(frame.screenshot())).convert("RGB")
        inside = shown.getpixel((int(shown.width * 0.3), shown.height // 2))
        outside = shown.getpixel((shown.width // 2, int(shown.height * 0.15)))
        if max(abs(a - b) for a, b in zip(inside, accent, strict=True)) <= 12:
            break
        p.wait_for_timeout(200)
    assert max(abs(a - b) for a, b in zip(inside, accent, strict=True)) <= 12, inside
    assert max(abs(a - b) for a, b in zip(outside, accent, strict=True)) > 60, outside
    history = json.loads(_get(studio_server, p, "/api/v1/history"))["items"]
    assert sorted((item["kind"], item["version"]) for item in history) == [("result", 1), ("result", 2)]

    versions = _detail(studio_server, p)["versions"]
    before, after = _picture(studio_server, p, versions[0]), _picture(studio_server, p, versions[1])
    assert before.size == after.size
    width, height = before.size
    row = int(height * 0.5)
    painted = (int(width * 0.3), row)
    erased = (int(width * 0.75), row)
    untouched = (int(width * 0.5), int(height * 0.1))
    r, g, b = after.getpixel(painted)
    assert max(r, g, b) - min(r, g, b) <= 2  # grey where painted
    assert after.getpixel(erased) == before.getpixel(erased)
    assert after.getpixel(untouched) == before.getpixel(untouched)
    changed = ImageChops.difference(before, after).getbbox()
    assert changed is not None
    left, top, right, bottom = changed
    # The brush is round: it reaches its radius (brush size / 2, in the image's pixels) past each stroke's
    # ends, plus a pixel of antialiasing; nothing changed beyond that.
    radius = 40 / 2 * width / box["width"] + 2
    assert left >= width * 0.1 - radius
    assert right <= width * 0.55 + radius
    assert top >= height * 0.5 - radius - 2
    assert bottom <= height * 0.5 + radius + 2


def test_download_a_jpeg_of_the_version_shown(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    _send(p, "a poster for a book swap", 1)
    [version] = _detail(studio_server, p)["versions"]
    jpeg = Image.open(io.BytesIO(_get(studio_server, p, p.locator("#download-jpeg").get_attribute("href"))))
    assert jpeg.format == "JPEG"
    assert jpeg.size == (version["width"], version["height"])
    png = Image.open(io.BytesIO(_get(studio_server, p, p.locator("#download-png").get_attribute("href"))))
    assert (png.format, png.size) == ("PNG", jpeg.size)


def _tab_to(page: Any, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.locator(selector).evaluate("(node) => node === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_the_whole_chat_with_the_keyboard_only(studio_server: Server, page: Any, tmp_path: Any) -> None:
    p = page
    photo = tmp_path / "garden.png"
    Image.new("RGB", (320, 240), (40, 140, 60)).save(photo)
    p.goto(f"{studio_server.url}/image/")
    _tab_to(p, "#prompt")
    p.keyboard.type("a poster for a garden party")
    p.keyboard.press("Shift+Enter")
    p.keyboard.type("with lanterns")
    expect(p.locator("#prompt")).to_have_value("a poster for a garden party\nwith lanterns")
    p.keyboard.press("Enter")
    expect(p.locator(".version")).to_have_count(1, timeout=60_000)
    expect(p.locator(".turn.pending")).to_have_count(0, timeout=60_000)

    # "+ Photo" is a real button: Tab reaches it, Enter opens the file chooser.
    _tab_to(p, "#attach")
    expect(p.locator("#attach")).to_be_focused()
    outline = p.locator("#attach").evaluate("(node) => getComputedStyle(node).outlineStyle")
    assert outline != "none"  # focus is visible
    with p.expect_file_chooser() as chooser:
        p.keyboard.press("Enter")
    chooser.value.set_files(str(photo))
    expect(p.locator(".attachment")).to_have_count(1)
    expect(p.locator(".attachment")).to_contain_text("garden.png")
    _tab_to(p, "#prompt")
    p.keyboard.type("make it brighter")
    p.keyboard.press("Enter")
    expect(p.locator(".version")).to_have_count(2, timeout=60_000)
    expect(p.locator(".turn.pending")).to_have_count(0, timeout=60_000)
    upload = p.locator(".turn.user figcaption").last
    expect(upload).to_contain_text("uploaded by you")
    expect(upload).not_to_contain_text("made on this server")


def test_a_refused_request_explains_itself_and_uses_no_quota(studio_server: Server, page: Any) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")
    p.fill("#prompt", "a photo of a cat on a sofa")
    p.press("#prompt", "Enter")
    expect(p.locator(".problem")).to_contain_text("image-generation provider", timeout=60_000)
    p.goto(f"{studio_server.url}/me/")
    expect(p.locator("[data-testid=quota]")).to_have_text("10 of 10 images left today")


def test_a_guest_out_of_images_is_offered_sign_up(studio_server: Server, page: Any) -> None:
    p = page
    message = (
        "You have used all 10 images for today. More at 00:00 UTC. Sign up for a free account to make 50 images a day."
    )
    body = json.dumps({"error": {"code": "quota_exceeded", "message": message}})
    p.route("**/api/v1/conversations/*/messages", lambda route: route.fulfill(status=429, body=body,
            content_type="application/json"))  # fmt: skip
    p.goto(f"{studio_server.url}/image/")
    p.fill("#prompt", "a poster for a jazz night")
    p.click("#send")
    expect(p.locator("#error")).to_contain_text(message)
    signup = p.locator("#error a")
    expect(signup).to_have_text("Sign up free")
    expect(signup).to_have_attribute("href", "/accounts/signup/")


def test_screenshots_of_the_editor_wide_and_on_a_phone_light_and_dark(studio_server: Server, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    p = context.new_page()
    p.goto(f"{studio_server.url}/image/")
    _send(p, "a poster for a bakery grand opening", 1)
    _send(p, "make the background dark blue", 2)
    url = p.url
    for scheme in ("light", "dark"):
        for width, height in ((1280, 800), (390, 844)):
            p.emulate_media(color_scheme=scheme)
            p.set_viewport_size({"width": width, "height": height})
            p.goto(url)
            expect(p.locator(".version")).to_have_count(2)
            expect(p.locator("#current-image")).to_have_js_property("complete", True)
            assert p.evaluate("document.documentElement.scrollWidth") <= width
            p.screenshot(path=str(ARTIFACTS / f"editor-{width}x{height}-{scheme}.png"))
    context.close()
