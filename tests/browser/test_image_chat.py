"""A guest opens AI Image, sends a prompt and sees the image appear without a reload."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import Server

# Records whether the progress indicator was ever on screen, even if the job is quick.
WATCH_PROGRESS = """
window.__sawProgress = false;
new MutationObserver(() => {
  if (document.querySelector("progress.job-progress")) window.__sawProgress = true;
}).observe(document, {subtree: true, childList: true});
"""


def test_guest_sends_a_prompt_and_sees_the_generated_image(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    p.add_init_script(WATCH_PROGRESS)  # type: ignore[attr-defined]
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    navigation = p.locator("nav a").all_inner_texts()  # type: ignore[attr-defined]
    assert navigation == ["Home", "AI Image", "AI Video", "AI Tools", "Me"]

    p.fill("#prompt", "a poster for a bakery grand opening")  # type: ignore[attr-defined]
    loads_before = p.evaluate("performance.getEntriesByType('navigation').length")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]

    p.locator("img.result, .problem").first.wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    assert p.locator(".problem").count() == 0, p.locator(".problem").inner_text()  # type: ignore[attr-defined]
    image = p.locator("img.result")  # type: ignore[attr-defined]
    assert p.evaluate("window.__sawProgress") is True  # type: ignore[attr-defined]
    assert p.evaluate("performance.getEntriesByType('navigation').length") == loads_before  # type: ignore[attr-defined]
    assert p.locator(".turn.user .bubble").inner_text() == "a poster for a bakery grand opening"  # type: ignore[attr-defined]
    expect(image).to_have_js_property("complete", True)
    assert p.evaluate("document.querySelector('img.result').naturalWidth") > 0  # type: ignore[attr-defined]
    assert "deleted" in p.locator("figcaption").inner_text()  # type: ignore[attr-defined]

    # The same bytes are downloadable, and a PNG of the size the page shows.
    src = image.get_attribute("src")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in p.context.cookies())  # type: ignore[attr-defined]
    request = urllib.request.Request(f"{studio_server.url}{src}", headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=10) as response:
        downloaded = Image.open(io.BytesIO(response.read()))
    assert downloaded.format == "PNG"
    assert downloaded.width == int(image.get_attribute("width"))

    # Reloading shows the same conversation, read back from the server.
    p.reload()  # type: ignore[attr-defined]
    p.locator("img.result").wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    assert p.locator(".turn").count() == 2  # type: ignore[attr-defined]


def test_a_second_browser_sees_an_empty_chat(studio_server: Server, page: object, browser: object) -> None:
    first = page
    first.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    first.fill("#prompt", "a birthday card")  # type: ignore[attr-defined]
    first.click("#send")  # type: ignore[attr-defined]
    first.locator("img.result").wait_for(state="visible", timeout=60_000)  # type: ignore[attr-defined]
    url = first.url  # type: ignore[attr-defined]

    other = browser.new_context()  # type: ignore[attr-defined]
    try:
        second = other.new_page()
        second.goto(url)  # the first browser's conversation id is in the link
        second.wait_for_load_state("networkidle")
        assert second.locator(".turn").count() == 0
        assert second.locator("#chat-empty").is_visible()
    finally:
        other.close()


def test_an_empty_message_is_explained_and_sends_nothing(studio_server: Server, page: object) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.evaluate("document.getElementById('prompt').removeAttribute('required')")  # type: ignore[attr-defined]
    p.fill("#prompt", "   ")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    assert p.locator("#error").inner_text() == "Type what you would like to make."  # type: ignore[attr-defined]
    assert p.locator(".turn").count() == 0  # type: ignore[attr-defined]


def test_deleting_one_image_hides_it_at_once_and_its_link_stops_working(studio_server: Server, page: object) -> None:
    p = page  # playwright.sync_api.Page
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    p.fill("#prompt", "a poster for a flower shop")  # type: ignore[attr-defined]
    p.click("#send")  # type: ignore[attr-defined]
    image = p.locator("img.result")  # type: ignore[attr-defined]
    image.wait_for(state="visible", timeout=60_000)
    src = image.get_attribute("src")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in p.context.cookies())  # type: ignore[attr-defined]
    p.once("dialog", lambda dialog: dialog.accept())  # type: ignore[attr-defined]
    p.click("button.delete-image")  # type: ignore[attr-defined]
    p.locator(".deleted-image").wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    assert p.locator("img.result").count() == 0  # type: ignore[attr-defined]
    assert "Version 1 deleted just now" in p.locator(".deleted-image").inner_text()  # type: ignore[attr-defined]

    request = urllib.request.Request(f"{studio_server.url}{src}", headers={"Cookie": cookies})
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(request, timeout=10)
    gone.value.close()
    assert gone.value.code == 404

    # After a reload the chat still has its text, and the image is a placeholder, not a picture.
    p.reload()  # type: ignore[attr-defined]
    p.locator(".deleted-image").wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    assert p.locator("img.result").count() == 0  # type: ignore[attr-defined]
    assert "you deleted it" in p.locator(".deleted-image").inner_text()  # type: ignore[attr-defined]
