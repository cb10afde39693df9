"""Five turns in the browser: create a poster, recolour its background, add text, undo, download a ZIP."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import Server


def _send(page: object, text: str, expected_versions: int) -> None:
    page.fill("#prompt", text)  # type: ignore[attr-defined]
    page.click("#send")  # type: ignore[attr-defined]
    # Locator waits poll from Playwright's own script: a function given as a string would be
    # evaluated in the page, which its CSP (no 'unsafe-eval') refuses.
    page.locator("img.result").nth(expected_versions - 1).wait_for(state="attached", timeout=60_000)  # type: ignore[attr-defined]
    expect(page.locator(".turn.pending")).to_have_count(0, timeout=60_000)  # type: ignore[attr-defined]
    assert page.locator(".problem").count() == 0, page.locator(".problem").all_inner_texts()  # type: ignore[attr-defined]


def _image(page: object, index: int) -> np.ndarray:
    src = page.locator("img.result").nth(index).get_attribute("src")  # type: ignore[attr-defined]
    origin = page.evaluate("location.origin")  # type: ignore[attr-defined]
    body = page.request.get(origin + src).body()  # type: ignore[attr-defined]
    return np.asarray(Image.open(io.BytesIO(body)).convert("RGB")).astype(int)


def test_five_turn_conversation_in_the_browser(studio_server: Server, page: object) -> None:
    p = page
    p.goto(f"{studio_server.url}/image/")  # type: ignore[attr-defined]
    _send(p, "a poster for a bakery grand opening", 1)
    _send(p, "now make the background blue", 2)
    _send(p, "add the text 'OPEN TODAY' at the top", 3)
    _send(p, "undo", 4)

    poster, blue, with_text, undone = (_image(p, i) for i in range(4))
    corner = blue[5:40, 5:40].reshape(-1, 3).mean(axis=0)
    assert corner[2] > corner[0] + 40, f"the background corner is not blue: {corner}"
    assert poster.shape == blue.shape == with_text.shape == undone.shape
    top = slice(0, blue.shape[0] // 4)
    assert np.abs(with_text[top] - blue[top]).mean() > 1, "no text was drawn at the top"
    assert (undone == blue).all(), "undo did not bring back version 2"
    captions = p.locator("figcaption strong").all_inner_texts()  # type: ignore[attr-defined]
    assert captions == ["Version 1", "Version 2", "Version 3", "Version 4"]

    with p.expect_download() as download_info:  # type: ignore[attr-defined]
        p.click("#download-all")  # type: ignore[attr-defined]
    path = download_info.value.path()
    bundle = zipfile.ZipFile(path)
    manifest = json.loads(bundle.read("manifest.json"))
    assert [f["number"] for f in manifest["files"]] == [1, 2, 3, 4]
    assert [f["operation"] for f in manifest["files"]] == ["generate", "edit", "edit", "revert"]
